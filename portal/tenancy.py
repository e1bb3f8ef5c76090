"""The tenant of a request is the org of its user; views only ever look inside it."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portal.models import Tenant, User
from portal.roles import Role

ModelType = TypeVar("ModelType", bound=Model)
View = Callable[..., HttpResponse]


class PortalRequest(HttpRequest):
    """A request of a logged-in portal user, as views behind ``role_required`` receive it."""

    user: User
    tenant: Tenant


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        request.tenant = user.tenant if isinstance(user, User) and user.is_active else None  # type: ignore[attr-defined]
        return self.get_response(request)


def portal_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {
        "tenant": getattr(request, "tenant", None),
        "portal_user": user,
        "can_administer": user.has_role(Role.ADMIN),
        "can_audit": user.has_role(Role.FINANCE_ADMIN),
        "can_review": user.has_role(Role.CLERK),
        "canvas": request.session.get("canvas_client"),
    }


def role_required(required: Role) -> Callable[[View], View]:
    """Let in logged-in users whose role includes ``required``; others see a 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not user.is_active:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(required):
                return render(
                    request,
                    "portal/forbidden.html",
                    {"reason": f"This page needs the {required.label} role."},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_for_tenant(model: type[ModelType], tenant: Tenant, **lookup: Any) -> ModelType:
    """Fetch one object of the tenant; another tenant's object is a 404, as if it did not exist."""
    return get_object_or_404(model, tenant=tenant, **lookup)
