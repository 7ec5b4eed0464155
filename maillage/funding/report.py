"""A contract year as the pages, the API and the downloads show it: the computation with the
year's indicator values, and the projection with the latest values known."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from maillage.funding import engine
from maillage.funding.models import Contract
from maillage.funding.terms import terms_of
from maillage.indicators import values as indicator_values


class YearError(ValueError):
    """A year the contract cannot be computed for; the message is French."""


@dataclass(frozen=True)
class YearReport:
    contract: Contract
    year: int
    result: engine.YearResult
    projection: engine.YearResult
    crisis: object | None  # the first crisis the ARS recognised that year (maillage.crisis), or None
    # {code: year of the value the projection used}, for the codes it found a value for
    projected_from: dict[str, int]

    @property
    def rule_set(self):
        return self.contract.rule_set


def parse_year(text, contract: Contract) -> int:
    if not str(text).strip():
        raise YearError("Indiquez l'année du contrat, par exemple year=2026.")
    text = str(text).strip()
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise YearError(f"Année « {text[:40]} » illisible : indiquez une année sur quatre chiffres (ex. 2026).")
    year = int(text)
    first = contract.signed_on.year
    last = contract.ends_on.year if contract.ends_on else timezone.localdate().year + 1
    if not first <= year <= last:
        raise YearError(f"Le contrat couvre les années {first} à {last} : l'année {year} n'en fait pas partie.")
    return year


def latest_values(cpts, year: int, since: int, codes) -> tuple[dict[str, Decimal | None], dict[str, int]]:
    """For each code, its value of `year` or, if missing, of the latest earlier year (down to `since`)."""
    found: dict[str, Decimal | None] = dict.fromkeys(codes)
    origin: dict[str, int] = {}
    for each in range(year, since - 1, -1):
        missing = [code for code in codes if found[code] is None]
        if not missing:
            break
        kept = indicator_values.for_year(cpts, each)
        for code in missing:
            if kept.get(code) is not None:
                found[code], origin[code] = kept[code], each
    return found, origin


def build(contract: Contract, year: int) -> YearReport:
    terms = terms_of(contract)
    from maillage.crisis.queries import recognised_in

    # One source of truth: the crises declared or recognised by the ARS (maillage/crisis).
    crisis = recognised_in(contract.cpts, year).first()
    values = indicator_values.for_year(contract.cpts, year)
    try:
        result = engine.compute_year(terms, year, values, crisis=crisis is not None)
    except engine.NotInForce:
        raise YearError(f"Le contrat ne couvre aucun jour de l'année {year}.") from None
    codes = [i.code for i in terms.indicators]
    latest, origin = latest_values(contract.cpts, year, contract.signed_on.year, codes)
    projection = engine.compute_year(terms, year, latest, crisis=crisis is not None)
    return YearReport(contract, year, result, projection, crisis, origin)


def default_year(contract: Contract, today: date | None = None) -> int:
    today = today or timezone.localdate()
    year = max(today.year, contract.signed_on.year)
    return min(year, contract.ends_on.year) if contract.ends_on else year
