from django import forms

from portal.roles import Role


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use the key, e.g. 'ERP export'.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CLERK)


class FrameAncestorsForm(forms.Form):
    origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One https origin per line, e.g. https://portal.example.com",
    )

    def origin_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["origins"].splitlines() if line.strip()]
