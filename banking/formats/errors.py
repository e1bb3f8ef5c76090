"""The one base exception of ``banking.formats``.

Every error this package raises on purpose is a ``FormatError``; each module defines its own
one-line subclasses next to the code that raises them, so callers can catch the whole package
with one ``except`` and still tell the cases apart.
"""


class FormatError(Exception):
    """A bank file or payment order could not be read, built or trusted."""
