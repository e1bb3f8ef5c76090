"""Matching configurations: configuration only, per tenant, applied by priority."""

from decimal import Decimal

from django.db import models

from portal.models import Tenant
from settlement.matching import Template


class MatchingConfiguration(models.Model):
    """How a tenant's statement items find their open items (see settlement.matching)."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="matching_configurations"
    )
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    # Lower numbers are tried first.
    priority = models.PositiveIntegerField(default=100)
    template = models.CharField(
        max_length=60,
        choices=[
            (template.value, template.value.replace("_", " ").capitalize()) for template in Template
        ],
        default=Template.STANDARD.value,
    )
    reference_patterns = models.JSONField(default=list, blank=True)
    custom_field = models.CharField(max_length=80, blank=True)
    amount_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0)
    )
    amount_tolerance_absolute = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0)
    )
    auto_threshold = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.970"))
    suggest_threshold = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.750")
    )
    allow_auto = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="matching_configuration_name")
        ]

    def __str__(self) -> str:
        return self.name
