"""Payment runs against the local Salesforce and the local bank: proposal, report, send, pain.002.

Each test adds its own supplier and customers to Acme's demo org (which has due entries of its
own, many of them invalid: CHF, no bank account) and excludes everything else when sending.
"""

import secrets
import time
from datetime import time as clock
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

from banking import jobs, payment_runs, services
from banking.models import BankJobRun, JobKind, RunState
from portal.models import AuditEvent
from portal.salesforce.errors import SalesforceError
from standins.bank.ledger import store as ledger_store
from standins.bank.ledger.status_writer import (
    BlockOutcome,
    OrderOutcome,
    TransactionOutcome,
    write_status_report,
)
from tests.banking.payment_books import (
    SUPPLIER_IBAN,
    authorize_jobs,
    bank_uploads,
    entry_ids,
    execution_date,
    now,
    open_amount,
    others,
    payments,
    prepare,
    send_ours,
)
from tests.banking.test_connections import control, onboard
from tests.banking.test_jobs import bank_worker  # noqa: F401  (a fixture)
from tests.salesforce_fixtures import arm_failures

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_proposal_picks_due_approved_entries_and_leaves_out_the_rest(
    finance_admin, acme_bank, bob, books
):
    proposal = prepare(finance_admin, acme_bank, bob)

    picked = entry_ids(proposal)
    assert {books["approved"], books["core"], books["b2b"]} <= picked
    assert (
        not {books["excluded"], books["unapproved"], books["later"], books["no_mandate"]} & picked
    )
    assert (books["no_mandate"], "no active Payment Instrument with a valid mandate") in (
        proposal.left_out
    )
    orders = {order.key: order for order in proposal.orders}
    assert books["core"] in {t.entry_id for t in orders["pain.008-CORE"].transactions}
    assert books["b2b"] in {t.entry_id for t in orders["pain.008-B2B"].transactions}
    ours = next(t for t in orders["pain.001"].transactions if t.entry_id == books["approved"])
    assert ours.problems == ()
    assert ours.counterparty.iban == SUPPLIER_IBAN
    assert ours.amount == Decimal("120.50")
    # The demo's own payables include some that cannot be paid (CHF, no bank account).
    assert orders["pain.001"].invalid > 0
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.kind == JobKind.PAYMENT_RUN
    assert run.state == RunState.QUEUED
    assert "Testlieferant" not in str(run.parameters) + str(run.counts)


def test_invalid_transactions_block_sending_until_they_are_excluded(
    finance_admin, acme_bank, bob, books, local_bank
):
    proposal = prepare(finance_admin, acme_bank, bob)
    invalid = {t.entry_id for order in proposal.orders for t in order.transactions if t.problems}
    assert invalid

    with pytest.raises(payment_runs.PaymentRunRefused, match="problem"):
        payment_runs.send_payment_run(
            actor=finance_admin,
            run_id=proposal.run_id,
            excluded_entry_ids=set(),
            salesforce=bob,
            now=now(),
        )
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert all(order["state"] == "prepared" for order in run.parameters["orders"].values())
    assert payment_runs.remaining_problems(proposal, invalid) == []


def test_sending_uploads_one_order_per_scheme_writes_pending_payments_and_never_sends_twice(
    finance_admin, acme_bank, bob, books
):
    proposal = prepare(finance_admin, acme_bank, bob)
    mine = {books["approved"], books["core"], books["b2b"]}
    sent = send_ours(finance_admin, proposal, books, bob)

    states = {key: (state, order_id) for key, state, order_id in sent.orders}
    assert {key for key, (state, _) in states.items() if state == "accepted"} == {
        "pain.001",
        "pain.008-CORE",
        "pain.008-B2B",
    }
    assert all(order_id for state, order_id in states.values() if state == "accepted")
    assert sent.payments_written == 3
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    written = payments(bob, [e2e[entry] for entry in mine])
    assert {row["Status__c"] for row in written.values()} == {"Pending"}
    assert written[e2e[books["approved"]]]["Type__c"] == "Outgoing"
    assert written[e2e[books["core"]]]["Type__c"] == "Incoming"
    assert open_amount(bob, books["approved"]) == 0
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.state == RunState.DONE
    assert run.counts["sent"] == 3

    again = payment_runs.send_payment_run(
        actor=finance_admin,
        run_id=proposal.run_id,
        excluded_entry_ids=set(),
        salesforce=bob,
        now=now(),
    )
    assert again.payments_written == 0
    assert AuditEvent.objects.filter(action="payment_run.order_sent").count() == 3
    # The entries are on their way now: the next run does not pick them.
    assert not mine & entry_ids(prepare(finance_admin, acme_bank, bob))


def _reject_at_the_bank(local_bank, e2e: str, amount: Decimal) -> None:
    """The debtor's bank refuses a collection after the upload: its pain.002 arrives later."""
    ledger = Path(local_bank.log_path).parent / "bank" / "ledger.sqlite3"
    at = now()
    report = write_status_report(
        OrderOutcome(
            message_id=f"LATE{secrets.token_hex(6).upper()}",
            created_at=at,
            original_message_id="LL-LATE",
            original_message_type="pain.008.001.08",
            original_created_at=at,
            is_direct_debit=True,
            blocks=(
                BlockOutcome(
                    payment_information_id="PI-LATE",
                    transactions=(
                        TransactionOutcome(
                            end_to_end_id=e2e,
                            instruction_id=None,
                            status="RJCT",
                            amount=amount,
                            currency="EUR",
                            requested_date=at.date(),
                            reason="AC04",
                            reason_text="account closed",
                        ),
                    ),
                ),
            ),
        )
    )
    with ledger_store.connect(ledger) as db:
        db.execute(
            "INSERT INTO status_reports (partner_id, created_on, file_name, content) "
            "VALUES (?, ?, ?, ?)",
            ("ACME", at.date().isoformat(), f"pain.002_LATE_{e2e}.xml", report),
        )


def test_status_reports_move_rejected_payments_and_leave_accepted_ones_pending(
    finance_admin, acme_bank, bob, books, local_bank
):
    proposal = prepare(finance_admin, acme_bank, bob)
    send_ours(finance_admin, proposal, books, bob)
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    _reject_at_the_bank(local_bank, e2e[books["core"]], Decimal("120.50"))

    today = now().date()
    applied = payment_runs.apply_status_reports(
        actor=finance_admin,
        connection=acme_bank,
        start=today - timedelta(days=1),
        end=today,
        salesforce=bob,
        now=now(),
    )

    assert applied.rejected == 1
    rows = payments(bob, [e2e[books["core"]], e2e[books["b2b"]], e2e[books["approved"]]])
    assert rows[e2e[books["core"]]]["Status__c"] == "Rejected"
    assert rows[e2e[books["core"]]]["Return_Reason__c"].startswith("AC04")
    assert rows[e2e[books["b2b"]]]["Status__c"] == "Pending"
    assert rows[e2e[books["approved"]]]["Status__c"] == "Pending"
    assert open_amount(bob, books["core"]) == Decimal("120.50")
    again = payment_runs.apply_status_reports(
        actor=finance_admin,
        connection=acme_bank,
        start=today - timedelta(days=1),
        end=today,
        salesforce=bob,
        now=now(),
    )
    assert again.rejected == 0
    # A rejected entry comes back in the next run with a new end-to-end ID (attempt 2).
    retry = prepare(finance_admin, acme_bank, bob)
    (collection,) = [t for o in retry.orders for t in o.transactions if t.entry_id == books["core"]]
    assert collection.end_to_end_id != e2e[books["core"]]


def test_another_org_cannot_prepare_or_send_and_clerks_see_no_pages(
    client, finance_admin, acme_bank, bob, books, outsider, clerk
):
    proposal = prepare(finance_admin, acme_bank, bob)
    account = acme_bank.accounts.first()
    with pytest.raises(payment_runs.PaymentRunRefused):
        payment_runs.prepare_payment_run(
            actor=outsider,
            connection=acme_bank,
            execution_date=execution_date(),
            account=account,
            salesforce=bob,
            now=now(),
        )
    with pytest.raises(payment_runs.PaymentRunRefused):
        payment_runs.send_payment_run(
            actor=outsider,
            run_id=proposal.run_id,
            excluded_entry_ids=set(),
            salesforce=bob,
            now=now(),
        )
    client.force_login(outsider)
    assert client.get(f"/banking/payment-runs/{proposal.run_id}/").status_code == 404
    assert client.post(f"/banking/payment-runs/{proposal.run_id}/send/").status_code == 404
    assert client.get(f"/banking/connections/{acme_bank.pk}/payment-runs/new/").status_code == 404
    client.force_login(clerk)
    assert client.get(f"/banking/payment-runs/{proposal.run_id}/").status_code == 403


def test_the_validation_report_lists_each_order_with_its_problems(
    client, finance_admin, acme_bank, bob, books
):
    proposal = prepare(finance_admin, acme_bank, bob)
    client.force_login(finance_admin)
    page = client.get(f"/banking/payment-runs/{proposal.run_id}/").content.decode()
    assert "Credit transfers (pain.001)" in page
    assert "CORE direct debits (pain.008)" in page
    assert "Testlieferant GmbH" in page
    assert "Send to the bank" not in page
    assert 'name="exclude"' in page


def test_a_lost_answer_is_settled_by_the_banks_protocol_and_the_run_goes_on(
    finance_admin, acme_bank, bob, books, local_bank
):
    proposal = prepare(finance_admin, acme_bank, bob)
    uploads_before = len(bank_uploads(local_bank))
    # The bank books the first file, then the connection drops before its answer arrives.
    control(
        local_bank,
        "POST",
        "failures",
        json={"drop_connection": {"order_type": "BTU", "phase": "transfer", "times": 1}},
    )
    sent = send_ours(finance_admin, proposal, books, bob)

    assert {state for _, state, _ in sent.orders} == {payment_runs.ACCEPTED}
    # Three files, each uploaded once: the lost one was found in HAC, not sent again.
    assert bank_uploads(local_bank)[uploads_before:] == [("BTU", "000000")] * 3
    traced = AuditEvent.objects.get(action="payment_run.order_traced")
    assert traced.changes["order"] == "pain.001"
    assert traced.changes["state"] == payment_runs.ACCEPTED
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    assert payments(bob, [e2e[books["approved"]]])[e2e[books["approved"]]]["Status__c"] == "Pending"


def test_an_order_the_protocol_cannot_confirm_waits_for_the_admin_and_is_never_resent(
    finance_admin, acme_bank, bob, books, local_bank
):
    proposal = prepare(finance_admin, acme_bank, bob)
    uploads_before = len(bank_uploads(local_bank))
    # The answer to the first file is lost, and the bank's protocol cannot be read for now.
    control(
        local_bank,
        "POST",
        "failures",
        json={
            "drop_connection": {"order_type": "BTU", "phase": "transfer", "times": 1},
            "return_code": {"order_type": "HAC", "code": "091116", "times": 20},
        },
    )
    try:
        with pytest.raises(payment_runs.PaymentRunRefused, match="was lost"):
            send_ours(finance_admin, proposal, books, bob)
        run = BankJobRun.objects.get(pk=proposal.run_id)
        assert run.state == RunState.FAILED
        states = {key: order["state"] for key, order in run.parameters["orders"].items()}
        assert states["pain.001"] == payment_runs.UNKNOWN
        assert states["pain.008-CORE"] == states["pain.008-B2B"] == payment_runs.PREPARED

        with pytest.raises(payment_runs.PaymentRunRefused, match="unknown"):
            payment_runs.send_payment_run(
                actor=finance_admin,
                run_id=proposal.run_id,
                excluded_entry_ids=set(),
                salesforce=bob,
                now=now(),
            )
    finally:
        control(local_bank, "DELETE", "failures")
    assert not AuditEvent.objects.filter(action="payment_run.order_sent").exists()
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    assert payments(bob, [e2e[books["approved"]]]) == {}

    # The admin finds the order in the bank's protocol: the next send only uploads the rest.
    payment_runs.resolve_unknown_order(
        actor=finance_admin,
        run_id=proposal.run_id,
        order_key="pain.001",
        was_received=True,
        now=now(),
    )
    sent = payment_runs.send_payment_run(
        actor=finance_admin,
        run_id=proposal.run_id,
        excluded_entry_ids=set(),
        salesforce=bob,
        now=now(),
    )
    assert {state for _, state, _ in sent.orders} == {payment_runs.ACCEPTED}
    assert bank_uploads(local_bank)[uploads_before:] == [("BTU", "000000")] * 3
    assert AuditEvent.objects.filter(action="payment_run.order_sent").count() == 2
    assert AuditEvent.objects.filter(action="payment_run.order_resolved").count() == 1
    assert payments(bob, [e2e[books["approved"]]])[e2e[books["approved"]]]["Status__c"] == "Pending"


@pytest.mark.usefixtures("bank_worker")
def test_a_run_sent_in_the_background_is_sent_by_the_worker_under_the_jobs_access(
    client, finance_admin, acme_bank, bob, books, local_salesforce
):
    authorize_jobs(finance_admin, local_salesforce)
    proposal = prepare(finance_admin, acme_bank, bob)
    client.force_login(finance_admin)
    response = client.post(
        f"/banking/payment-runs/{proposal.run_id}/send/",
        {"background": "1", "exclude": sorted(others(proposal, books))},
    )
    assert response.status_code == 302
    assert "<progress" in client.get(response["Location"]).content.decode()
    deadline = time.monotonic() + 90
    while BankJobRun.objects.get(pk=proposal.run_id).state != RunState.DONE:
        assert time.monotonic() < deadline, BankJobRun.objects.get(pk=proposal.run_id).error
        time.sleep(0.3)
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.counts["sent"] == 3
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    mine = {books["approved"], books["core"], books["b2b"]}
    written = payments(bob, [e2e[entry] for entry in mine])
    assert {row["Status__c"] for row in written.values()} == {"Pending"}
    status = client.get(f"/banking/runs/{proposal.run_id}/status").json()
    assert status["state"] == "done"


def test_batch_booking_follows_the_accounts_configuration(
    finance_admin, acme_bank, bob, books, local_bank
):
    account = next(a for a in acme_bank.accounts.all() if a.iban == "DE89370400440532013000")
    services.select_accounts(
        actor=finance_admin,
        connection=acme_bank,
        account_ids=[a.pk for a in acme_bank.accounts.all()],
        batch_booking_ids=[],
    )
    account.refresh_from_db()
    assert not account.batch_booking
    assert AuditEvent.objects.filter(action="bank_connection.accounts_selected").exists()
    proposal = prepare(finance_admin, acme_bank, bob)
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.parameters["batch_booking"] is False
    send_ours(finance_admin, proposal, books, bob)
    message_ids = [order["message_id"] for order in run.parameters["orders"].values()]
    ledger = Path(local_bank.log_path).parent / "bank" / "ledger.sqlite3"
    with ledger_store.connect(ledger) as db:
        batches = db.execute(
            "SELECT batch_reference FROM bookings WHERE message_id IN "
            f"({', '.join('?' * len(message_ids))})",
            message_ids,
        ).fetchall()
    # One booking per transaction, none of them a batch.
    assert len(batches) == 3
    assert {row[0] for row in batches} == {None}


def test_the_daily_retrieval_applies_status_reports_before_it_settles(
    finance_admin, acme_bank, bob, books, local_bank, local_salesforce
):
    proposal = prepare(finance_admin, acme_bank, bob)
    send_ours(finance_admin, proposal, books, bob)
    e2e = {t.entry_id: t.end_to_end_id for o in proposal.orders for t in o.transactions}
    _reject_at_the_bank(local_bank, e2e[books["core"]], Decimal("120.50"))
    authorize_jobs(finance_admin, local_salesforce)
    services.save_schedule(
        actor=finance_admin,
        connection=acme_bank,
        values={"retrieve_at": clock(0, 0), "kind": "camt.053", "days_back": 1},
    )
    queued: list[int] = []
    assert jobs.start_due_retrievals(now=now(), enqueue=queued.append) == 1
    jobs.run_retrieval(queued[0])  # the worker's part, in this process

    run = BankJobRun.objects.get(pk=queued[0])
    assert run.state == RunState.DONE, run.error
    assert run.parameters["apply_status_reports"] is True
    assert run.counts["rejected"] == 1
    rows = payments(bob, [e2e[books["core"]], e2e[books["b2b"]]])
    assert rows[e2e[books["core"]]]["Status__c"] == "Rejected"
    assert rows[e2e[books["b2b"]]]["Status__c"] == "Pending"


def test_a_bank_without_status_reports_leaves_the_retrieval_done_with_a_note(
    finance_admin, acme_bank, bob, local_salesforce, monkeypatch
):
    authorize_jobs(finance_admin, local_salesforce)

    def refused(**kwargs):
        raise services.BankRefused(
            "The bank answered 090003: the subscriber may not use this order.",
            code="090003",
            advice="Ask the bank to enable payment status reports (pain.002).",
        )

    monkeypatch.setattr(payment_runs, "apply_status_reports", refused)
    today = now().date()
    run = jobs.start_retrieval(
        actor=finance_admin,
        connection=acme_bank,
        kind="camt.053",
        start=today - timedelta(days=1),
        end=today,
        enqueue=lambda run_id: None,
        apply_status_reports=True,
    )
    jobs.run_retrieval(run.pk)

    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert run.error.startswith("Status reports were not applied: The bank answered 090003")
    assert "enable payment status reports" in run.error
    assert run.counts["rejected"] == 0


def test_on_ebics_2_5_a_lost_answer_is_settled_from_the_ptk_protocol(
    finance_admin, bob, books, local_bank
):
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    connection = onboard(finance_admin, local_bank, "H004", partner_id="ACME", user_id="ALICE")
    proposal = prepare(finance_admin, connection, bob)
    uploads_before = len(bank_uploads(local_bank))
    control(
        local_bank,
        "POST",
        "failures",
        json={"drop_connection": {"order_type": "CCT", "phase": "transfer", "times": 1}},
    )
    sent = send_ours(finance_admin, proposal, books, bob)
    assert {state for _, state, _ in sent.orders} == {payment_runs.ACCEPTED}
    assert bank_uploads(local_bank)[uploads_before:] == [
        ("CCT", "000000"),
        ("CDD", "000000"),
        ("CDB", "000000"),
    ]
    traced = AuditEvent.objects.get(action="payment_run.order_traced")
    assert traced.changes["state"] == payment_runs.ACCEPTED


def test_orders_at_the_bank_without_their_payments_block_new_runs_until_recorded(
    client, finance_admin, acme_bank, bob, books, local_salesforce
):
    proposal = prepare(finance_admin, acme_bank, bob)
    # The bank takes every file; then Salesforce is down while the Payments are written.
    arm_failures(local_salesforce, "unavailable", 100)
    try:
        with pytest.raises(SalesforceError):
            send_ours(finance_admin, proposal, books, bob)
    finally:
        requests.delete(f"{local_salesforce.url}/_standin/failures", timeout=10)
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.state == RunState.FAILED
    assert run.parameters["orders"]["pain.001"]["state"] == payment_runs.ACCEPTED
    assert payment_runs.unrecorded_runs(acme_bank) == [run]

    # Another run would pay the same entries again: it is refused until this one is recorded.
    with pytest.raises(payment_runs.PaymentRunRefused, match=f"Payment run {run.pk} has orders"):
        prepare(finance_admin, acme_bank, bob)

    # The proposal outlived the first attempt: sending again records the Payments only.
    again = payment_runs.send_payment_run(
        actor=finance_admin, run_id=run.pk, excluded_entry_ids=set(), salesforce=bob, now=now()
    )
    assert again.payments_written == 3
    assert payment_runs.unrecorded_runs(acme_bank) == []
    assert AuditEvent.objects.filter(action="payment_run.order_sent").count() == 3
    prepare(finance_admin, acme_bank, bob)


def test_when_the_proposal_is_gone_the_admin_records_the_payments_by_hand(
    client, finance_admin, acme_bank, bob, books, local_salesforce
):
    proposal = prepare(finance_admin, acme_bank, bob)
    arm_failures(local_salesforce, "unavailable", 100)
    try:
        with pytest.raises(SalesforceError):
            send_ours(finance_admin, proposal, books, bob)
    finally:
        requests.delete(f"{local_salesforce.url}/_standin/failures", timeout=10)
    run = BankJobRun.objects.get(pk=proposal.run_id)
    cache.delete(f"payment-run:{run.job_id}:proposal")  # as if it had expired

    with pytest.raises(payment_runs.ProposalExpired, match="may be at the bank"):
        send_ours(finance_admin, proposal, books, bob)
    client.force_login(finance_admin)
    page = client.get(f"/banking/payment-runs/{run.pk}/").content.decode()
    assert "The Payments are recorded" in page
    assert "Read what is due again" not in page
    response = client.post(f"/banking/payment-runs/{run.pk}/recorded-by-hand/")
    assert response.status_code == 302

    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert AuditEvent.objects.filter(action="payment_run.recorded_by_hand").count() == 1
    assert payment_runs.unrecorded_runs(acme_bank) == []
    prepare(finance_admin, acme_bank, bob)
    with pytest.raises(payment_runs.PaymentRunRefused, match="Nothing of this run"):
        payment_runs.mark_payments_recorded(actor=finance_admin, run_id=run.pk, now=now())
