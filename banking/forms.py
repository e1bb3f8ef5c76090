from datetime import date, timedelta
from typing import Any

from django import forms

from banking.models import BankAccount, BankConnection, PaymentRunSchedule, RetrievalSchedule
from banking.services import (
    EDITABLE_FIELDS,
    MAXIMUM_LEAD_DAYS,
    PAYMENT_SCHEDULE_FIELDS,
    SCHEDULE_FIELDS,
    STATEMENT_KINDS,
)

# A backup password protects private keys against offline guessing: long, not complex.
MINIMUM_BACKUP_PASSWORD = 12


class BankConnectionForm(forms.ModelForm):
    bank_url = forms.URLField(
        assume_scheme="https",
        max_length=300,
        label="Bank URL (EBICS endpoint)",
        help_text="As in the bank's EBICS documentation, e.g. https://ebics.bank.example/ebics.",
    )

    class Meta:
        model = BankConnection
        fields = EDITABLE_FIELDS
        labels = {
            "host_id": "Host ID",
            "partner_id": "Partner ID (customer ID)",
            "user_id": "User ID (subscriber ID)",
            "ebics_version": "EBICS version",
            "expected_authentication_hash": "Bank's authentication key hash (X002), optional",
            "expected_encryption_hash": "Bank's encryption key hash (E002), optional",
        }
        help_texts = {
            "expected_authentication_hash": (
                "From the bank's letter, if you have it: 64 hex digits, spaces allowed."
            ),
        }


class VerifyBankKeysForm(forms.Form):
    authentication_hash = forms.CharField(
        label="Authentication key hash (X002) from the bank's letter", max_length=120
    )
    encryption_hash = forms.CharField(
        label="Encryption key hash (E002) from the bank's letter", max_length=120
    )


class RetrievalForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(kind, kind) for kind in STATEMENT_KINDS], initial="camt.053", label="Statement"
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    write_to_salesforce = forms.BooleanField(
        required=False, initial=True, label="Write the statements to Salesforce"
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = today - timedelta(days=7)
        self.fields["end"].initial = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The period starts after it ends.")
        if start and end and (end - start).days > 366:
            raise forms.ValidationError("Ask for at most a year at a time.")
        return cleaned


class BackupForm(forms.Form):
    prefix = "backup"
    password = forms.CharField(
        widget=forms.PasswordInput, min_length=MINIMUM_BACKUP_PASSWORD, label="Backup password"
    )
    password_again = forms.CharField(widget=forms.PasswordInput, label="The password again")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_again"):
            raise forms.ValidationError("The passwords differ.")
        return cleaned


class RestoreForm(forms.Form):
    prefix = "restore"
    backup = forms.FileField(label="Backup file")
    password = forms.CharField(widget=forms.PasswordInput, label="Backup password")


class PaymentOrderForm(forms.Form):
    payment_file = forms.FileField(label="Payment file (pain.001 or pain.008)")


class ScheduleForm(forms.ModelForm):
    prefix = "schedule"
    kind = forms.ChoiceField(choices=[(kind, kind) for kind in STATEMENT_KINDS], label="Statement")

    class Meta:
        model = RetrievalSchedule
        fields = SCHEDULE_FIELDS
        labels = {
            "is_active": "Retrieve every day",
            "retrieve_at": "At (UTC)",
            "days_back": "Days back",
            "apply_status_reports": "Apply payment status reports (pain.002)",
            "auto_settle": "Then settle the AUTO band",
        }
        widgets = {"retrieve_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


WEEKDAYS = [("1", "Mon"), ("2", "Tue"), ("3", "Wed"), ("4", "Thu"), ("5", "Fri")]


class PaymentScheduleForm(forms.ModelForm):
    prefix = "payments"
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, label="On"
    )
    lead_days = forms.IntegerField(
        min_value=0, max_value=MAXIMUM_LEAD_DAYS, initial=1, label="Execution after (business days)"
    )

    class Meta:
        model = PaymentRunSchedule
        fields = PAYMENT_SCHEDULE_FIELDS
        labels = {
            "is_active": "Prepare payment runs",
            "prepare_at": "At (UTC)",
            "account": "Account",
            "creditor_id": "SEPA creditor ID",
            "prefix": "End-to-end ID prefix",
        }
        widgets = {"prepare_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args: Any, connection: BankConnection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the connection's selected accounts with an IBAN may pay or collect.
        self.fields["account"].queryset = BankAccount.objects.filter(  # type: ignore[attr-defined]
            connection=connection, is_selected=True
        ).exclude(iban="")
        if self.instance.pk:
            self.initial["weekdays"] = sorted(str(day) for day in self.instance.iso_weekdays)
        else:
            self.initial.setdefault("weekdays", [day for day, _ in WEEKDAYS])

    def clean_weekdays(self) -> str:
        """As the model stores them: ISO weekdays, comma-separated."""
        return ",".join(sorted(self.cleaned_data["weekdays"]))
