"""Checking a value entered by hand before anything is written: every mistake is found at once
and told in French, so that the form shows them all and nothing is saved half-way."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from maillage.indicators import registry
from maillage.indicators.chart import number_text as french
from maillage.indicators.periods import Period, PeriodError
from maillage.indicators.registry import Indicator, Kind

EXAMPLE_SOURCE = "CPAM des Hauts-de-Seine, tableau de bord ACI"
MAX_DECIMALS = 4
TOO_LARGE = Decimal("1e12")
RATIO_STEP = Decimal("0.0001")


class EntryError(ValueError):
    """`errors` maps each field (code, period, value, numerator, denominator, source, source_date)
    to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass(frozen=True)
class Entry:
    indicator: Indicator
    period: Period
    value: int | float
    numerator: Decimal | None
    denominator: Decimal | None
    source: str
    source_date: date


def number(raw) -> Decimal | None:
    """A number as typed ("70,1", "70.1 %", "1 250") or given; None when empty. ValueError if not a
    number a person could mean."""
    if not number_given(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError("pas un nombre")
    text = raw if isinstance(raw, str) else str(raw)
    text = re.sub(r"[\s\u00a0\u202f%]", "", text).replace(",", ".").replace("−", "-")
    try:
        found = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"« {raw} » n'est pas un nombre.") from None
    if not found.is_finite():
        raise ValueError(f"« {raw} » n'est pas un nombre.")
    if abs(found) >= TOO_LARGE:
        raise ValueError(f"« {raw} » est trop grand.")
    if found.as_tuple().exponent < -MAX_DECIMALS:
        raise ValueError(f"« {raw} » a plus de {MAX_DECIMALS} décimales.")
    return found


def a_date(raw) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"Date de la source « {text} » illisible : attendu jj/mm/aaaa.")


def _in_range(indicator: Indicator, value: Decimal) -> str:
    low, high = indicator.minimum, indicator.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return ""
    if indicator.kind == Kind.PERCENTAGE:
        return f"Un pourcentage est compris entre {french(low)} et {french(high)} ({french(value)} saisi)."
    if indicator.kind == Kind.COUNT and value < 0:
        return f"Un effectif ne peut pas être négatif ({french(value)} saisi)."
    return f"La valeur doit être comprise {indicator.range_label()} ({french(value)} saisi)."


def _value(indicator: Indicator, raw, errors: dict) -> int | float | None:
    try:
        found = number(raw)
    except ValueError as exc:
        errors["value"] = str(exc)
        return None
    if found is None:
        errors["value"] = "Indiquez la valeur."
        return None
    if indicator.kind == Kind.COUNT and found != found.to_integral_value():
        errors["value"] = f"Un effectif est un nombre entier ({french(found)} saisi)."
        return None
    if problem := _in_range(indicator, found):
        errors["value"] = problem
        return None
    return int(found) if indicator.kind == Kind.COUNT else float(found)


def _ratio(indicator: Indicator, numerator, denominator, errors: dict):
    parts = {}
    for field, raw, name in (
        ("numerator", numerator, "le numérateur"),
        ("denominator", denominator, "le dénominateur"),
    ):
        try:
            parts[field] = number(raw)
        except ValueError as exc:
            errors[field] = str(exc)
            continue
        if parts[field] is None:
            errors[field] = f"Indiquez {name} ({getattr(indicator, field)})."
        elif parts[field] < 0:
            errors[field] = f"{name.capitalize()} ne peut pas être négatif."
    top, bottom = parts.get("numerator"), parts.get("denominator")
    if bottom == 0:
        errors["denominator"] = "Le dénominateur ne peut pas être nul : le ratio n'existerait pas."
    if errors.keys() & {"numerator", "denominator"}:
        return None, top, bottom
    # Rounded once, at the end: the numerator and the denominator are kept exact beside it.
    ratio = (top / bottom).quantize(RATIO_STEP, rounding=ROUND_HALF_UP)
    if problem := _in_range(indicator, ratio):
        errors["value"] = problem
        return None, top, bottom
    return float(ratio), top, bottom


def _period(raw, today: date, errors: dict) -> Period | None:
    try:
        period = raw if isinstance(raw, Period) else Period.parse(raw)
    except PeriodError as exc:
        errors["period"] = str(exc)
        return None
    if period.start > today:
        errors["period"] = f"La période « {period.label} » n'a pas encore commencé : saisissez une valeur constatée."
        return None
    return period


def _source(source, source_date, period, today, errors: dict) -> tuple[str, date | None]:
    source = " ".join((source or "").split())
    if not source:
        errors["source"] = f"Indiquez la source de la valeur (par exemple « {EXAMPLE_SOURCE} »)."
    elif len(source) > 200:
        errors["source"] = "La source tient en 200 caractères au plus."
    try:
        when = a_date(source_date)
    except ValueError as exc:
        errors["source_date"] = str(exc)
        return source, None
    if when is None:
        errors["source_date"] = "Indiquez la date de la source (celle du tableau de bord ou du document)."
    elif when > today:
        errors["source_date"] = "La date de la source ne peut pas être dans le futur."
    elif period is not None and when < period.start:
        errors["source_date"] = (
            "La source est datée d'avant le début de la période : elle ne peut pas en rendre compte."
        )
    return source, when


def check(code, period, *, value=None, numerator=None, denominator=None, source="", source_date=None, today=None):
    """The entry, checked; `EntryError` with every problem otherwise."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    try:
        indicator = registry.get((code or "").strip())
    except registry.UnknownIndicator as exc:
        raise EntryError({"code": str(exc)}) from None
    if not indicator.external:
        raise EntryError({"code": f"« {indicator.label} » est calculé par Maillage : il ne se saisit pas."})
    chosen = _period(period, today, errors)
    if indicator.kind == Kind.RATIO:
        if number_given(value):
            errors["value"] = "Pour un ratio, saisissez le numérateur et le dénominateur : la valeur en est déduite."
        found, top, bottom = _ratio(indicator, numerator, denominator, errors)
    else:
        if number_given(numerator) or number_given(denominator):
            errors["numerator"] = "Le numérateur et le dénominateur ne s'appliquent qu'à un ratio."
        found, top, bottom = _value(indicator, value, errors), None, None
    source, when = _source(source, source_date, chosen, today, errors)
    if errors:
        raise EntryError(errors)
    return Entry(indicator, chosen, found, top, bottom, source, when)


def number_given(raw) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())
