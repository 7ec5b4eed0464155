"""Professionals who install on the territory: found in the directory after an import, or declared
by the coordination; welcomed (an email enqueued for the worker), followed until they join the
association or decline. One transaction and one audit entry per write; refusals raise `SupportError`.

Detection reads the activities the RPPS imports created since the CPTS's last scan
(`SupportSettings.scanned_until`): a new active activity on a commune of the territory, for a
professional who had no activity there before that scan, is a newcomer. The periodic job
(maillage/support/periodic.py) runs it for every CPTS after the nightly imports; the coordination
can run it for its CPTS at once. A CPTS never scanned is only given its starting point: the first
national load is not a wave of newcomers. A few queries per CPTS, whatever the directory's size."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from maillage.association.models import Member
from maillage.core import audit, mail
from maillage.core.models import log_transition
from maillage.directory.models import Activity
from maillage.support import SupportError, require, welcome
from maillage.support.models import NEWCOMER_MOVES, Newcomer, NewcomerStatus, NewcomerTransition, SupportSettings
from maillage.territory.models import Cpts

NAME_MAX, NOTE_MAX = 150, 255


def settings_of(cpts) -> SupportSettings:
    found, _ = SupportSettings.objects.get_or_create(cpts=cpts)
    return found


def detect(cpts, *, actor=None, until=None) -> list[Newcomer]:
    """The newcomers of `cpts` since its last scan (see the module's docstring); `until`: the scan's
    end (now by default)."""
    until = until or timezone.now()
    with transaction.atomic():
        setting = settings_of(cpts)
        setting = SupportSettings.objects.select_for_update().get(pk=setting.pk)
        since = setting.scanned_until
        setting.scanned_until = until
        setting.save(update_fields=["scanned_until"])
        if since is None or since >= until:
            return []
        codes = list(cpts.communes().values_list("code", flat=True))
        before = Activity.objects.filter(
            professional_id=OuterRef("professional_id"), commune_id__in=codes, created_at__lte=since
        )
        known = Newcomer.objects.filter(cpts=cpts, professional_id=OuterRef("professional_id"))
        fresh = (
            Activity.objects.active()
            .filter(commune_id__in=codes, created_at__gt=since, created_at__lte=until, professional__active=True)
            .exclude(Exists(before))
            .exclude(Exists(known))
            .select_related("professional")
            .order_by("professional_id", "created_at", "pk")
        )
        today = timezone.localdate(until)
        found: dict[int, Newcomer] = {}
        for activity in fresh:
            found.setdefault(activity.professional_id, from_activity(cpts, activity, today))
        created = Newcomer.objects.bulk_create(list(found.values()))
        NewcomerTransition.objects.bulk_create(
            NewcomerTransition(
                newcomer=n,
                source="",
                target=NewcomerStatus.DETECTED,
                author_label=audit.actor_label(actor),
                author=audit.user_or_none(actor),
                at=until,
            )
            for n in created
        )
        joined = _sync_joined(cpts, actor, until)
        if created or joined:
            audit.record(
                "support.newcomers.detected",
                actor=actor,
                cpts=cpts,
                details={"nouveaux": len(created), "adhesions": joined, "depuis": since.isoformat()},
            )
    return created


def from_activity(cpts, activity, today) -> Newcomer:
    """A newcomer (not saved) found by `activity`, a new site of a professional on the territory."""
    person = activity.professional
    return Newcomer(
        cpts=cpts,
        professional=person,
        activity=activity,
        last_name=person.last_name[:NAME_MAX] or person.identifier,
        first_name=person.first_name[:NAME_MAX],
        profession=person.profession_label[:NAME_MAX],
        commune_id=activity.commune_id,
        email=_email(activity.email),
        source=Newcomer.Source.DIRECTORY,
        detected_on=today,
        installed_on=timezone.localdate(activity.created_at),
    )


def detect_all(now=None) -> tuple[int, int]:
    """Every CPTS's scan (the periodic job): (CPTS scanned, newcomers found)."""
    now = now or timezone.now()
    scanned = found = 0
    for cpts in Cpts.objects.order_by("pk"):
        found += len(detect(cpts, until=now))
        scanned += 1
    return scanned, found


def _email(text: str) -> str:
    text = (text or "").strip()
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text[:254]


def _sync_joined(cpts, actor, now) -> int:
    """Newcomers who became members of the association meanwhile are marked « a adhéré »."""
    members = Member.objects.filter(cpts=cpts, professional_id=OuterRef("professional_id")).exclude(
        status=Member.Status.CANCELLED
    )
    waiting = list(
        Newcomer.objects.select_for_update()
        .filter(cpts=cpts, professional__isnull=False)
        .filter(status__in=[NewcomerStatus.DETECTED, NewcomerStatus.CONTACTED, NewcomerStatus.DECLINED])
        .filter(Exists(members))
    )
    for newcomer in waiting:
        _move(newcomer, NewcomerStatus.JOINED, actor, now, note="adhésion enregistrée par l'association")
    return len(waiting)


@dataclass
class Declared:
    last_name: str
    first_name: str
    profession: str
    commune_code: str
    email: str = ""
    installed_on: date | None = None


def declare(cpts, draft: Declared, actor, *, now=None) -> Newcomer:
    now = now or timezone.now()
    last, first = (draft.last_name or "").strip(), (draft.first_name or "").strip()
    profession = (draft.profession or "").strip()
    require(last, "Indiquez le nom du professionnel.")
    require(len(last) <= NAME_MAX and len(first) <= NAME_MAX, f"Le nom est trop long ({NAME_MAX} caractères au plus).")
    require(profession, "Indiquez sa profession.")
    require(len(profession) <= NAME_MAX, f"La profession est trop longue ({NAME_MAX} caractères au plus).")
    commune = cpts.communes().filter(code=(draft.commune_code or "").strip()).first()
    require(commune is not None, "Choisissez une commune du territoire de la CPTS.")
    email = (draft.email or "").strip()
    require(not email or _email(email), f"Le courriel « {email[:60]} » n'est pas une adresse valide.")
    today = timezone.localdate(now)
    require(draft.installed_on is None or draft.installed_on <= today, "La date d'installation est dans le futur.")
    with transaction.atomic():
        newcomer = Newcomer.objects.create(
            cpts=cpts,
            last_name=last,
            first_name=first,
            profession=profession,
            commune=commune,
            email=email,
            source=Newcomer.Source.DECLARED,
            detected_on=today,
            installed_on=draft.installed_on,
        )
        log_transition(NewcomerTransition, actor=actor, source="", target=NewcomerStatus.DETECTED, newcomer=newcomer)
        audit.record("support.newcomer.declared", actor=actor, cpts=cpts, obj=newcomer)
    return newcomer


def _move(newcomer: Newcomer, target: str, actor, now, *, note: str = "") -> None:
    source = newcomer.status
    if target not in NEWCOMER_MOVES[NewcomerStatus(source)]:
        raise SupportError(
            f"Le suivi de ce professionnel est « {newcomer.get_status_display()} » : il ne peut pas passer à "
            f"« {NewcomerStatus(target).label} »."
        )
    newcomer.status = target
    if target == NewcomerStatus.CONTACTED and newcomer.contacted_at is None:
        newcomer.contacted_at = now
    if target == NewcomerStatus.JOINED:
        newcomer.joined_on = timezone.localdate(now)
    newcomer.closed_on = (
        timezone.localdate(now) if target in (NewcomerStatus.DECLINED, NewcomerStatus.DISMISSED) else None
    )
    newcomer.version += 1
    newcomer.save(update_fields=["status", "contacted_at", "joined_on", "closed_on", "version"])
    log_transition(NewcomerTransition, actor=actor, source=source, target=target, note=note, newcomer=newcomer, at=now)


def send_welcome(newcomer: Newcomer, email: str, actor, *, version: int | None = None, now=None) -> Newcomer:
    """The welcome email (the CPTS's presentation, contacts, the invitation to join), enqueued for
    the worker; the newcomer becomes « contacté » (a second welcome is allowed: a new address)."""
    now = now or timezone.now()
    email = (email or "").strip()
    require(email, "Indiquez le courriel du professionnel pour lui envoyer l'accueil.")
    require(_email(email), f"Le courriel « {email[:60]} » n'est pas une adresse valide.")
    with transaction.atomic():
        newcomer = Newcomer.objects.select_for_update().select_related("cpts").get(pk=newcomer.pk)
        require(
            version is None or version == newcomer.version,
            "Le suivi de ce professionnel a changé depuis l'ouverture de la page : rechargez-la.",
        )
        require(
            newcomer.status in (NewcomerStatus.DETECTED, NewcomerStatus.CONTACTED, NewcomerStatus.DECLINED),
            f"Le suivi de ce professionnel est « {newcomer.get_status_display()} » : l'accueil n'est plus à envoyer.",
        )
        newcomer.email = email
        newcomer.welcome_sent_at = now
        newcomer.save(update_fields=["email", "welcome_sent_at"])
        if newcomer.status != NewcomerStatus.CONTACTED:
            _move(newcomer, NewcomerStatus.CONTACTED, actor, now, note="accueil envoyé")
        subject, body = welcome.message(newcomer.cpts, newcomer)
        mail.send_after_commit(email, subject, body)
        audit.record("support.newcomer.welcomed", actor=actor, cpts=newcomer.cpts, obj=newcomer)
    return newcomer


ACTIONS = {
    NewcomerStatus.JOINED: "support.newcomer.joined",
    NewcomerStatus.DECLINED: "support.newcomer.declined",
    NewcomerStatus.DISMISSED: "support.newcomer.dismissed",
    NewcomerStatus.DETECTED: "support.newcomer.reopened",
    NewcomerStatus.CONTACTED: "support.newcomer.contacted",
}


def move(newcomer: Newcomer, target: str, actor, *, note: str = "", version: int | None = None, now=None) -> Newcomer:
    now = now or timezone.now()
    require(target in ACTIONS, "Étape de suivi inconnue.")
    note = (note or "").strip()
    require(len(note) <= NOTE_MAX, f"Le commentaire est trop long ({NOTE_MAX} caractères au plus).")
    with transaction.atomic():
        newcomer = Newcomer.objects.select_for_update().select_related("cpts").get(pk=newcomer.pk)
        require(
            version is None or version == newcomer.version,
            "Le suivi de ce professionnel a changé depuis l'ouverture de la page : rechargez-la.",
        )
        source = newcomer.status
        _move(newcomer, target, actor, now, note=note)
        audit.record(ACTIONS[target], actor=actor, cpts=newcomer.cpts, obj=newcomer, details={"de": source})
    return newcomer


def save_settings(cpts, *, fiche, welcome_text: str, actor, version: int | None = None) -> SupportSettings:
    """The fiche-action the mission serves (of this CPTS's projet, mission « accompagnement ») and
    the welcome's own words."""
    from maillage.indicators.registry import Mission

    text = (welcome_text or "").strip()
    require(len(text) <= 2000, "Le mot d'accueil est trop long (2\u202f000 caractères au plus).")
    if fiche is not None:
        require(fiche.projet.cpts_id == cpts.pk, "Cette fiche-action n'est pas celle du projet de santé de la CPTS.")
        require(
            fiche.mission == Mission.SUPPORT,
            f"Cette fiche-action sert la mission « {fiche.get_mission_display()} », pas l'accompagnement des "
            "professionnels.",
        )
    with transaction.atomic():
        setting = SupportSettings.objects.select_for_update().get(pk=settings_of(cpts).pk)
        require(
            version is None or version == setting.version,
            "Les réglages ont changé depuis l'ouverture de la page : rechargez-la avant de recommencer.",
        )
        setting.fiche, setting.welcome_text = fiche, text
        setting.version += 1
        setting.save(update_fields=["fiche", "welcome_text", "version"])
        audit.record(
            "support.settings.saved",
            actor=actor,
            cpts=cpts,
            obj=setting,
            details={"fiche": fiche.pk if fiche else None},
        )
    return setting
