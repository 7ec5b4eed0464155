"""Checks of a contract's terms before anything is written: every problem, in French.

Pure functions over the engine's dataclasses, so that the form, the admin and the demo share them.
"""

import itertools
from decimal import Decimal

from maillage.funding.engine import ZERO, ContractTerms, IndicatorTerms
from maillage.funding.lines import OPTIONAL, label
from maillage.funding.money import euros, number


def _bounds(step) -> str:
    low = "−∞" if step.lower is None else number(step.lower)
    high = "+∞" if step.upper is None else number(step.upper)
    return f"[{low} ; {high}["


def tier_table_errors(indicator: IndicatorTerms) -> list[str]:
    """Gaps, overlaps, empty ranges, and amounts that pay less for a better result."""
    name = f"Indicateur « {indicator.label or indicator.code} »"
    steps = list(indicator.steps)
    if not steps:
        return [f"{name} : indiquez au moins une tranche."]
    errors = []
    for step in steps:
        if step.amount < 0:
            errors.append(f"{name} : le montant d'une tranche ne peut pas être négatif.")
        if step.lower is not None and step.upper is not None and step.lower >= step.upper:
            errors.append(f"{name} : la tranche {_bounds(step)} est vide (le début doit être inférieur à la fin).")
    if errors:
        return errors
    steps.sort(key=lambda s: (s.lower is not None, s.lower or ZERO))
    for before, after in itertools.pairwise(steps):
        if before.upper is None or after.lower is None or after.lower < before.upper:
            errors.append(f"{name} : les tranches {_bounds(before)} et {_bounds(after)} se chevauchent.")
        elif after.lower > before.upper:
            errors.append(
                f"{name} : trou entre {number(before.upper)} et {number(after.lower)} "
                "(chaque tranche doit commencer où la précédente finit)."
            )
    if errors:
        return errors
    amounts = [s.amount for s in steps]
    if indicator.higher_is_better:
        if any(b > a for b, a in itertools.pairwise(amounts)) or steps[-1].upper is not None:
            errors.append(
                f"{name} : un meilleur résultat paierait moins. Plus la valeur est haute, plus le montant doit "
                "être élevé, et la dernière tranche doit être sans limite haute."
            )
    elif any(b < a for b, a in itertools.pairwise(amounts)) or steps[0].lower is not None:
        errors.append(
            f"{name} : un meilleur résultat paierait moins. Plus la valeur est basse, plus le montant doit "
            "être élevé, et la première tranche doit être sans limite basse."
        )
    return errors


def contract_errors(terms: ContractTerms, maxima: dict[str, Decimal], *, known_codes) -> list[str]:
    """`maxima`: the rule set's maximum per line for the contract's tier (fixed + variable)."""
    errors = []
    if terms.ends_on is not None and terms.ends_on < terms.signed_on:
        errors.append("La date de fin du contrat précède sa signature.")
    missions = {m.mission: m for m in terms.missions}
    for line in maxima:
        if line not in missions and line != "running" and line not in OPTIONAL:
            errors.append(f"La mission « {label(line)} » est obligatoire dans ce règlement : ajoutez-la.")
    for mission in terms.missions:
        name = label(mission.mission)
        if mission.mission not in maxima:
            errors.append(f"La mission « {name} » n'existe pas dans ce règlement.")
            continue
        if mission.fixed < 0 or mission.variable < 0:
            errors.append(f"{name.capitalize()} : les montants ne peuvent pas être négatifs.")
        elif mission.fixed + mission.variable > maxima[mission.mission]:
            errors.append(
                f"{name.capitalize()} : part fixe + part variable ({euros(mission.fixed + mission.variable)}) "
                f"dépasse le maximum du règlement pour la taille {terms.tier} ({euros(maxima[mission.mission])})."
            )
    errors += indicator_errors(terms, missions, known_codes)
    return errors


def indicator_errors(terms: ContractTerms, missions: dict, known_codes) -> list[str]:
    errors = []
    seen = set()
    for indicator in terms.indicators:
        if indicator.code not in known_codes:
            errors.append(f"Indicateur inconnu : « {indicator.code} ».")
            continue
        if indicator.code in seen:
            errors.append(f"L'indicateur « {indicator.label or indicator.code} » est indiqué deux fois.")
        seen.add(indicator.code)
        if indicator.mission == "crisis":
            errors.append("La part variable des crises sanitaires dépend d'une crise reconnue, pas d'un indicateur.")
        elif indicator.mission not in missions:
            errors.append(
                f"L'indicateur « {indicator.label or indicator.code} » compte pour la mission "
                f"« {label(indicator.mission)} », absente du contrat."
            )
        errors += tier_table_errors(indicator)
    for code, mission in missions.items():
        best = sum((i.best_amount for i in terms.indicators if i.mission == code), ZERO)
        if best > mission.variable:
            errors.append(
                f"{label(code).capitalize()} : les indicateurs peuvent rapporter jusqu'à {euros(best)}, "
                f"plus que la part variable de la mission ({euros(mission.variable)})."
            )
    return errors
