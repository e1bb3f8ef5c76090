"""Portal pages. Each view reads or calls one service; the work happens there."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portal import selectors, services, sessions
from portal.canvas import InvalidSignedRequest, verify_signed_request
from portal.credentials import SalesforceCredentials
from portal.errors import PortalError
from portal.forms import ApiKeyForm, FrameAncestorsForm, RoleForm
from portal.framing import frameable_in_salesforce
from portal.health import check_health
from portal.models import ApiKey, User
from portal.onboarding import onboarding_steps
from portal.roles import Role
from portal.tenancy import PortalRequest, get_for_tenant, role_required

CANVAS_SESSION_KEY = "canvas_client"


@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        return redirect("portal:home")
    return render(request, "portal/login.html")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    sessions.end_session(request)
    return redirect("portal:login")


@csrf_exempt  # Salesforce posts here cross-site; the HMAC signature authenticates the request.
@require_POST
@frameable_in_salesforce
def canvas_entry(request: HttpRequest) -> HttpResponse:
    try:
        context = verify_signed_request(
            request.POST.get("signed_request"),
            consumer_secret=settings.SALESFORCE_CONSUMER_SECRET,
            max_bytes=settings.CANVAS_MAX_SIGNED_REQUEST_BYTES,
        )
    except InvalidSignedRequest as error:
        return render(request, "portal/canvas_denied.html", {"reason": str(error)}, status=403)
    sessions.start_session(
        request,
        user_name=context.user_name,
        org_name=context.org_name,
        credentials=SalesforceCredentials(
            org_id=context.org_id,
            user_id=context.user_id,
            access_token=context.oauth_token,
            refresh_token=context.refresh_token,
            instance_url=context.instance_url,
            login_url=context.login_url,
            from_canvas=True,
        ),
    )
    # Only what the Canvas SDK needs to resize the frame; the token stays server-side.
    request.session[CANVAS_SESSION_KEY] = {
        "instance_url": context.instance_url,
        "target_origin": context.target_origin,
        "instance_id": context.instance_id,
    }
    return redirect("portal:home")


@require_GET
@frameable_in_salesforce
@role_required(Role.VIEWER)
def home(request: PortalRequest) -> HttpResponse:
    try:
        steps = onboarding_steps(request)
    except sessions.SessionEnded:
        return _session_ended(request)
    return render(request, "portal/home.html", {"steps": steps})


def _session_ended(request: HttpRequest) -> HttpResponse:
    from_canvas = CANVAS_SESSION_KEY in request.session
    sessions.end_session(request)
    if from_canvas:
        return render(request, "portal/session_ended.html", status=401)
    messages.info(request, "Your Salesforce session has ended. Please log in again.")
    return redirect("portal:login")


@require_GET
@frameable_in_salesforce
@role_required(Role.ADMIN)
def users(request: PortalRequest) -> HttpResponse:
    return render(
        request,
        "portal/users.html",
        {"users": selectors.users_of(request.tenant), "roles": Role.choices},
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.ADMIN)
def change_role(request: PortalRequest, user_id: int) -> HttpResponse:
    target = get_for_tenant(User, request.tenant, pk=user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("portal:users")
    try:
        services.assign_role(actor=request.user, user=target, role=Role(form.cleaned_data["role"]))
    except PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{target} is now {Role(target.role).label}.")
    return redirect("portal:users")


@frameable_in_salesforce
@role_required(Role.ADMIN)
def api_keys(request: PortalRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.create_api_key(
            actor=request.user,
            name=form.cleaned_data["name"],
            role=Role(form.cleaned_data["role"]),
        )
        form = ApiKeyForm()
    return render(
        request,
        "portal/api_keys.html",
        {"form": form, "new_key": new_key, "api_keys": selectors.api_keys_of(request.tenant)},
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.ADMIN)
def revoke_api_key(request: PortalRequest, key_id: int) -> HttpResponse:
    api_key = get_for_tenant(ApiKey, request.tenant, pk=key_id)
    services.revoke_api_key(actor=request.user, api_key=api_key, now=timezone.now())
    messages.success(request, f"The key {api_key.name} is revoked.")
    return redirect("portal:api_keys")


@frameable_in_salesforce
@role_required(Role.ADMIN)
def organisation(request: PortalRequest) -> HttpResponse:
    tenant = request.tenant
    form = FrameAncestorsForm(
        request.POST or None, initial={"origins": "\n".join(tenant.frame_ancestors)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_frame_ancestors(actor=request.user, origins=form.origin_list())
        except PortalError as error:
            form.add_error("origins", str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("portal:organisation")
    return render(request, "portal/organisation.html", {"form": form})


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def audit_log(request: PortalRequest) -> HttpResponse:
    page = Paginator(selectors.audit_events_of(request.tenant), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/audit_log.html", {"page": page})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    states = check_health()
    healthy = all(state == "ok" for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **states}, status=200 if healthy else 503
    )
