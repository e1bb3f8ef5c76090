"""Pages of matching: the tenant's matching configurations."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.framing import frameable_in_salesforce
from portal.roles import Role
from portal.tenancy import PortalRequest, get_for_tenant, role_required
from settlement import services
from settlement.forms import MatchingConfigurationForm
from settlement.models import MatchingConfiguration


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def configurations(request: PortalRequest) -> HttpResponse:
    rows = MatchingConfiguration.objects.filter(tenant=request.tenant)
    return render(request, "settlement/configurations.html", {"configurations": rows})


@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def edit_configuration(request: PortalRequest, configuration_id: int | None = None) -> HttpResponse:
    configuration = (
        get_for_tenant(MatchingConfiguration, request.tenant, pk=configuration_id)
        if configuration_id is not None
        else None
    )
    form = MatchingConfigurationForm(request.POST or None, instance=configuration)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_configuration(
                actor=request.user,
                values=form.cleaned_data,
                configuration=MatchingConfiguration.objects.get(pk=configuration.pk)
                if configuration
                else None,
            )
        except services.InvalidMatchingConfiguration as error:
            problems = error.problems
        else:
            messages.success(request, f"The configuration {saved.name} is saved.")
            return redirect("settlement:configurations")
    return render(
        request,
        "settlement/edit_configuration.html",
        {"form": form, "configuration": configuration, "problems": problems},
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def delete_configuration(request: PortalRequest, configuration_id: int) -> HttpResponse:
    configuration = get_for_tenant(MatchingConfiguration, request.tenant, pk=configuration_id)
    services.delete_configuration(actor=request.user, configuration=configuration)
    messages.success(request, f"The configuration {configuration.name} is deleted.")
    return redirect("settlement:configurations")
