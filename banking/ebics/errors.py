"""The base exception of the EBICS package; subclasses live next to the code raising them."""


class EbicsError(Exception):
    """Base of every error raised by ``banking.ebics``."""
