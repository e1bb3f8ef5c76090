"""The local EBICS bank: a stand-in bank for development, demos and tests.

Run it with ``python -m standins.bank``. Importing any module of the package has no side effect;
``__main__`` alone opens storage and starts serving. Production code never imports it.
"""
