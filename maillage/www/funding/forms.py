"""The contract form: the rule set and dates, one row per mission, the variable part's indicators
with their tier tables (one range a line: « de ; jusqu'à ; montant »). Amounts may be typed the
French way (12 345,50). The checks on the whole contract are the action's (validation.py)."""

import re
from datetime import date

from django import forms

from maillage.core import bounds
from maillage.core.versioning import VersionedForm, version_of
from maillage.funding.actions import ContractDraft
from maillage.funding.engine import IndicatorTerms, MissionTerms, Step
from maillage.funding.lines import MISSION_LINES, OPTIONAL, TIERS
from maillage.funding.models import Contract, RuleSet
from maillage.funding.money import number, parse
from maillage.indicators.registry import REGISTRY

BLANK_INDICATOR_ROWS = 3
# An ACI contract has a handful of variable-part indicators; the rows are numbered in the field
# names (ind<n>_code), so the number asked is read from the keys before any row is built.
MAX_INDICATOR_ROWS = 40
MAX_STEPS = 20  # ranges of one indicator's tier table
MAX_STEPS_TEXT = 2000
DIRECTIONS = [("higher", "plus la valeur est haute, mieux c'est"), ("lower", "plus la valeur est basse, mieux c'est")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Date invalide (jj/mm/aaaa)."}
IN_RANGE = [bounds.plausible_date]


def steps_text(steps) -> str:
    return "\n".join(
        f"{'' if s.lower is None else number(s.lower)} ; {'' if s.upper is None else number(s.upper)} ; "
        f"{number(s.amount)}"
        for s in steps
    )


def parse_steps(text: str) -> list[Step]:
    steps = []
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > MAX_STEPS:
        raise forms.ValidationError(f"{MAX_STEPS} tranches au plus par indicateur.")
    for index, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3:
            raise forms.ValidationError(
                f"Ligne {index} : écrivez « de ; jusqu'à ; montant » (une borne vide = sans limite)."
            )
        try:
            # The bounds' column holds 12 digits, 3 after the point (a rate, a count, a delay).
            lower, upper = (parse(p, max_digits=12, decimal_places=3) if p else None for p in parts[:2])
            amount = parse(parts[2])
        except ValueError as exc:
            raise forms.ValidationError(f"Ligne {index} : {exc}") from None
        steps.append(Step(lower, upper, amount))
    return steps


class ContractForm(VersionedForm, forms.Form):
    rule_set = forms.ModelChoiceField(RuleSet.objects.all(), label="Règlement", empty_label=None)
    signed_on = forms.DateField(
        label="Date de signature de l'ACI", widget=DATE, error_messages=DATE_ERRORS, validators=IN_RANGE
    )
    ends_on = forms.DateField(
        label="Date de fin (facultative)", required=False, widget=DATE, error_messages=DATE_ERRORS, validators=IN_RANGE
    )
    tier = forms.ChoiceField(label="Taille retenue", required=False)
    tier_reason = forms.CharField(
        label="Motif si la taille diffère de la taille calculée", required=False, max_length=255
    )

    def __init__(self, *args, cpts, contract: Contract | None = None, **kwargs):
        self.cpts = cpts
        computed = contract.population if contract else cpts.population()
        super().__init__(*args, version=version_of(contract), **kwargs)
        if contract is not None:
            self.initial.update(
                rule_set=contract.rule_set_id, signed_on=contract.signed_on, ends_on=contract.ends_on,
                tier=contract.tier if contract.tier_reason else "", tier_reason=contract.tier_reason,
            )  # fmt: skip
        else:
            self.initial.setdefault("rule_set", RuleSet.objects.order_by("-effective_on").first())
        tier_label = f"celle de la population à la signature ({computed:,} habitants)".replace(",", "\u202f")
        self.fields["tier"].choices = [("", tier_label), *[(t, f"taille {t[1]}") for t in TIERS]]
        self._mission_fields(contract)
        self._indicator_fields(contract)

    def _mission_fields(self, contract):
        existing = {m.mission: m for m in contract.missions.all()} if contract else {}
        self.mission_rows = []
        for line in MISSION_LINES:
            row = existing.get(line)
            optional = " (facultative)" if line in OPTIONAL else ""
            self.fields[f"{line}_in"] = forms.BooleanField(label=f"{line.label.capitalize()}{optional}", required=False)
            self.fields[f"{line}_start"] = forms.DateField(
                label=f"Début effectif — {line.label}",
                required=False,
                widget=DATE,
                error_messages=DATE_ERRORS,
                validators=IN_RANGE,
            )
            self.fields[f"{line}_fixed"] = forms.CharField(
                label=f"Part fixe — {line.label}", required=False, max_length=bounds.MAX_NUMBER_TEXT
            )
            self.fields[f"{line}_variable"] = forms.CharField(
                label=f"Part variable — {line.label}", required=False, max_length=bounds.MAX_NUMBER_TEXT
            )
            if row is not None:
                self.initial.update({
                    f"{line}_in": True, f"{line}_start": row.starts_on,
                    f"{line}_fixed": number(row.fixed), f"{line}_variable": number(row.variable),
                })  # fmt: skip
            self.mission_rows.append([self[f"{line}_{part}"] for part in ("in", "start", "fixed", "variable")])

    def _indicator_fields(self, contract):
        existing = list(contract.indicators.prefetch_related("steps")) if contract else []
        # At most DATA_UPLOAD_MAX_NUMBER_FIELDS keys: reading them is bounded; an index past the
        # maximum (ind20000_code) is refused here, before its rows would be built.
        posted = [m[1] for key in (self.data or {}) if (m := re.fullmatch(r"ind(\d+)_code", key))]
        asked = max((int(n) if len(n) <= 4 else MAX_INDICATOR_ROWS for n in posted), default=-1) + 1
        self.too_many_rows = asked > MAX_INDICATOR_ROWS
        count = max(len(existing) + BLANK_INDICATOR_ROWS, min(asked, MAX_INDICATOR_ROWS))
        named = sorted(((code, f"{i.label} ({code})") for code, i in REGISTRY.items()), key=lambda c: c[1])
        codes = [("", "—"), *named]
        missions = [(m.value, m.label) for m in MISSION_LINES]
        self.indicator_rows = []
        for n in range(count):
            self.fields[f"ind{n}_code"] = forms.ChoiceField(label=f"Indicateur {n + 1}", choices=codes, required=False)
            self.fields[f"ind{n}_mission"] = forms.ChoiceField(
                label=f"Mission de l'indicateur {n + 1}", choices=missions, required=False
            )
            self.fields[f"ind{n}_direction"] = forms.ChoiceField(
                label=f"Sens de l'indicateur {n + 1}", choices=DIRECTIONS, required=False
            )
            self.fields[f"ind{n}_steps"] = forms.CharField(
                label=f"Tranches de l'indicateur {n + 1} (de ; jusqu'à exclu ; montant)",
                required=False,
                max_length=MAX_STEPS_TEXT,
                widget=forms.Textarea(attrs={"rows": 4, "cols": 32}),
            )
            if n < len(existing):
                row = existing[n]
                self.initial.update({
                    f"ind{n}_code": row.code, f"ind{n}_mission": row.mission,
                    f"ind{n}_direction": "higher" if row.higher_is_better else "lower",
                    f"ind{n}_steps": steps_text(row.steps.all()),
                })  # fmt: skip
            self.indicator_rows.append([self[f"ind{n}_{part}"] for part in ("code", "mission", "direction", "steps")])

    def _amount(self, name: str):
        text = self.cleaned_data.get(name) or "0"
        try:
            return parse(text)
        except ValueError as exc:
            self.add_error(name, str(exc))
            return None

    def clean(self):
        data = super().clean()
        if self.too_many_rows:
            raise forms.ValidationError(
                f"Le contrat compte {MAX_INDICATOR_ROWS} indicateurs au plus : rien n'a été enregistré."
            )
        if data.get("tier") and not data.get("tier_reason", "").strip():
            self.add_error("tier_reason", "Indiquez pourquoi la taille retenue n'est pas celle de la population.")
        missions = []
        for line in MISSION_LINES:
            if not data.get(f"{line}_in"):
                continue
            start = data.get(f"{line}_start") or data.get("signed_on")
            fixed, variable = self._amount(f"{line}_fixed"), self._amount(f"{line}_variable")
            if isinstance(start, date) and fixed is not None and variable is not None:
                missions.append(MissionTerms(line.value, start, fixed, variable))
        indicators = []
        for n in range(len(self.indicator_rows)):
            code = data.get(f"ind{n}_code")
            if not code:
                continue
            if not data.get(f"ind{n}_mission"):
                self.add_error(f"ind{n}_mission", "Choisissez la mission de l'indicateur.")
                continue
            try:
                steps = parse_steps(data.get(f"ind{n}_steps", ""))
            except forms.ValidationError as exc:
                self.add_error(f"ind{n}_steps", exc)
                continue
            indicator = REGISTRY[code]
            higher = data.get(f"ind{n}_direction", "higher") != "lower"
            indicators.append(IndicatorTerms(code, data.get(f"ind{n}_mission"), higher, tuple(steps), indicator.label))
        self.missions, self.indicators = missions, indicators
        return data

    def draft(self) -> ContractDraft:
        data = self.cleaned_data
        return ContractDraft(
            rule_set=data["rule_set"],
            signed_on=data["signed_on"],
            ends_on=data.get("ends_on"),
            missions=self.missions,
            indicators=self.indicators,
            tier=data.get("tier", ""),
            tier_reason=data.get("tier_reason", ""),
        )
