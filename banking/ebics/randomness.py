"""Injectable randomness: nonces and transaction keys come from here so tests can fix them."""

import secrets
from collections.abc import Callable

#: Returns ``n`` random bytes; production uses the OS CSPRNG, tests pass a deterministic one.
RandomBytes = Callable[[int], bytes]


def system_random_bytes(length: int) -> bytes:
    """Return ``length`` bytes from the operating system's cryptographic random source."""
    return secrets.token_bytes(length)
