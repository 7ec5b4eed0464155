"""Amounts as French readers write them, and back."""

from decimal import Decimal

from maillage.core import bounds
from maillage.funding.engine import cents


def euros(amount: Decimal) -> str:
    """12345.6 → "12 345,60 €" (a narrow no-break space groups thousands, as in French print)."""
    text = f"{cents(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def number(amount: Decimal) -> str:
    """A bound of a tier table: 69.7 → "69,7", 51 → "51"."""
    text = format(amount.normalize(), "f")
    return text.replace(".", ",")


def parse(text: str, *, max_digits: int = 10, decimal_places: int = 2) -> Decimal:
    """ "12 345,50" or "12345.5" → Decimal; ValueError with a French message otherwise, and for a
    number too big for the database's column (an amount: 10 digits, 2 after the point)."""
    return bounds.decimal(text, max_digits=max_digits, decimal_places=decimal_places)
