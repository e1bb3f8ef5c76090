"""Pages of payment runs: start a run, read its validation report, send it, apply pain.002.

Each page makes one call into ``banking.payment_runs``; finance admins (and admins) only.
Preparing and sending run in the request, or in the worker when the admin asks for it (and
always for runs the payment-run calendar prepares).
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from banking import payment_runs, services, tasks
from banking.formats.business_days import add_business_days
from banking.formats.errors import FormatError
from banking.models import BankAccount, BankConnection, BankJobRun, JobKind
from portal.errors import PortalError
from portal.framing import frameable_in_salesforce
from portal.roles import Role
from portal.salesforce.connection import client_for
from portal.salesforce.errors import SalesforceError
from portal.tenancy import PortalRequest, get_for_tenant, role_required


def _now() -> datetime:
    return datetime.now(UTC)


class StartForm(forms.Form):
    execution_date = forms.DateField(
        label="Execution date", widget=forms.DateInput(attrs={"type": "date"})
    )
    account = forms.ModelChoiceField(queryset=BankAccount.objects.none(), label="Account")
    creditor_id = forms.CharField(
        label="SEPA creditor ID (for direct debits)", max_length=35, required=False
    )
    e2e_prefix = forms.CharField(
        label="End-to-end ID prefix", max_length=10, initial=payment_runs.DEFAULT_PREFIX
    )

    def __init__(self, *args: Any, connection: BankConnection, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = payment_runs.payment_accounts(connection)
        field = self.fields["account"]
        # Only the connection's selected accounts may pay or collect.
        field.queryset = BankAccount.objects.filter(pk__in=[a.pk for a in accounts])  # type: ignore[attr-defined]
        if len(accounts) == 1:
            field.initial = accounts[0].pk
        # Direct debits need a business day of lead time; transfers may go the same day.
        self.fields["execution_date"].initial = add_business_days(today, 1)


class StatusReportForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = today - timedelta(days=7)
        self.fields["end"].initial = today


def _connection(request: PortalRequest, connection_id: int) -> BankConnection:
    return get_for_tenant(BankConnection, request.tenant, pk=connection_id)


def _render_start(
    request: PortalRequest,
    connection: BankConnection,
    *,
    form: StartForm | None = None,
    report_form: StatusReportForm | None = None,
    applied: payment_runs.AppliedReports | None = None,
    status: int = 200,
) -> HttpResponse:
    today = _now().date()
    runs = BankJobRun.objects.filter(connection=connection, kind=JobKind.PAYMENT_RUN)[:20]
    return render(
        request,
        "banking/payment_run_start.html",
        {
            "connection": connection,
            "form": form or StartForm(connection=connection, today=today),
            "report_form": report_form or StatusReportForm(today=today),
            "applied": applied,
            "runs": runs,
        },
        status=status,
    )


@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def start(request: PortalRequest, connection_id: int) -> HttpResponse:
    """GET: the form to start a run (and the connection's runs); POST: prepare a proposal."""
    connection = _connection(request, connection_id)
    if request.method != "POST":
        return _render_start(request, connection)
    form = StartForm(request.POST, connection=connection, today=_now().date())
    if not form.is_valid():
        return _render_start(request, connection, form=form, status=400)
    if "background" in request.POST:
        try:
            run = payment_runs.queue_preparation(
                actor=request.user,
                connection=connection,
                execution_date=form.cleaned_data["execution_date"],
                account=form.cleaned_data["account"],
                now=_now(),
                enqueue=tasks.prepare_payment_run.delay,
                creditor_id=form.cleaned_data["creditor_id"],
                prefix=form.cleaned_data["e2e_prefix"].strip().upper(),
            )
        except PortalError as error:
            form.add_error(None, str(error))
            return _render_start(request, connection, form=form, status=400)
        return redirect("banking:payment_run", run_id=run.pk)
    try:
        proposal = payment_runs.prepare_payment_run(
            actor=request.user,
            connection=connection,
            execution_date=form.cleaned_data["execution_date"],
            account=form.cleaned_data["account"],
            salesforce=client_for(request),
            now=_now(),
            creditor_id=form.cleaned_data["creditor_id"],
            prefix=form.cleaned_data["e2e_prefix"].strip().upper(),
        )
    except (PortalError, SalesforceError, FormatError) as error:
        form.add_error(None, str(error))
        return _render_start(request, connection, form=form, status=400)
    return redirect("banking:payment_run", run_id=proposal.run_id)


def _render_run(
    request: PortalRequest,
    run: BankJobRun,
    *,
    excluded: frozenset[str] = frozenset(),
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    proposal = payment_runs.load_proposal(run)
    if proposal is not None and proposal.excluded is not None:
        excluded = proposal.excluded
    problems = payment_runs.remaining_problems(proposal, excluded) if proposal else []
    return render(
        request,
        "banking/payment_run.html",
        {
            "run": run,
            "proposal": proposal,
            "excluded": excluded,
            "remaining_problems": problems,
            "orders": run.parameters.get("orders", {}),
            "error": error,
            "is_locked": proposal is not None and proposal.excluded is not None,
            "can_prepare_again": payment_runs.can_prepare_again(run),
            "is_unrecorded": proposal is None
            and run.connection is not None
            and run in payment_runs.unrecorded_runs(run.connection),
            "proposal_minutes": settings.PAYMENT_PROPOSAL_SECONDS // 60,
        },
        status=status,
    )


def _run(request: PortalRequest, run_id: int) -> BankJobRun:
    return get_for_tenant(BankJobRun, request.tenant, pk=run_id, kind=JobKind.PAYMENT_RUN)


@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def report(request: PortalRequest, run_id: int) -> HttpResponse:
    """The validation report of a prepared run, or the outcome of a sent one."""
    return _render_run(request, _run(request, run_id))


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def send(request: PortalRequest, run_id: int) -> HttpResponse:
    """Send the run without the transactions the admin ticked to exclude."""
    run = _run(request, run_id)
    excluded = frozenset(request.POST.getlist("exclude"))
    if "exclude_invalid" in request.POST:
        proposal = payment_runs.load_proposal(run)
        invalid = payment_runs.invalid_entry_ids(proposal) if proposal else frozenset()
        return _render_run(request, run, excluded=excluded | invalid)
    if "recheck" in request.POST:
        return _render_run(request, run, excluded=excluded)
    if "background" in request.POST:
        try:
            payment_runs.queue_sending(
                actor=request.user,
                run_id=run.pk,
                excluded_entry_ids=excluded,
                enqueue=tasks.send_payment_run.delay,
            )
        except PortalError as error:
            return _render_run(request, run, excluded=excluded, error=str(error), status=400)
        messages.info(request, "Sending in the background; this page follows it.")
        return redirect("banking:payment_run", run_id=run.pk)
    try:
        sent = payment_runs.send_payment_run(
            actor=request.user,
            run_id=run.pk,
            excluded_entry_ids=excluded,
            salesforce=client_for(request),
            now=_now(),
        )
    except services.BankRefused as refused:
        message = f"{refused} {refused.advice}".strip()
    except (PortalError, SalesforceError, FormatError) as error:
        message = str(error)
    else:
        accepted = sum(1 for _, state, _ in sent.orders if state == payment_runs.ACCEPTED)
        messages.success(
            request,
            f"The bank accepted {accepted} order{'s' if accepted != 1 else ''}; "
            f"{sent.payments_written} Payment{'s' if sent.payments_written != 1 else ''} "
            "recorded in Salesforce as Pending.",
        )
        return redirect("banking:payment_run", run_id=run.pk)
    run.refresh_from_db()
    return _render_run(request, run, excluded=excluded, error=message, status=400)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def prepare_again(request: PortalRequest, run_id: int) -> HttpResponse:
    """Read what is due again for a run whose report expired before anything was sent."""
    run = _run(request, run_id)
    try:
        payment_runs.prepare_again(
            actor=request.user, run_id=run.pk, salesforce=client_for(request), now=_now()
        )
    except (PortalError, SalesforceError, FormatError) as error:
        return _render_run(request, run, error=str(error), status=400)
    return redirect("banking:payment_run", run_id=run.pk)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def recorded_by_hand(request: PortalRequest, run_id: int) -> HttpResponse:
    """The admin recorded by hand the Payments of orders whose proposal expired."""
    run = _run(request, run_id)
    try:
        payment_runs.mark_payments_recorded(actor=request.user, run_id=run.pk, now=_now())
    except PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Noted: new payment runs may be prepared again.")
    return redirect("banking:payment_run", run_id=run.pk)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def resolve(request: PortalRequest, run_id: int) -> HttpResponse:
    """The admin checked the bank's protocol for an order whose outcome was unknown."""
    run = _run(request, run_id)
    was_received = request.POST.get("received") == "yes"
    try:
        payment_runs.resolve_unknown_order(
            actor=request.user,
            run_id=run.pk,
            order_key=request.POST.get("order", ""),
            was_received=was_received,
            now=_now(),
        )
    except PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Noted: the next send records its Payments without uploading it again."
            if was_received
            else "Noted: the next send uploads it again.",
        )
    return redirect("banking:payment_run", run_id=run.pk)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def apply_status_reports(request: PortalRequest, connection_id: int) -> HttpResponse:
    """Download the period's pain.002 reports and move rejected Payments to Rejected."""
    connection = _connection(request, connection_id)
    form = StatusReportForm(request.POST, today=_now().date())
    if not form.is_valid():
        return _render_start(request, connection, report_form=form, status=400)
    try:
        applied = payment_runs.apply_status_reports(
            actor=request.user,
            connection=connection,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            salesforce=client_for(request),
            now=_now(),
        )
    except services.BankRefused as refused:
        form.add_error(None, f"{refused} {refused.advice}".strip())
    except (PortalError, SalesforceError, FormatError) as error:
        form.add_error(None, str(error))
    else:
        return _render_start(request, connection, report_form=form, applied=applied)
    return _render_start(request, connection, report_form=form, status=400)
