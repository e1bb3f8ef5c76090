"""Who may frame which page.

Pages reachable from the Canvas app may be framed by Salesforce (and the tenant's own custom
domains); every other page refuses to be framed at all.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.hosts import FRAMING_SOURCES, local_salesforce_origin

View = Callable[..., HttpResponse]


def frameable_in_salesforce(view: View) -> View:
    view.frameable_in_salesforce = True  # type: ignore[attr-defined]
    return view


def frame_ancestors_for(request: HttpRequest) -> list[str]:
    sources = ["'self'", *FRAMING_SOURCES, *settings.FRAME_ANCESTORS_EXTRA]
    local_origin = local_salesforce_origin()
    if local_origin:
        sources.append(local_origin)
    tenant = getattr(getattr(request, "user", None), "tenant", None)
    if tenant is not None:
        sources.extend(tenant.frame_ancestors)
    return sources


class FramingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "frameable_in_salesforce", False):
            ancestors = " ".join(frame_ancestors_for(request))
            response.headers.pop("X-Frame-Options", None)
        else:
            ancestors = "'none'"
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            f"frame-ancestors {ancestors}; object-src 'none'; base-uri 'self'"
        )
        return response

    def process_view(self, request: HttpRequest, view: View, args: object, kwargs: object) -> None:
        request.frameable_in_salesforce = getattr(view, "frameable_in_salesforce", False)  # type: ignore[attr-defined]


class PartitionedCookiesMiddleware:
    """Mark cross-site cookies ``Partitioned`` (CHIPS) so that they work inside the Canvas frame.

    Browsers that block third-party cookies (incognito windows, Safari, Chrome with the setting on)
    still keep partitioned ones, keyed by the top-level site: a session opened inside Salesforce
    stays inside Salesforce. Django 5.2 and Python 3.11 cannot express the attribute, so it rides on
    the SameSite value, which the cookie serialiser writes out verbatim.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for morsel in response.cookies.values():
            if str(morsel["samesite"]).lower() == "none" and morsel["secure"]:
                morsel["samesite"] = "None; Partitioned"
        return response
