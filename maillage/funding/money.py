"""Amounts as French readers write them, and back."""

from decimal import Decimal, InvalidOperation

from maillage.funding.engine import cents


def euros(amount: Decimal) -> str:
    """12345.6 → "12 345,60 €" (a narrow no-break space groups thousands, as in French print)."""
    text = f"{cents(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def number(amount: Decimal) -> str:
    """A bound of a tier table: 69.7 → "69,7", 51 → "51"."""
    text = format(amount.normalize(), "f")
    return text.replace(".", ",")


def parse(text: str) -> Decimal:
    """ "12 345,50" or "12345.5" → Decimal; ValueError with a French message otherwise."""
    cleaned = "".join(text.replace("€", "").replace("%", "").split()).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {text.strip()} » n'est pas un nombre.") from None
    if not value.is_finite():
        raise ValueError(f"« {text.strip()} » n'est pas un nombre.")
    return value
