"""How an API request names its access token, wherever Salesforce accepts it.

Shared by the identity endpoints now and by the REST data API later.
"""

from django.http import HttpRequest


def bearer_token(request: HttpRequest) -> str | None:
    """The access token of a request: ``Authorization: Bearer``, else an ``oauth_token`` parameter.

    Salesforce also takes the older ``OAuth`` scheme in the header, and the parameter in the query
    or a form body; django-allauth sends the token to userinfo as a query parameter.
    """
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in {"bearer", "oauth"} and credentials.strip():
        return credentials.strip()
    return request.GET.get("oauth_token") or request.POST.get("oauth_token") or None
