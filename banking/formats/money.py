"""An amount of money: a ``Decimal`` with its currency, never a float."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Money:
    """A signed amount in one currency (ISO 4217 code, e.g. ``EUR``)."""

    amount: Decimal
    currency: str

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
