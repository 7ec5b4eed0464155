"""Issue 17 — writes of the crisis plan. Each is one transaction with one audit entry; each
checks and bumps the plan's version (`expected_version`: the version the form was read at, None
when no form is behind the write — the demo), so that two people editing the plan never
overwrite each other silently.

Adopting the plan (`adopt`) dates the lifecycle's « Démarrage : crises sanitaires » through the
lifecycle's own action (maillage/lifecycle/actions.py `date_milestone`): the avenant 2 asks the
plan within 6 months of the ACI's signature, and the milestone is that start. One source of truth:
the milestone is written from the plan, never typed apart once a plan is adopted."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import CellMember, CrisisPlan, Exercise, PlanPartner, PlanRisk, Volunteer
from maillage.crisis.models.plan import RISKS
from maillage.directory.models import Listing, Professional, Structure
from maillage.indicators.registry import Mission

PARTS = {"cellule": CellMember, "volontaire": Volunteer, "partenaire": PlanPartner, "exercice": Exercise}
PART_LABELS = {"cellule": "membre de la cellule de crise", "volontaire": "volontaire",
               "partenaire": "partenaire", "exercice": "exercice"}  # fmt: skip


def plan_of(cpts) -> CrisisPlan:
    """The CPTS's plan (an unsaved, empty one when nothing was written yet)."""
    return CrisisPlan.objects.filter(cpts=cpts).select_related("fiche").first() or CrisisPlan(cpts=cpts)


def _locked(cpts, expected_version) -> CrisisPlan:
    """The plan, created if needed, its version checked and bumped (inside the caller's transaction)."""
    plan, _ = CrisisPlan.objects.get_or_create(cpts=cpts)
    versioning.check_and_bump(plan, expected_version)
    return plan


def fiche_problems(cpts, fiche) -> list[str]:
    """A plan may name the projet de santé's fiche-action it serves: one of this CPTS's, of the
    crisis mission."""
    if fiche is None:
        return []
    if fiche.projet.cpts_id != cpts.pk:
        return ["Cette fiche-action appartient au projet de santé d'une autre CPTS."]
    if fiche.mission != Mission.CRISIS:
        return [f"La fiche-action « {fiche.title} » ne relève pas de la mission crises sanitaires."]
    return []


@dataclass
class PlanDraft:
    organisation: str = ""
    fiche: object = None
    risks: dict[str, str] = field(default_factory=dict)  # {risk kind: notes}


def save_plan(cpts, draft: PlanDraft, actor, *, expected_version=None) -> CrisisPlan:
    """The plan's text, its fiche-action and the risks it covers (the set replaces the previous one)."""
    errors = fiche_problems(cpts, draft.fiche)
    unknown = set(draft.risks) - {value for value, _ in RISKS}
    if unknown:
        errors.append("Risque inconnu : choisissez dans la liste.")
    if errors:
        raise CrisisError(errors)
    with transaction.atomic():
        plan = _locked(cpts, expected_version)
        plan.organisation = draft.organisation.strip()
        plan.fiche = draft.fiche
        plan.save(update_fields=["organisation", "fiche", "updated_at"])
        plan.risks.exclude(kind__in=list(draft.risks)).delete()
        for kind, notes in draft.risks.items():
            PlanRisk.objects.update_or_create(plan=plan, kind=kind, defaults={"notes": (notes or "").strip()})
        audit.record(
            "crisis.plan.saved", actor=actor, cpts=cpts, obj=plan,
            details={"risques": sorted(draft.risks), "fiche": draft.fiche.title if draft.fiche else ""},
        )  # fmt: skip
    return plan


def volunteer_problems(cpts, rpps: str, tasks: dict[str, bool]) -> tuple[Professional | None, list[str]]:
    rpps = "".join((rpps or "").split())
    professional = Professional.objects.filter(identifier=rpps).first() if rpps else None
    errors = []
    if professional is None:
        errors.append(f"Le numéro RPPS « {rpps[:20]} » n'est pas dans l'annuaire.")
    elif not Listing.objects.filter(cpts=cpts, professional=professional).exists():
        errors.append(f"{professional.first_name} {professional.last_name} n'exerce pas sur le territoire de la CPTS.")
    if not any(tasks.values()):
        errors.append("Indiquez pour quoi le professionnel se porte volontaire (vacciner, dépister…).")
    return professional, errors


def add_part(cpts, part: str, data: dict, actor, *, expected_version=None):
    """Adds a row to one of the plan's lists: « cellule » (name, function, phones, email),
    « volontaire » (rpps, and the tasks as booleans), « partenaire » (kind, name, finess or
    partner, contact), « exercice » (held_on, scenario, lessons)."""
    errors, values = _checked(cpts, part, data)
    if errors:
        raise CrisisError(errors)
    with transaction.atomic():
        plan = _locked(cpts, expected_version)
        if part == "volontaire" and plan.volunteers.filter(professional=values["professional"]).exists():
            raise CrisisError("Ce professionnel est déjà dans la liste des volontaires : retirez-le pour le modifier.")
        row = PARTS[part].objects.create(plan=plan, **values)
        audit.record("crisis.plan.part_added", actor=actor, cpts=cpts, obj=plan,
                     details={"liste": PART_LABELS[part], "ligne": str(row)})  # fmt: skip
    return row


def _checked(cpts, part: str, data: dict) -> tuple[list[str], dict]:
    if part not in PARTS:
        return ["Cette liste n'existe pas dans le plan."], {}
    text = {key: (value or "").strip() if isinstance(value, str) else value for key, value in data.items()}
    if part == "cellule":
        errors = [] if text.get("name") else ["Indiquez le nom du membre de la cellule."]
        if not text.get("function"):
            errors.append("Indiquez sa fonction dans la cellule (par exemple : coordinatrice, médecin référent).")
        if not (text.get("phone_day") or text.get("phone_night") or text.get("email")):
            errors.append("Indiquez au moins un moyen de le joindre (téléphone de jour, de nuit ou courriel).")
        keys = ("name", "function", "phone_day", "phone_night", "email")
        return errors, {key: text.get(key) or "" for key in keys}
    if part == "volontaire":
        tasks = {name: bool(data.get(name)) for name in Volunteer.TASKS}
        professional, errors = volunteer_problems(cpts, text.get("rpps", ""), tasks)
        return errors, {"professional": professional, **tasks}
    if part == "partenaire":
        return _partner(cpts, text)
    errors = [] if text.get("held_on") else ["Indiquez la date de l'exercice."]
    if text.get("held_on") and text["held_on"] > timezone.localdate():
        errors.append("Un exercice se note une fois tenu : sa date est dans le futur.")
    if not text.get("scenario"):
        errors.append("Décrivez le scénario de l'exercice.")
    return errors, {"held_on": text.get("held_on"), "scenario": text.get("scenario") or "",
                    "lessons": text.get("lessons") or ""}  # fmt: skip


def _partner(cpts, text: dict) -> tuple[list[str], dict]:
    errors = []
    if text.get("kind") not in PlanPartner.Kind.values:
        errors.append("Choisissez le type de partenaire (hôpital, commune, préfecture, ARS, autre).")
    structure, partner = None, text.get("partner")
    finess = "".join((text.get("finess") or "").split())
    if finess:
        structure = Structure.objects.filter(finess_et=finess).first()
        if structure is None:
            errors.append(f"Le FINESS « {finess[:20]} » n'est pas dans l'annuaire des établissements.")
    if partner is not None and partner.cpts_id != cpts.pk:
        errors.append("Ce partenaire n'est pas dans l'annuaire de la CPTS.")
    name = text.get("name") or (structure.short_name if structure else "") or (partner.name if partner else "")
    if not name:
        errors.append("Indiquez le nom du partenaire, ou choisissez-le dans l'annuaire.")
    return errors, {"kind": text.get("kind"), "structure": structure, "partner": partner, "name": name[:250],
                    "contact": text.get("contact") or ""}  # fmt: skip


def remove_part(cpts, part: str, pk: int, actor, *, expected_version=None) -> None:
    if part not in PARTS:
        raise CrisisError("Cette liste n'existe pas dans le plan.")
    with transaction.atomic():
        plan = _locked(cpts, expected_version)
        row = PARTS[part].objects.filter(plan=plan, pk=pk).first()
        if row is None:
            raise CrisisError("Cette ligne n'est plus dans le plan.")
        label = str(row)
        row.delete()
        audit.record("crisis.plan.part_removed", actor=actor, cpts=cpts, obj=plan,
                     details={"liste": PART_LABELS[part], "ligne": label})  # fmt: skip


def adopt(cpts, written_on: date, actor, *, expected_version=None, today: date | None = None) -> CrisisPlan:
    """The plan is written: its date, and the lifecycle's « Démarrage : crises sanitaires » dated from
    it through the lifecycle's action, in the same transaction (its refusals refuse the adoption).
    Before the ACI is signed there is no mission to start: the plan keeps its date, and the milestone
    is dated from it when the plan is adopted again after the signature (a plan written before the
    signature starts the mission on the signature's day)."""
    from maillage.lifecycle.actions import LifecycleError, date_milestone
    from maillage.lifecycle.milestones import Kind
    from maillage.lifecycle.timeline import aci_signed_on

    today = today or timezone.localdate()
    if written_on is None:
        raise CrisisError("Indiquez la date d'adoption du plan.")
    if written_on > today:
        raise CrisisError("Le plan s'adopte une fois rédigé : la date est dans le futur.")
    with transaction.atomic():
        plan = _locked(cpts, expected_version)
        missing = []
        if not plan.risks.exists():
            missing.append("les risques couverts")
        if not plan.cell.exists():
            missing.append("la cellule de crise")
        if missing:
            raise CrisisError(f"Avant d'adopter le plan, complétez {' et '.join(missing)}.")
        plan.written_on = written_on
        plan.save(update_fields=["written_on", "updated_at"])
        signed = aci_signed_on(cpts)
        details = {"adopté le": written_on.isoformat()}
        if signed is not None:
            start = max(written_on, signed)
            try:
                date_milestone(cpts, Kind.START_CRISIS, start, actor=actor, today=today)
            except LifecycleError as exc:
                raise CrisisError(exc.messages) from None
            details["jalon"] = f"{Kind.START_CRISIS.label} : {start.isoformat()}"
        audit.record("crisis.plan.adopted", actor=actor, cpts=cpts, obj=plan, details=details)
    return plan
