"""Pages of matching: configurations, and the review of suggestions."""

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal import progress
from portal.credentials import load_credentials
from portal.framing import frameable_in_salesforce
from portal.roles import Role
from portal.salesforce.connection import client_for
from portal.salesforce.errors import SalesforceError, SalesforceSessionExpired
from portal.salesforce.records import count_open_entries, count_unmatched_statement_items
from portal.salesforce.services import mapping_for
from portal.tenancy import PortalRequest, get_for_tenant, role_required
from settlement import runs, services, tasks
from settlement.forms import MatchingConfigurationForm
from settlement.matching import Band, Suggestion
from settlement.matching.configuration import configuration_problems
from settlement.models import MatchingConfiguration
from settlement.review import (
    PreviewDifference,
    SettlementRefused,
    compare_reviews,
    compute_review,
    decode_allocations,
    encode_allocations,
    reject,
    settle,
    settle_many,
)


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
    preview = None
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        preview, problems = _preview(request, form.instance)
    elif request.method == "POST" and form.is_valid():
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
        {
            "form": form,
            "configuration": configuration,
            "problems": problems,
            "preview": preview,
        },
    )


def _preview(
    request: PortalRequest, draft: MatchingConfiguration
) -> tuple[PreviewDifference | None, list[str]]:
    """Run the draft beside the saved configurations on the org's current data."""
    engine_draft = services.to_engine(draft)
    problems = [str(problem) for problem in configuration_problems(engine_draft, "")]
    if problems:
        return None, problems
    others = [
        services.to_engine(row)
        for row in MatchingConfiguration.objects.filter(tenant=request.tenant).exclude(pk=draft.pk)
    ]
    try:
        client = client_for(request)
        now = compute_review(client=client, tenant=request.tenant)
        with_draft = compute_review(
            client=client, tenant=request.tenant, configurations=[*others, engine_draft]
        )
    except SalesforceError as error:
        return None, [str(error)]
    return compare_reviews(now, with_draft), []


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def delete_configuration(request: PortalRequest, configuration_id: int) -> HttpResponse:
    configuration = get_for_tenant(MatchingConfiguration, request.tenant, pk=configuration_id)
    services.delete_configuration(actor=request.user, configuration=configuration)
    messages.success(request, f"The configuration {configuration.name} is deleted.")
    return redirect("settlement:configurations")


@require_GET
@frameable_in_salesforce
@role_required(Role.CLERK)
def review(request: PortalRequest) -> HttpResponse:
    band = request.GET.get("band", "")
    search = request.GET.get("q", "").strip().lower()
    run_id = request.GET.get("run", "")
    try:
        if run_id:
            computed = runs.load_review(request.user, run_id)
            if computed is None:
                return redirect("settlement:review_run", job_id=run_id)
        elif request.GET.get("background"):
            return _start_run(request)
        else:
            computed = None if request.GET.get("refresh") else runs.recent(request.user)
            if computed is None:
                if _is_large(request):
                    return _start_run(request)
                computed = compute_review(client=client_for(request), tenant=request.tenant)
                runs.keep_recent(request.user, computed)
    except SalesforceError as error:
        return render(request, "settlement/review.html", {"error": str(error)})

    def wanted(suggestion: Suggestion) -> bool:
        if band and suggestion.band.value != band:
            return False
        if not search:
            return True
        item = computed.items[suggestion.statement_item_id]
        documents = " ".join(
            (computed.entries[a.open_item_id].document_number or "")
            for a in suggestion.allocations
            if a.open_item_id in computed.entries
        )
        haystack = (
            f"{item.amount} {item.counterparty_name} {item.remittance_information} {documents}"
        )
        return search in haystack.lower()

    suggestions = [s for s in computed.result.suggestions if wanted(s)]
    page = Paginator(suggestions, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "suggestion": suggestion,
            "item": computed.items[suggestion.statement_item_id],
            "allocations": [
                (allocation, computed.entries.get(allocation.open_item_id))
                for allocation in suggestion.allocations
            ],
            "percent": round(suggestion.score * 100),
            "pick": f"{suggestion.statement_item_id}|{encode_allocations(suggestion.allocations)}",
        }
        for suggestion in page
    ]
    return render(
        request,
        "settlement/review.html",
        {
            "rows": rows,
            "page": page,
            "band": band,
            "search": request.GET.get("q", ""),
            "bands": [b.value for b in Band],
            "unmatched_count": len(computed.result.unmatched_statement_item_ids),
            "run_id": run_id,
        },
    )


def _is_large(request: PortalRequest) -> bool:
    """Whether matching would keep the page waiting: then it runs in the worker instead."""
    client = client_for(request)
    items = count_unmatched_statement_items(
        client, mapping_for(request.tenant, "bank_statement_item")
    )
    if items == 0:
        return False
    entries = count_open_entries(client, mapping_for(request.tenant, "entry"))
    return items * entries > settings.REVIEW_INLINE_PAIRS


def _start_run(request: PortalRequest) -> HttpResponse:
    credentials = load_credentials(request.session)
    if credentials is None:
        raise SalesforceSessionExpired("There is no Salesforce session; please log in again.")
    started = runs.start_review_run(
        user=request.user, credentials=credentials, enqueue=tasks.compute_review_run.delay
    )
    return redirect("settlement:review_run", job_id=started.job_id)


def _back_to_review(request: PortalRequest, settled: set[str]) -> HttpResponse:
    """Back to the review; a review kept from a worker run forgets what was just settled."""
    runs.forget_recent(request.user)
    run_id = request.POST.get("run", "")
    if not run_id:
        return redirect("settlement:review")
    runs.forget_items(request.user, run_id, settled)
    return redirect(reverse("settlement:review") + "?" + urlencode({"run": run_id}))


@require_GET
@frameable_in_salesforce
@role_required(Role.CLERK)
def review_run(request: PortalRequest, job_id: str) -> HttpResponse:
    """The progress of a review computed in the worker; the page polls ``review_run_status``."""
    job = progress.for_user(request.user, job_id)
    if job is None:
        messages.error(request, "That review run has expired; here is a fresh review.")
        return redirect("settlement:review")
    if job.state is progress.State.DONE:
        return redirect(reverse("settlement:review") + "?" + urlencode({"run": job_id}))
    return render(request, "settlement/review_run.html", {"job": job})


@require_GET
@role_required(Role.CLERK)
def review_run_status(request: PortalRequest, job_id: str) -> HttpResponse:
    job = progress.for_user(request.user, job_id)
    if job is None:
        return JsonResponse({"error": "No such run."}, status=404)
    return JsonResponse(job.as_json())


@require_POST
@frameable_in_salesforce
@role_required(Role.CLERK)
def cancel_review_run(request: PortalRequest, job_id: str) -> HttpResponse:
    job = progress.request_cancel(request.user, job_id)
    if job is None:
        return JsonResponse({"error": "No such run."}, status=404)
    messages.info(request, "The review run was cancelled.")
    return redirect("settlement:review_run", job_id=job_id)


@require_POST
@frameable_in_salesforce
@role_required(Role.CLERK)
def accept(request: PortalRequest) -> HttpResponse:
    entry_ids = request.POST.getlist("entry")
    amounts = request.POST.getlist("amount")
    try:
        # Blank amounts are entries offered but not chosen (the manual settling page).
        allocations = [
            (entry_id, Decimal(amount))
            for entry_id, amount in zip(entry_ids, amounts, strict=True)
            if amount.strip()
        ]
        settle(
            client=client_for(request),
            tenant=request.tenant,
            statement_item_id=request.POST.get("statement_item", ""),
            allocations=allocations,
        )
    except (ValueError, ArithmeticError):
        messages.error(request, "The allocation amounts are not numbers.")
    except (SettlementRefused, SalesforceError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Settled in Salesforce.")
        return _back_to_review(request, {request.POST.get("statement_item", "")})
    return _back_to_review(request, set())


@require_POST
@frameable_in_salesforce
@role_required(Role.CLERK)
def accept_many(request: PortalRequest) -> HttpResponse:
    """Accept the selected suggestions (``pick`` values: ``<item>|<entry>:<amount>,...``)."""
    try:
        requests = []
        for value in request.POST.getlist("pick"):
            item_id, _, encoded = value.partition("|")
            requests.append((item_id, decode_allocations(encoded)))
        outcome = settle_many(client=client_for(request), tenant=request.tenant, requests=requests)
    except (SettlementRefused, SalesforceError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Settled {outcome.settled} in Salesforce.")
        for problem in outcome.problems:
            messages.error(request, problem)
        return _back_to_review(request, {item_id for item_id, _ in requests})
    return _back_to_review(request, set())


@require_POST
@frameable_in_salesforce
@role_required(Role.CLERK)
def accept_band(request: PortalRequest) -> HttpResponse:
    """Accept every current suggestion of one band (recomputed now, not taken from the page)."""
    band = request.POST.get("band", "")
    if band not in {b.value for b in Band}:
        messages.error(request, "Choose a band to accept.")
        return redirect("settlement:review")
    try:
        client = client_for(request)
        run_id = request.POST.get("run", "")
        computed = (runs.load_review(request.user, run_id) if run_id else None) or compute_review(
            client=client, tenant=request.tenant
        )
        requests = [
            (s.statement_item_id, [(a.open_item_id, a.amount) for a in s.allocations])
            for s in computed.result.suggestions
            if s.band.value == band
        ]
        outcome = settle_many(client=client, tenant=request.tenant, requests=requests)
    except (SettlementRefused, SalesforceError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Settled {outcome.settled} {band} suggestions in Salesforce.")
        for problem in outcome.problems:
            messages.error(request, problem)
        return _back_to_review(request, {item_id for item_id, _ in requests})
    return _back_to_review(request, set())


@require_POST
@frameable_in_salesforce
@role_required(Role.CLERK)
def reject_suggestion(request: PortalRequest) -> HttpResponse:
    try:
        reject(
            client=client_for(request),
            tenant=request.tenant,
            statement_item_id=request.POST.get("statement_item", ""),
            entry_ids=request.POST.getlist("entry"),
        )
    except (SettlementRefused, SalesforceError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Rejected; Ledgerlink will not suggest it again.")
        return _back_to_review(request, {request.POST.get("statement_item", "")})
    return _back_to_review(request, set())


_MANUAL_RESULTS = 50


@require_GET
@frameable_in_salesforce
@role_required(Role.CLERK)
def settle_by_hand(request: PortalRequest, statement_item_id: str) -> HttpResponse:
    """Search open entries by document number, account or reference and settle one item."""
    search = request.GET.get("q", "").strip().lower()
    try:
        computed = compute_review(client=client_for(request), tenant=request.tenant)
    except SalesforceError as error:
        return render(request, "settlement/settle_by_hand.html", {"error": str(error)})
    item = computed.items.get(statement_item_id)
    if item is None:
        messages.error(request, "That statement item is not waiting to be matched.")
        return redirect("settlement:review")
    found = [
        entry
        for entry in computed.entries.values()
        if search
        and search
        in f"{entry.document_number} {entry.payment_reference} {entry.open_amount}".lower()
    ][:_MANUAL_RESULTS]
    return render(
        request,
        "settlement/settle_by_hand.html",
        {"item": item, "entries": found, "search": request.GET.get("q", "")},
    )
