"""Issue 17 — activation: a crisis declared by the CPTS's coordinator or by the ARS (several CPTS of
its région at once: one crisis each), members alerted at once, the ARS's recognition (the ACI's
« crise reconnue », read by funding through maillage/crisis/queries.py), the crisis closed. Every
move is logged (CrisisTransition) and audited; a refusal saves nothing.

Alerts are ordinary emails (no clinical content: the crisis, a link to Maillage), queued in the
declaration's transaction as background tasks, one task per batch of addresses inserted together
(core/jobs.py `enqueue_many`): 5,000 members are queued in well under two seconds. The SMS text is
shown to the coordinator, to be sent from the CPTS's own SMS tool; Maillage sends none."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, jobs, mail, versioning
from maillage.core.french import day as french_day
from maillage.core.french import plural
from maillage.core.models import log_transition
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import Audience, Crisis, CrisisAlert, CrisisKind, CrisisTransition, DeclaredBy
from maillage.crisis.queries import overlapping
from maillage.territory.models import Cpts

BATCH = 50  # addresses per task: one claim and one SMTP connection for 50 copies
TITLE_MAX = 200
AHEAD = timedelta(days=31)  # a crisis may be declared ahead (a heatwave forecast), not further


@dataclass
class Declaration:
    kind: str
    title: str
    starts_on: date
    ends_on: date | None = None
    alert: bool = True
    audience: str = Audience.ALL
    profession_code: str = ""


def _problems(declaration: Declaration, today: date) -> list[str]:
    errors = []
    if declaration.kind not in CrisisKind.values:
        errors.append("Choisissez la nature de la crise.")
    if not declaration.title.strip():
        errors.append("Donnez un intitulé à la crise (par exemple : épidémie de grippe de l'hiver).")
    if declaration.starts_on is None:
        errors.append("Indiquez la date de début de la crise.")
    else:
        if declaration.starts_on > today + AHEAD:
            errors.append("Une crise se déclare au plus un mois avant son début.")
        if declaration.ends_on is not None and declaration.ends_on < declaration.starts_on:
            errors.append("La fin de la crise ne peut pas précéder son début.")
        if declaration.ends_on is not None and declaration.ends_on > today:
            errors.append("La date de fin se renseigne quand la crise est terminée.")
    if declaration.alert and declaration.audience not in Audience.values:
        errors.append("Choisissez qui alerter.")
    if declaration.alert and declaration.audience == Audience.PROFESSION and not declaration.profession_code:
        errors.append("Choisissez la profession à alerter.")
    return errors


def declare(cpts_list, declaration: Declaration, actor, *, by_ars: bool, today: date | None = None) -> list[Crisis]:
    """One crisis per CPTS of `cpts_list` (the ARS may pick several of its région), alerted at once
    when asked. Refused as a whole, nothing saved, when a CPTS already has a crisis over the period."""
    today = today or timezone.localdate()
    cpts_list = list(cpts_list)
    errors = _problems(declaration, today)
    if not cpts_list:
        errors.append("Choisissez au moins une CPTS.")
    if errors:
        raise CrisisError(errors)
    created = []
    with transaction.atomic():
        # The CPTS's rows locked: two declarations of the same territory cannot both pass the check.
        locked = list(Cpts.objects.select_for_update().filter(pk__in=[c.pk for c in cpts_list]).order_by("pk"))
        for cpts in locked:
            clash = overlapping(cpts, declaration.starts_on, declaration.ends_on).first()
            if clash is not None:
                until = f"au {french_day(clash.ends_on)}" if clash.ends_on else "en cours"
                errors.append(
                    f"{cpts.name} : une crise est déjà déclarée sur cette période (« {clash.title} », "
                    f"du {french_day(clash.starts_on)} {until}). "
                    "Une crise ne se déclare qu'une fois par territoire et période."
                )
        if errors:
            raise CrisisError(errors)
        closed = declaration.ends_on is not None
        status = Crisis.Status.CLOSED if closed else Crisis.Status.ACTIVE
        for cpts in locked:
            crisis = Crisis.objects.create(
                cpts=cpts,
                kind=declaration.kind,
                title=declaration.title.strip()[:TITLE_MAX],
                starts_on=declaration.starts_on,
                ends_on=declaration.ends_on,
                declared_by=DeclaredBy.ARS if by_ars else DeclaredBy.CPTS,
                declared_by_user=audit.user_or_none(actor),
                recognised_on=today if by_ars else None,
                status=status,
            )
            note = "déclarée par l'ARS (reconnue)" if by_ars else "déclarée par la CPTS"
            log_transition(CrisisTransition, actor=actor, source="", target=status, note=note, crisis=crisis)
            audit.record(
                "crisis.declared", actor=actor, cpts=cpts, obj=crisis,
                details={"nature": crisis.get_kind_display(), "début": crisis.starts_on.isoformat(),
                         "déclarée par": crisis.get_declared_by_display()},
            )  # fmt: skip
            if declaration.alert:
                alert_members(crisis, declaration.audience, actor, profession_code=declaration.profession_code)
            created.append(crisis)
    return created


def recognise(crisis: Crisis, actor, *, expected_version=None, today: date | None = None) -> Crisis:
    """The ARS recognises a crisis the CPTS declared: the crisis mission's variable part is due for
    the years it covers."""
    today = today or timezone.localdate()
    with transaction.atomic():
        versioning.check_and_bump(crisis, expected_version)
        crisis.refresh_from_db()
        if crisis.recognised_on is not None:
            raise CrisisError(f"Cette crise est déjà reconnue par l'ARS (le {french_day(crisis.recognised_on)}).")
        if crisis.status == Crisis.Status.CANCELLED:
            raise CrisisError("Cette crise a été annulée : elle ne peut pas être reconnue.")
        crisis.recognised_on = today
        crisis.save(update_fields=["recognised_on"])
        log_transition(CrisisTransition, actor=actor, source=crisis.status, target=crisis.status,
                       note="reconnue par l'ARS", crisis=crisis)  # fmt: skip
        audit.record("crisis.recognised", actor=actor, cpts=crisis.cpts, obj=crisis,
                     details={"reconnue le": today.isoformat()})  # fmt: skip
    return crisis


def close(crisis: Crisis, ends_on: date | None, actor, *, expected_version=None, today: date | None = None) -> Crisis:
    today = today or timezone.localdate()
    with transaction.atomic():
        versioning.check_and_bump(crisis, expected_version)
        crisis.refresh_from_db()
        errors = []
        if crisis.status != Crisis.Status.ACTIVE:
            errors.append(f"Cette crise est {crisis.get_status_display()} : elle ne peut plus être clôturée.")
        if ends_on is None:
            errors.append("Indiquez la date de fin de la crise.")
        elif ends_on < crisis.starts_on:
            errors.append(f"La fin ne peut pas précéder le début de la crise ({french_day(crisis.starts_on)}).")
        elif ends_on > today:
            errors.append("La date de fin ne peut pas être dans le futur : clôturez la crise une fois terminée.")
        if errors:
            raise CrisisError(errors)
        crisis.ends_on, crisis.status = ends_on, Crisis.Status.CLOSED
        crisis.save(update_fields=["ends_on", "status"])
        log_transition(CrisisTransition, actor=actor, source=Crisis.Status.ACTIVE, target=Crisis.Status.CLOSED,
                       note=f"fin le {french_day(ends_on)}", crisis=crisis)  # fmt: skip
        audit.record("crisis.closed", actor=actor, cpts=crisis.cpts, obj=crisis, details={"fin": ends_on.isoformat()})
    return crisis


# ---- alerting members ----


def recipients(cpts, audience: str, *, profession_code: str = "") -> list[str]:
    """The addresses to alert, each once: the association's voting members (their own address, or a
    legal person's representative's) and the accounts of the CPTS's team; by profession, the members
    of that profession and the team's professionals of it; the volunteers of the plan: their member
    address or their account's."""
    from maillage.association.models import Member
    from maillage.crisis.models import Volunteer
    from maillage.directory.models import ProfessionalAccount

    members = Member.objects.of_cpts(cpts).voting()
    team = Role.objects.filter(cpts=cpts, kind__in=(RoleKind.COORDINATOR, RoleKind.MEMBER, RoleKind.REGULATOR))
    if audience == Audience.PROFESSION:
        members = members.filter(kind=Member.Kind.PERSON, profession_code=profession_code)
        linked = ProfessionalAccount.objects.filter(professional__profession_code=profession_code)
        team = team.filter(user__in=linked.values("user"))
    elif audience == Audience.VOLUNTEERS:
        volunteers = Volunteer.objects.filter(plan__cpts=cpts).values("professional")
        members = members.filter(professional__in=volunteers)
        team = Role.objects.filter(
            user__in=ProfessionalAccount.objects.filter(professional__in=volunteers).values("user")
        ).distinct()
    found, seen = [], set()
    rows = members.order_by("pk").values_list("kind", "email", "representative_email")
    addresses = (
        (email or (representative if kind == Member.Kind.LEGAL else "") or "") for kind, email, representative in rows
    )
    accounts = team.order_by("user_id").values_list("user__email", flat=True)
    for address in [*addresses, *accounts]:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


def texts(crisis: Crisis) -> tuple[str, str, str]:
    """(subject, email body, SMS text): the crisis and a link, never anything about a patient."""
    link = mail.site_link(reverse("www:crisis_home", args=[crisis.cpts.slug]))
    since = french_day(crisis.starts_on)
    by = "l'ARS" if crisis.declared_by == DeclaredBy.ARS else "la coordination de la CPTS"
    subject = f"Crise sanitaire : {crisis.title}"[:200]
    body = (
        f"Bonjour,\n\n{by[0].upper() + by[1:]} déclare une crise sanitaire sur le territoire de la "
        f"{crisis.cpts.name} : {crisis.title} ({crisis.get_kind_display()}), à compter du {since}.\n\n"
        "Le plan de réponse aux crises de la CPTS s'applique. Les consignes, la cellule de crise et "
        f"l'organisation du territoire sont sur Maillage :\n{link}\n\n"
        "Ce message ne contient aucune donnée de patient ; n'y répondez pas avec des informations "
        "médicales.\n\nLa coordination de la CPTS\n"
    )
    sms = (
        f"{crisis.cpts.name} : crise sanitaire déclarée ({crisis.get_kind_display()}), {crisis.title}, "
        f"depuis le {since}. Consignes : {link}"
    )
    return subject, body, sms[:320]


def alert_members(crisis: Crisis, audience: str, actor, *, profession_code: str = "") -> CrisisAlert:
    """Queues one email per recipient (in batches of BATCH per task, inserted together) inside the
    caller's transaction — they leave once it commits — and records the alert."""
    if audience not in Audience.values:
        raise CrisisError("Choisissez qui alerter.")
    if audience == Audience.PROFESSION and not profession_code:
        raise CrisisError("Choisissez la profession à alerter.")
    if crisis.status != Crisis.Status.ACTIVE:
        raise CrisisError("Cette crise est terminée : ses adhérents ne sont plus alertés.")
    addresses = recipients(crisis.cpts, audience, profession_code=profession_code)
    subject, body, sms = texts(crisis)
    with transaction.atomic():
        alert = CrisisAlert.objects.create(
            crisis=crisis,
            audience=audience,
            profession_code=profession_code if audience == Audience.PROFESSION else "",
            recipients=len(addresses),
            subject=subject,
            body=body,
            sms=sms,
            sent_by=audit.user_or_none(actor),
        )
        batches = [addresses[i : i + BATCH] for i in range(0, len(addresses), BATCH)]
        jobs.enqueue_many(deliver_alert, [{"alert_id": alert.pk, "to": batch} for batch in batches])
        audit.record("crisis.alerted", actor=actor, cpts=crisis.cpts, obj=crisis,
                     details={"destinataires": alert.get_audience_display(),
                              "courriels": plural(len(addresses), "courriel")})  # fmt: skip
    return alert


class AlertFailed(Exception):
    """Some copies of a batch were not accepted by the mail server; they are retried together."""


@task()
def deliver_alert(alert_id: int, to: list[str], attempt: int = 1) -> None:
    """The worker's side: the batch's copies over one SMTP connection; the refused ones retried."""
    alert = CrisisAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        return
    subject = mail.SUBJECT_PREFIX + alert.subject
    errors = mail.send_each([EmailMessage(subject, alert.body, None, [address]) for address in to])
    if errors:
        failed = [to[n] for n in sorted(errors)]
        with jobs.retrying(deliver_alert, attempt, alert_id=alert_id, to=failed):
            raise AlertFailed(f"{plural(len(failed), 'envoi en échec', 'envois en échec')} sur {len(to)}")
