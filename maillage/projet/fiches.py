"""Validation of fiches-actions and their indicators, shared by the forms and the actions.

Everything is checked before anything is written; messages are French and say what to fix.
An indicator row names a registry code, a code not registered yet (the registry grows with the
missions: such a code is kept as the coordinator typed it), or only a label (free text).
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from maillage.indicators import registry
from maillage.indicators.registry import Mission

CODE = re.compile(r"[a-z0-9][a-z0-9_.\-]*")
VALUE_FIELDS = {"baseline": "valeur initiale", "intermediate": "valeur intermédiaire", "target": "cible"}
PERCENT_UNITS = {"%", "pourcentage", "pour cent"}
MAX_VALUE = Decimal("9999999999.99")  # what the column holds (12 digits, 2 after the point)
TEXT_LIMITS = {"title": 200, "lead": 200}
FICHE_TEXTS = ["title", "objective", "needs", "actions", "lead", "partners", "means", "calendar"]


def is_percentage(unit: str) -> bool:
    return (unit or "").strip().lower() in PERCENT_UNITS


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors[name] = f"La {VALUE_FIELDS[name]} doit être un nombre (par exemple 42 ou 12,5)."
        return None
    if not number.is_finite():
        errors[name] = f"La {VALUE_FIELDS[name]} doit être un nombre (par exemple 42 ou 12,5)."
        return None
    if number < 0:
        errors[name] = f"La {VALUE_FIELDS[name]} ne peut pas être négative."
    elif number > MAX_VALUE:
        errors[name] = f"La {VALUE_FIELDS[name]} est trop grande."
    elif number.as_tuple().exponent < -2:
        errors[name] = f"La {VALUE_FIELDS[name]} a au plus deux décimales."
    return number


def clean_indicator(row: dict) -> dict:
    """The indicator as it will be stored, or ValidationError {field: message}."""
    errors: dict[str, str] = {}
    code = (row.get("code") or "").strip()
    label = (row.get("label") or "").strip()
    unit = (row.get("unit") or "").strip()
    if code and (len(code) > 80 or not CODE.fullmatch(code)):
        errors["code"] = (
            f"« {code[:40]} » n'est pas un code d'indicateur (lettres minuscules, chiffres, points, tirets) : "
            "laissez le code vide et écrivez l'indicateur en toutes lettres."
        )
    known = registry.REGISTRY.get(code)
    if known is not None:
        label = label or known.label
        unit = unit or known.unit
    if not label:
        errors["label"] = "Donnez l'intitulé de l'indicateur (ou un code du registre des indicateurs)."
    elif len(label) > 255:
        errors["label"] = "L'intitulé de l'indicateur dépasse 255 caractères."
    if len(unit) > 50:
        errors["unit"] = "L'unité dépasse 50 caractères."
    values = {name: _decimal(row.get(name), name, errors) for name in VALUE_FIELDS}
    if values["target"] is None and "target" not in errors:
        errors["target"] = "Indiquez la valeur cible de l'indicateur."
    if is_percentage(unit):
        for name, number in values.items():
            if number is not None and name not in errors and number > 100:
                errors[name] = f"Un pourcentage est compris entre 0 et 100 : {VALUE_FIELDS[name]} {number} refusée."
    if errors:
        raise ValidationError(errors)
    return {"code": code, "label": label, "unit": unit, **values}


def clean_fiche(data: dict) -> dict:
    errors: dict[str, str] = {}
    cleaned = {name: (data.get(name) or "").strip() for name in FICHE_TEXTS}
    mission = data.get("mission") or ""
    if mission not in Mission.values:
        errors["mission"] = "Choisissez la mission de la fiche-action dans la liste."
    if not cleaned["title"]:
        errors["title"] = "Donnez un intitulé à la fiche-action."
    if not cleaned["objective"]:
        errors["objective"] = "Décrivez l'objectif de la fiche-action."
    for name, limit in TEXT_LIMITS.items():
        if len(cleaned[name]) > limit:
            errors[name] = f"Ce texte dépasse {limit} caractères."
    if errors:
        raise ValidationError(errors)
    return {"mission": mission, **cleaned}


def clean_indicators(rows: list[dict]) -> list[dict]:
    """Every row checked; errors keyed « indicateur N : … » so a caller without a formset can show them."""
    cleaned, problems = [], []
    for number, row in enumerate(rows, start=1):
        try:
            cleaned.append(clean_indicator(row))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                problems.extend(f"Indicateur {number} : {message}" for message in messages)
    if problems:
        raise ValidationError(problems)
    return cleaned


INDICATOR_FIELDS = ["position", "code", "label", "unit", *VALUE_FIELDS]
