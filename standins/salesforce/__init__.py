"""The local Salesforce: a stand-in org for development, demos and tests.

It runs as its own process (``python -m standins.salesforce``) with its own SQLite store and speaks
Salesforce's OAuth 2.0, identity and Canvas protocols, so that Ledgerlink's production code talks to
it exactly as it would to a real org. Production code never imports this package.
"""
