"""What can go wrong talking to Salesforce, split into what a retry may fix and what it cannot."""

from portal.errors import PortalError


class SalesforceError(PortalError):
    """Base of every failure of a Salesforce data call."""

    def __init__(self, message: str, *, error_code: str = "") -> None:
        super().__init__(message)
        self.error_code = error_code


class SalesforceRetryableError(SalesforceError):
    """Salesforce is unreachable, overloaded or over its API limit: try again later."""


class SalesforceSessionExpired(SalesforceError):
    """The token is no longer valid and could not be renewed."""


class SalesforcePermissionError(SalesforceError):
    """The user's Salesforce permissions do not allow this; tell the user, do not retry."""


class SalesforceRequestError(SalesforceError):
    """Salesforce refused the request itself (bad query, invalid field, duplicate value...)."""
