"""Pages of the Salesforce side: field mappings and the connection's state."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.credentials import load_credentials
from portal.framing import frameable_in_salesforce
from portal.models import SalesforceJobCredential
from portal.roles import Role
from portal.salesforce import jobs, services
from portal.salesforce.connection import client_for
from portal.salesforce.errors import SalesforceError
from portal.salesforce.mapping import CONCEPTS, Concept, default_mapping
from portal.tenancy import PortalRequest, role_required


def _concept_or_404(concept: str) -> Concept:
    if concept not in CONCEPTS:
        raise Http404("No such concept.")
    return CONCEPTS[concept]


def _mapping_form(definition: Concept, data: object = None, initial: object = None) -> forms.Form:
    form = forms.Form(data, initial=initial)  # type: ignore[arg-type]
    form.fields["object_name"] = forms.CharField(label="Salesforce object", max_length=80)
    for item in definition.fields:
        form.fields[item.name] = forms.CharField(
            label=item.label, max_length=80, help_text=f"{item.kind.value.replace('_', ' ')}"
        )
    return form


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def mappings(request: PortalRequest) -> HttpResponse:
    rows = [
        (definition, services.mapping_for(request.tenant, name), default_mapping(name))
        for name, definition in CONCEPTS.items()
    ]
    return render(request, "portal/salesforce/mappings.html", {"rows": rows})


@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def edit_mapping(request: PortalRequest, concept: str) -> HttpResponse:
    definition = _concept_or_404(concept)
    current = services.mapping_for(request.tenant, concept)
    form = _mapping_form(
        definition,
        request.POST or None,
        initial={"object_name": current.object_name, **current.fields},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_field_mapping(
                actor=request.user,
                client=client_for(request),
                concept=concept,
                object_name=data.pop("object_name"),
                fields=data,
            )
        except services.InvalidFieldMapping as error:
            problems = error.problems
        except SalesforceError as error:
            problems = [str(error)]
        else:
            messages.success(request, f"The mapping of {definition.label} is saved.")
            return redirect("portal:salesforce_mappings")
    return render(
        request,
        "portal/salesforce/edit_mapping.html",
        {"definition": definition, "form": form, "problems": problems},
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def reset_mapping(request: PortalRequest, concept: str) -> HttpResponse:
    definition = _concept_or_404(concept)
    services.reset_field_mapping(actor=request.user, concept=concept)
    messages.success(request, f"{definition.label} uses the Ledgerlink package again.")
    return redirect("portal:salesforce_mappings")


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def connection(request: PortalRequest) -> HttpResponse:
    error = ""
    checks: list[services.ConceptCheck] = []
    client = None
    try:
        client = client_for(request)
        checks = services.check_package(tenant=request.tenant, client=client)
    except SalesforceError as failure:
        error = str(failure)
    return render(
        request,
        "portal/salesforce/connection.html",
        {
            "checks": checks,
            "error": error,
            "usage": client.api_usage if client else None,
            "job_credential": SalesforceJobCredential.objects.filter(tenant=request.tenant)
            .select_related("user")
            .first(),
        },
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def authorize_jobs(request: PortalRequest) -> HttpResponse:
    credentials = load_credentials(request.session)
    try:
        if credentials is None:
            raise SalesforceError("There is no Salesforce session; please log in again.")
        jobs.authorize_background_jobs(actor=request.user, credentials=credentials)
    except SalesforceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Scheduled jobs now run with your Salesforce access.")
    return redirect("portal:salesforce_connection")
