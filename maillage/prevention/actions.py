"""Writes of the prevention mission: a campaign created or edited (version check), an action
planned within it, its results recorded. One transaction and one audit entry each; a refusal raises
`PreventionError` with a French message before anything is written."""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.french import grouped, plural
from maillage.directory.models import Professional, Structure
from maillage.indicators.registry import Mission
from maillage.prevention import agenda
from maillage.prevention.models import Campaign, Event, EventKind, Participation, Theme

TITLE_MAX, TARGET_MAX, NOTE_MAX, OBJECTIVE_MAX = 200, 200, 300, 2000
PLACE_MAX, TEXT_MAX = 200, 1000
TARGET_SIZE_MAX = 10_000_000
COUNT_MAX = 1_000_000  # people reached, tests, vaccinations at one action
BUDGET_MAX = Decimal("99999999.99")
HOURS_MAX = Decimal(24)  # a professional's time at one action
PARTICIPANTS_MAX = 8  # the results form's rows
MAX_DAYS = 3 * 366  # a campaign lasts three years at most


class PreventionError(Exception):
    """A write refused for a reason the user can act on; the message is French, shown as is."""


def require(condition, message: str) -> None:
    if not condition:
        raise PreventionError(message)


@dataclass
class CampaignDraft:
    theme: str
    title: str
    objective: str
    starts_on: date
    ends_on: date
    target: str = ""
    target_size: int | None = None
    target_note: str = ""
    fiche: object = None  # a projet.FicheAction
    partners: list = field(default_factory=list)  # directory.Partner
    structures: list = field(default_factory=list)  # directory.Structure
    budget: Decimal | None = None


def _text(value, limit: int, what: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    require(text or not required, f"Indiquez {what}.")
    require(len(text) <= limit, f"Le texte « {what.split(' ', 1)[-1]} » est trop long ({limit} caractères au plus).")
    return text


def _check_campaign(cpts, draft: CampaignDraft) -> dict:
    require(draft.theme in Theme.values, "Choisissez le thème de la campagne.")
    title = _text(draft.title, TITLE_MAX, "l'intitulé de la campagne", required=True)
    objective = _text(draft.objective, OBJECTIVE_MAX, "l'objectif de la campagne", required=True)
    target = _text(draft.target, TARGET_MAX, "la population cible")
    note = _text(draft.target_note, NOTE_MAX, "la source de la taille de la population cible")
    require(isinstance(draft.starts_on, date), "Indiquez la date de début de la campagne.")
    require(isinstance(draft.ends_on, date), "Indiquez la date de fin de la campagne.")
    for day in (draft.starts_on, draft.ends_on):
        require(MIN_YEAR <= day.year <= MAX_YEAR, f"Les dates de la campagne sont entre {MIN_YEAR} et {MAX_YEAR}.")
    require(draft.ends_on >= draft.starts_on, "La fin de la campagne est avant son début.")
    require((draft.ends_on - draft.starts_on).days <= MAX_DAYS, "Une campagne dure trois ans au plus.")
    size = draft.target_size
    if size is not None:
        require(
            0 < size <= TARGET_SIZE_MAX,
            f"La taille de la population cible est entre 1 et {grouped(TARGET_SIZE_MAX)} "
            "(laissez vide pour toute la population du territoire).",
        )
        require(
            target, "Décrivez la population cible dont vous indiquez la taille (par exemple « femmes de 50 à 74 ans »)."
        )
        require(note, "Indiquez d'où vient la taille de la population cible (par exemple « Insee 2021 »).")
    budget = draft.budget
    require(
        budget is None or Decimal(0) <= budget <= BUDGET_MAX,
        f"Le budget est entre 0 et {grouped(int(BUDGET_MAX))} € (laissez vide si la campagne n'en a pas).",
    )
    fiche = draft.fiche
    if fiche is not None:
        require(
            fiche.projet.cpts_id == cpts.pk,
            "Cette fiche-action n'est pas celle du projet de santé de votre CPTS.",
        )
        require(
            fiche.mission == Mission.PREVENTION,
            f"La fiche-action « {fiche.title} » relève d'une autre mission ({fiche.get_mission_display()}) : "
            "choisissez une fiche-action de la mission prévention.",
        )
    partners = list(dict.fromkeys(draft.partners or []))
    require(all(p.cpts_id == cpts.pk for p in partners), "Choisissez les partenaires parmi ceux de votre CPTS.")
    structures = list(dict.fromkeys(draft.structures or []))
    if structures:
        on_territory = set(
            Structure.objects.filter(pk__in=[s.pk for s in structures], commune__cpts_links__cpts=cpts).values_list(
                "pk", flat=True
            )
        )
        require(
            all(s.pk in on_territory for s in structures),
            "Choisissez les établissements parmi ceux du territoire de la CPTS.",
        )
    return {
        "fields": {
            "theme": draft.theme,
            "title": title,
            "objective": objective,
            "target": target,
            "target_size": size,
            "target_note": note,
            "starts_on": draft.starts_on,
            "ends_on": draft.ends_on,
            "fiche": fiche,
            "budget": budget,
        },
        "partners": partners,
        "structures": structures,
    }


def _campaign_details(campaign: Campaign) -> dict:
    return {
        "thème": campaign.get_theme_display(),
        "début": campaign.starts_on.isoformat(),
        "fin": campaign.ends_on.isoformat(),
    }


def create_campaign(cpts, draft: CampaignDraft, actor) -> Campaign:
    checked = _check_campaign(cpts, draft)
    with transaction.atomic():
        campaign = Campaign.objects.create(cpts=cpts, created_by=audit.user_or_none(actor), **checked["fields"])
        campaign.partners.set(checked["partners"])
        campaign.structures.set(checked["structures"])
        audit.record(
            "prevention.campaign.created",
            actor=actor,
            cpts=cpts,
            obj=campaign,
            details=_campaign_details(campaign),
        )
    return campaign


def edit_campaign(campaign: Campaign, draft: CampaignDraft, actor, *, expected_version=None) -> Campaign:
    checked = _check_campaign(campaign.cpts, draft)
    fields = checked["fields"]
    with transaction.atomic():
        versioning.check_and_bump(campaign, expected_version)
        outside = campaign.events.exclude(day__gte=fields["starts_on"], day__lte=fields["ends_on"]).count()
        require(
            not outside,
            f"{plural(outside, 'action de la campagne est', 'actions de la campagne sont')} en dehors de la "
            "nouvelle période : déplacez-les ou gardez une période qui les contient.",
        )
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=list(fields))
        campaign.partners.set(checked["partners"])
        campaign.structures.set(checked["structures"])
        audit.record(
            "prevention.campaign.edited",
            actor=actor,
            cpts=campaign.cpts,
            obj=campaign,
            details=_campaign_details(campaign),
        )
        agenda.changed(campaign.cpts)
    return campaign


@dataclass
class EventDraft:
    kind: str
    day: date
    place: str
    starts_at: time | None = None
    ends_at: time | None = None
    description: str = ""
    public: bool = True


def _check_event(campaign: Campaign, draft: EventDraft) -> dict:
    require(draft.kind in EventKind.values, "Choisissez le type d'action.")
    require(isinstance(draft.day, date), "Indiquez la date de l'action.")
    require(
        campaign.starts_on <= draft.day <= campaign.ends_on,
        f"L'action du {draft.day:%d/%m/%Y} est en dehors de la période de la campagne "
        f"(du {campaign.starts_on:%d/%m/%Y} au {campaign.ends_on:%d/%m/%Y}) : rien n'a été enregistré.",
    )
    place = _text(draft.place, PLACE_MAX, "le lieu de l'action", required=True)
    description = _text(draft.description, TEXT_MAX, "la présentation")
    require(draft.ends_at is None or draft.starts_at is not None, "Indiquez l'heure de début avant celle de fin.")
    require(draft.ends_at is None or draft.ends_at > draft.starts_at, "L'heure de fin de l'action est avant son début.")
    return {
        "kind": draft.kind,
        "day": draft.day,
        "place": place,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "description": description,
        "public": bool(draft.public),
    }


def plan_event(campaign: Campaign, draft: EventDraft, actor) -> Event:
    fields = _check_event(campaign, draft)
    with transaction.atomic():
        # The campaign's period is read locked: an edit of it cannot leave this action outside.
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        fields = _check_event(locked, draft)
        event = Event.objects.create(cpts_id=locked.cpts_id, campaign=locked, **fields)
        audit.record(
            "prevention.event.planned",
            actor=actor,
            cpts=locked.cpts,
            obj=event,
            details={"campagne": locked.title, "type": event.get_kind_display(), "date": event.day.isoformat()},
        )
        agenda.changed(locked.cpts)
    return event


@dataclass
class Results:
    people_reached: int
    tests_distributed: int = 0
    vaccinations: int = 0
    material: str = ""
    participants: list[tuple[Professional, Decimal]] = field(default_factory=list)


def territory_professionals(cpts):
    """The directory's professionals who may take part in the CPTS's actions: an active site on
    the territory, or an entry of the CPTS's directory (as the pathways' care teams)."""
    return Professional.objects.filter(
        Q(activities__active=True, activities__commune__cpts_links__cpts=cpts) | Q(directory_entries__cpts=cpts),
        active=True,
    ).distinct()


def _check_results(event: Event, results: Results, today: date) -> dict:
    require(event.day <= today, "Les résultats d'une action se saisissent le jour de l'action ou après.")
    for value, what in (
        (results.people_reached, "Le nombre de personnes touchées"),
        (results.tests_distributed, "Le nombre de tests remis"),
        (results.vaccinations, "Le nombre de vaccinations"),
    ):
        require(isinstance(value, int) and not isinstance(value, bool), f"{what} est un nombre entier.")
        require(0 <= value <= COUNT_MAX, f"{what} est entre 0 et {grouped(COUNT_MAX)}.")
    material = _text(results.material, TEXT_MAX, "le matériel utilisé")
    participants = list(results.participants or [])
    require(len(participants) <= PARTICIPANTS_MAX, f"Une action compte {PARTICIPANTS_MAX} professionnels au plus.")
    ids = [professional.pk for professional, _hours in participants]
    require(len(set(ids)) == len(ids), "Un professionnel est indiqué deux fois : indiquez son temps une seule fois.")
    for professional, hours in participants:
        require(
            isinstance(hours, Decimal) and Decimal(0) < hours <= HOURS_MAX,
            f"Le temps passé par {professional.full_name} est entre 0 et {HOURS_MAX} heures.",
        )
        require(hours == hours.quantize(Decimal("0.01")), "Le temps passé s'indique au centième d'heure près.")
    if ids:
        known = set(territory_professionals(event.cpts).filter(pk__in=ids).values_list("pk", flat=True))
        unknown = [p.full_name for p, _h in participants if p.pk not in known]
        require(not unknown, f"{unknown[0] if unknown else ''} n'exerce pas sur le territoire de la CPTS.")
    return {
        "people_reached": results.people_reached,
        "tests_distributed": results.tests_distributed,
        "vaccinations": results.vaccinations,
        "material": material,
    }


def record_results(event: Event, results: Results, actor, *, expected_version=None, today=None) -> Event:
    """The results of an action (again to correct them): counts, material, who took part and their
    time (replacing what was recorded)."""
    today = today or timezone.localdate()
    fields = _check_results(event, results, today)
    with transaction.atomic():
        versioning.check_and_bump(event, expected_version)
        for name, value in fields.items():
            setattr(event, name, value)
        event.results_at = timezone.now()
        event.save(update_fields=[*fields, "results_at"])
        event.participations.all().delete()
        Participation.objects.bulk_create(
            Participation(event=event, professional=professional, hours=hours)
            for professional, hours in results.participants
        )
        audit.record(
            "prevention.event.results_recorded",
            actor=actor,
            cpts=event.cpts,
            obj=event,
            details={
                "personnes": event.people_reached,
                "tests": event.tests_distributed,
                "vaccinations": event.vaccinations,
                "professionnels": len(results.participants),
            },
        )
    return event
