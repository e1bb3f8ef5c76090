"""Keep live credentials out of the stand-in's request log.

Clients put tokens in query strings (django-allauth sends the access token to userinfo that way),
and the development server logs every request line verbatim.
"""

import logging
import re

_SECRET_PARAMETER = re.compile(
    r"\b(oauth_token|access_token|refresh_token|token|code|code_verifier|pw)=[^&\s\"]+"
)


def redact(text: str) -> str:
    """Replace the values of credential-carrying query parameters with ``***``."""
    return _SECRET_PARAMETER.sub(r"\1=***", text)


class RedactCredentials(logging.Filter):
    """A logging filter that redacts credentials in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
