"""Encryption of secrets at rest and in sessions, with keys from the environment.

ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, all decrypt, so a key is rotated by
putting a new one in front and re-encrypting (MultiFernet.rotate).
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from portal.errors import PortalError


class DecryptionFailed(PortalError):
    pass


@cache
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current_keyring() -> MultiFernet:
    return _keyring(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: bytes) -> str:
    return _current_keyring().encrypt(plaintext).decode("ascii")


def decrypt(token: str) -> bytes:
    """Raises DecryptionFailed when no configured key opens the token (or it was altered)."""
    try:
        return _current_keyring().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionFailed(
            "Encrypted value cannot be read with the configured keys."
        ) from error


def reencrypt(token: str) -> str:
    return _current_keyring().rotate(token.encode("ascii")).decode("ascii")
