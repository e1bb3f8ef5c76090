from typing import Any

from django import forms

from settlement.models import MatchingConfiguration
from settlement.services import EDITABLE_FIELDS


class MatchingConfigurationForm(forms.ModelForm):
    reference_patterns = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Regular expressions, one per line, run over the remittance text. A group named "
            "document marks a document number, one named customer a customer number."
        ),
    )

    class Meta:
        model = MatchingConfiguration
        fields = EDITABLE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["reference_patterns"] = "\n".join(self.instance.reference_patterns)

    def clean_reference_patterns(self) -> list[str]:
        text: str = self.cleaned_data["reference_patterns"]
        return [line.strip() for line in text.splitlines() if line.strip()]
