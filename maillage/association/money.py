"""Money of the association: amounts are stored in cents (integers) and shown the French way,
« 1 234,50 € » (a narrow no-break space groups the thousands, a comma before the cents, a no-break
space before the euro sign). Every part of the association app (fees, meeting allowances) shows
and reads its amounts through here."""

from decimal import ROUND_HALF_UP, Decimal

from maillage.core import bounds
from maillage.core.french import NARROW_NBSP

NBSP = "\u00a0"
# The largest amount a form of the association accepts (a regional federation's fee, a year of
# allowances): 1,000,000.00 €; a column of cents then fits any integer field.
MAX_CENTS = 100_000_000


def euros(cents: int | None) -> str:
    """123450 → « 1 234,50 € »; 0 → « 0,00 € »; None → « — » (no amount)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:,}".replace(",", NARROW_NBSP) + f",{rest:02d}{NBSP}€"


def figures(cents: int) -> str:
    """The amount without its sign, for a cell or a field: 123450 → « 1234,50 »."""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{units},{rest:02d}"


def parse_cents(text: str) -> int:
    """« 1 234,50 », « 1234.5 », « 50 € » → cents. ValueError with a French message for what is
    not an amount in euros, has more than two decimals, or exceeds `MAX_CENTS`."""
    value = bounds.decimal(str(text), max_digits=12, decimal_places=2)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"« {str(text).strip()[:40]} » : un montant a au plus deux décimales (les centimes).")
    cents = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if abs(cents) > MAX_CENTS:
        raise ValueError(f"« {str(text).strip()[:40]} » est trop grand : au plus {euros(MAX_CENTS)}.")
    return cents
