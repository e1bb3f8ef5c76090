"""OAuth failures, each with the error code and description Salesforce sends for it.

The description given to an instance replaces the class default where Salesforce words the same
error differently depending on the cause (``invalid_grant`` says "authentication failure" for a
wrong password but "invalid authorization code" for a used code).
"""


class OAuthError(Exception):
    """Base of every OAuth failure the stand-in reports to a client."""

    error = "invalid_request"
    description = "invalid request"

    def __init__(self, description: str | None = None) -> None:
        if description is not None:
            self.description = description
        super().__init__(f"{self.error}: {self.description}")


class InvalidRequestError(OAuthError):
    pass


class InvalidClientIdError(OAuthError):
    error, description = "invalid_client_id", "client identifier invalid"


class InvalidClientError(OAuthError):
    error, description = "invalid_client", "invalid client credentials"


class InvalidGrantError(OAuthError):
    error, description = "invalid_grant", "authentication failure"


class InvalidScopeError(OAuthError):
    error, description = "invalid_scope", "the requested scope is not allowed"


class RedirectUriMismatchError(OAuthError):
    error, description = "redirect_uri_mismatch", "redirect_uri must match configuration"


class UnsupportedGrantTypeError(OAuthError):
    error, description = "unsupported_grant_type", "grant type not supported"


class UnsupportedResponseTypeError(OAuthError):
    error, description = "unsupported_response_type", "response type not supported"


class UnsupportedTokenTypeError(OAuthError):
    error, description = "unsupported_token_type", "this token type is not supported"


class AccessDeniedError(OAuthError):
    error, description = "access_denied", "end-user denied authorization"
