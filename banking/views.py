"""Pages of bank connections: the list, the form, and the onboarding wizard with its steps.

Every step is a POST that calls one service; the bank's refusals come back as BankRefused and are
shown with their advice. Only finance admins (and admins) see these pages.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from banking import jobs, retrieval, services, tasks, wizard
from banking.formats.errors import FormatError
from banking.forms import (
    BackupForm,
    BankConnectionForm,
    PaymentOrderForm,
    PaymentScheduleForm,
    RestoreForm,
    RetrievalForm,
    ScheduleForm,
    VerifyBankKeysForm,
)
from banking.models import (
    BankConnection,
    BankJobRun,
    ConnectionStatus,
    JobKind,
    PaymentRunSchedule,
    RetrievalSchedule,
    RunState,
)
from portal import progress
from portal.errors import PortalError
from portal.framing import frameable_in_salesforce
from portal.roles import Role
from portal.salesforce.connection import client_for
from portal.salesforce.errors import SalesforceError
from portal.tenancy import PortalRequest, get_for_tenant, role_required

# The largest backup file accepted for a restore; real ones are a few kilobytes.
MAX_BACKUP_BYTES = 1024 * 1024
# The largest payment file accepted from the browser (about 100 000 transactions).
MAX_PAYMENT_FILE_BYTES = 64 * 1024 * 1024


def _now() -> datetime:
    return datetime.now(UTC)


def _connection(request: PortalRequest, connection_id: int) -> BankConnection:
    return get_for_tenant(BankConnection, request.tenant, pk=connection_id)


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def connections(request: PortalRequest) -> HttpResponse:
    rows = BankConnection.objects.filter(tenant=request.tenant)
    return render(
        request,
        "banking/connections.html",
        {"connections": [(row, wizard.GUIDANCE[ConnectionStatus(row.status)]) for row in rows]},
    )


@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def edit_connection(request: PortalRequest, connection_id: int | None = None) -> HttpResponse:
    connection = _connection(request, connection_id) if connection_id is not None else None
    form = BankConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        try:
            if connection is None:
                connection = services.create_connection(
                    actor=request.user, values=form.cleaned_data
                )
            else:
                connection = services.update_connection(
                    actor=request.user,
                    connection=_connection(request, connection.pk),
                    values=form.cleaned_data,
                )
        except services.StepRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The connection was saved.")
            return redirect("banking:connection", connection_id=connection.pk)
    return render(request, "banking/edit_connection.html", {"form": form, "connection": connection})


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def connection_detail(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    return _render_wizard(request, connection)


def _render_wizard(
    request: PortalRequest,
    connection: BankConnection,
    *,
    http_status: int = 200,
    **forms: object,
) -> HttpResponse:
    has_bank_keys = bool(connection.bank_authentication_key)
    status = ConnectionStatus(connection.status)
    context = {
        "connection": connection,
        "guidance": wizard.GUIDANCE[status],
        "progress": wizard.progress(status),
        "bank_hashes": services.bank_key_hashes(connection) if has_bank_keys else None,
        "certificate_hashes": services.certificate_hashes(connection),
        "accounts": connection.accounts.all(),
        "verify_form": forms.get("verify_form") or VerifyBankKeysForm(),
        "retrieval_form": forms.get("retrieval_form") or RetrievalForm(today=_now().date()),
        "backup_form": forms.get("backup_form") or BackupForm(),
        "restore_form": forms.get("restore_form") or RestoreForm(),
        "payment_form": forms.get("payment_form") or PaymentOrderForm(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(instance=RetrievalSchedule.objects.filter(connection=connection).first()),
        "payment_schedule_form": forms.get("payment_schedule_form")
        or PaymentScheduleForm(
            instance=PaymentRunSchedule.objects.filter(connection=connection).first(),
            connection=connection,
        ),
        "last_scheduled_failure": BankJobRun.objects.filter(
            connection=connection, scheduled_for__isnull=False
        )
        .order_by("-created_at")
        .filter(state=RunState.FAILED)
        .first(),
        "sent_order": forms.get("sent_order"),
        "test_result": forms.get("test_result"),
        "retrieval": forms.get("retrieval"),
        "can_change": not connection.is_locked_to_creator
        or connection.created_by_id == request.user.pk,
    }
    return render(request, "banking/connection.html", context, status=http_status)


def _run_step(
    request: PortalRequest, connection: BankConnection, step: Callable[[], object], done: str
) -> HttpResponse:
    try:
        step()
    except services.BankRefused as refused:
        messages.error(request, f"{refused} {refused.advice}".strip())
    except PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("banking:connection", connection_id=connection.pk)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def run_action(request: PortalRequest, connection_id: int, action: str) -> HttpResponse:
    """The wizard's simple steps: one button, one service call."""
    connection = _connection(request, connection_id)
    actor, now = request.user, _now()
    steps: dict[str, tuple[Callable[[], object], str]] = {
        "create_keys": (
            lambda: services.create_keys(actor=actor, connection=connection, now=now),
            "New keys were created.",
        ),
        "send_keys": (
            lambda: services.send_keys(actor=actor, connection=connection, now=now),
            "The bank received the keys (INI and HIA). Now download the letter.",
        ),
        "letter_sent": (
            lambda: services.confirm_letter_sent(actor=actor, connection=connection),
            "Noted. Once the bank has activated you, download its keys.",
        ),
        "bank_keys": (
            lambda: services.download_bank_keys(actor=actor, connection=connection, now=now),
            "The bank's keys were downloaded. Compare their hashes with the bank's letter.",
        ),
        "discover_accounts": (
            lambda: services.discover_accounts(actor=actor, connection=connection, now=now),
            "The accounts were read from the bank.",
        ),
        "change_keys": (
            lambda: services.change_keys(actor=actor, connection=connection, now=now),
            "The bank now uses your new keys (HCS); back them up again.",
        ),
        "disable": (
            lambda: services.disable_connection(actor=actor, connection=connection),
            "The connection is disabled.",
        ),
        "enable": (
            lambda: services.enable_connection(actor=actor, connection=connection),
            "The connection is enabled.",
        ),
        "lock": (
            lambda: services.set_lock(actor=actor, connection=connection, is_locked=True),
            "Only you can change this connection now.",
        ),
        "unlock": (
            lambda: services.set_lock(actor=actor, connection=connection, is_locked=False),
            "Every finance admin can change this connection again.",
        ),
    }
    if action not in steps:
        messages.error(request, "Unknown step.")
        return redirect("banking:connection", connection_id=connection.pk)
    step, done = steps[action]
    return _run_step(request, connection, step, done)


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def letter(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    try:
        pdf = services.initialisation_letter(actor=request.user, connection=connection, now=_now())
    except PortalError as error:
        messages.error(request, str(error))
        return redirect("banking:connection", connection_id=connection.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"ebics-letter-{connection.partner_id}-{connection.user_id}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def verify_bank_keys(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = VerifyBankKeysForm(request.POST)
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, verify_form=form)
    return _run_step(
        request,
        connection,
        lambda: services.verify_bank_keys(
            actor=request.user,
            connection=connection,
            authentication_hash=form.cleaned_data["authentication_hash"],
            encryption_hash=form.cleaned_data["encryption_hash"],
            now=_now(),
        ),
        "The bank's keys match its letter. The connection is active.",
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def select_accounts(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    chosen = [int(value) for value in request.POST.getlist("account") if value.isdigit()]
    batched = [int(value) for value in request.POST.getlist("batch_booking") if value.isdigit()]
    return _run_step(
        request,
        connection,
        lambda: services.select_accounts(
            actor=request.user,
            connection=connection,
            account_ids=chosen,
            batch_booking_ids=batched,
        ),
        "The account selection was saved.",
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def test_connection(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    try:
        result = services.test_connection(actor=request.user, connection=connection, now=_now())
    except services.BankRefused as refused:
        messages.error(request, f"{refused} {refused.advice}".strip())
        return redirect("banking:connection", connection_id=connection.pk)
    except PortalError as error:
        messages.error(request, str(error))
        return redirect("banking:connection", connection_id=connection.pk)
    return _render_wizard(request, connection, test_result=result)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def retrieve(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = RetrievalForm(request.POST, today=_now().date())
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, retrieval_form=form)
    if "background" in request.POST:
        try:
            run = jobs.start_retrieval(
                actor=request.user,
                connection=connection,
                kind=form.cleaned_data["kind"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                enqueue=tasks.retrieve_statements.delay,
            )
        except PortalError as error:
            messages.error(request, str(error))
            return redirect("banking:connection", connection_id=connection.pk)
        return redirect("banking:run", run_id=run.pk)
    try:
        salesforce = client_for(request) if form.cleaned_data["write_to_salesforce"] else None
        result = retrieval.retrieve_statements(
            actor=request.user,
            connection=connection,
            kind=form.cleaned_data["kind"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            now=_now(),
            salesforce=salesforce,
        )
    except services.BankRefused as refused:
        messages.error(request, f"{refused} {refused.advice}".strip())
    except (PortalError, SalesforceError, FormatError) as error:
        messages.error(request, str(error))
    else:
        return _render_wizard(request, connection, retrieval=result, retrieval_form=form)
    return _render_wizard(request, connection, http_status=400, retrieval_form=form)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def export_keys(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = BackupForm(request.POST)
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, backup_form=form)
    try:
        data = services.export_keys(
            actor=request.user,
            connection=connection,
            password=form.cleaned_data["password"],
            now=_now(),
        )
    except PortalError as error:
        messages.error(request, str(error))
        return redirect("banking:connection", connection_id=connection.pk)
    response = HttpResponse(data, content_type="application/octet-stream")
    name = slugify(f"ebics-keys-{connection.partner_id}-{connection.user_id}")
    response["Content-Disposition"] = f'attachment; filename="{name}.llkeys"'
    return response


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def restore_keys(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = RestoreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, restore_form=form)
    upload = form.cleaned_data["backup"]
    if upload.size > MAX_BACKUP_BYTES:
        form.add_error("backup", "That file is too large to be a key backup.")
        return _render_wizard(request, connection, http_status=400, restore_form=form)
    return _run_step(
        request,
        connection,
        lambda: services.restore_keys(
            actor=request.user,
            connection=connection,
            data=upload.read(),
            password=form.cleaned_data["password"],
            now=_now(),
        ),
        "The keys were restored from the backup.",
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def upload_payment_order(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = PaymentOrderForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, payment_form=form)
    upload = form.cleaned_data["payment_file"]
    if upload.size > MAX_PAYMENT_FILE_BYTES:
        form.add_error("payment_file", "That file is too large for one payment order.")
        return _render_wizard(request, connection, http_status=400, payment_form=form)
    try:
        sent = services.upload_payment_order(
            actor=request.user, connection=connection, data=upload.read(), now=_now()
        )
    except services.BankRefused as refused:
        messages.error(request, f"{refused} {refused.advice}".strip())
    except PortalError as error:
        messages.error(request, str(error))
    else:
        return _render_wizard(request, connection, sent_order=sent)
    return _render_wizard(request, connection, http_status=400, payment_form=form)


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def runs(request: PortalRequest) -> HttpResponse:
    """The history of bank jobs: when, which connection, counts, duration, errors."""
    rows = BankJobRun.objects.filter(tenant=request.tenant).select_related(
        "connection", "started_by"
    )[:200]
    return render(request, "banking/runs.html", {"runs": rows})


@require_GET
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def run_detail(request: PortalRequest, run_id: int) -> HttpResponse:
    run = get_for_tenant(BankJobRun, request.tenant, pk=run_id)
    if run.kind == JobKind.PAYMENT_RUN:
        return redirect("banking:payment_run", run_id=run.pk)
    job = progress.load(run.job_id)
    return render(request, "banking/run.html", {"run": run, "job": job})


@require_GET
@role_required(Role.FINANCE_ADMIN)
def run_status(request: PortalRequest, run_id: int) -> HttpResponse:
    run = get_for_tenant(BankJobRun, request.tenant, pk=run_id)
    job = progress.load(run.job_id)
    answer = job.as_json() if job else {"state": run.state, "is_finished": True}
    return JsonResponse({**answer, "run_state": run.state, "counts": run.counts})


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def cancel_run(request: PortalRequest, run_id: int) -> HttpResponse:
    run = get_for_tenant(BankJobRun, request.tenant, pk=run_id)
    if progress.request_cancel(request.user, run.job_id) is None:
        messages.error(request, "Only the person who started a run can cancel it.")
    elif run.state == RunState.QUEUED:
        run.state = RunState.CANCELLED
        run.finished_at = _now()
        run.save(update_fields=["state", "finished_at"])
    return redirect("banking:run", run_id=run.pk)


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def payment_schedule(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = PaymentScheduleForm(
        request.POST,
        instance=PaymentRunSchedule.objects.filter(connection=connection).first(),
        connection=connection,
    )
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, payment_schedule_form=form)
    return _run_step(
        request,
        connection,
        lambda: services.save_payment_schedule(
            actor=request.user, connection=connection, values=form.cleaned_data
        ),
        "The payment-run calendar was saved; prepared runs wait for approval under Payment runs.",
    )


@require_POST
@frameable_in_salesforce
@role_required(Role.FINANCE_ADMIN)
def schedule(request: PortalRequest, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = ScheduleForm(
        request.POST, instance=RetrievalSchedule.objects.filter(connection=connection).first()
    )
    if not form.is_valid():
        return _render_wizard(request, connection, http_status=400, schedule_form=form)
    return _run_step(
        request,
        connection,
        lambda: services.save_schedule(
            actor=request.user, connection=connection, values=form.cleaned_data
        ),
        "The schedule was saved; its runs appear under Runs.",
    )
