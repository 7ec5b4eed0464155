"""Care requests (demandes de prise en charge): sending, broadcasting, accepting, declining,
cancelling, widening, and the deadlines the periodic job `pathways.care_requests` applies.

Public entry points (also used by bench/pathways.py): `create_request`, `accept(request, actor)`,
`decline`, `cancel`, `widen`, `advance(now)`; who is reached is `maillage.pathways.reach.reach`.

Accepting is one conditional UPDATE (open or broadcast, nobody yet): whichever professional's
UPDATE runs first wins, the others update nothing and are told « Cette demande a déjà été
acceptée par un autre professionnel. » — on PostgreSQL the second UPDATE waits for the first's row
lock then finds the condition false; on SQLite there is one writer at a time.

Emails carry no identity and no clinical content: « Une demande de prise en charge vous attend sur
Maillage » and a link; they are background tasks enqueued in the write's transaction (so sent only
if it commits).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, mail
from maillage.core.bounds import MAX_YEAR
from maillage.core.french import plural
from maillage.core.models import log_transition
from maillage.directory.models import Professional, Skill
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError, require
from maillage.pathways.actions.team import join_after_request
from maillage.pathways.models import CareRequest, CareRequestRecipient, CareRequestTransition, Pathway
from maillage.pathways.models.requests import ACCEPTING, PENDING, RequestStatus, request_allowed
from maillage.pathways.reach import MAX_RADIUS_KM, Reached, accounts_of, reach
from maillage.pathways.states import PathwayStatus, Profession
from maillage.territory.models import Commune

NEED_MAX = 500
TAKEN = "Cette demande a déjà été acceptée par un autre professionnel."
EXPIRED = "Cette demande a expiré : elle ne peut plus être acceptée."


def priority_hours() -> int:
    return getattr(settings, "CARE_REQUEST_PRIORITY_HOURS", 4)


def response_hours() -> int:
    return getattr(settings, "CARE_REQUEST_RESPONSE_HOURS", 48)


def expiry_days() -> int:
    return getattr(settings, "CARE_REQUEST_EXPIRY_DAYS", 7)


def past_expiry(care_request, today=None) -> bool:
    """A request still not accepted this many days after its start date is of no use any more."""
    today = today or timezone.localdate()
    return care_request.start_on + timedelta(days=expiry_days()) < today


@dataclass
class Need:
    """What the request asks for, without the patient's identity (shown to everyone in reach)."""

    profession_code: str
    need: str
    start_on: date
    commune: object  # territory.Commune, the patient's
    radius_km: int
    skill: object = None  # directory.Skill


@dataclass
class PatientContact:
    """Who the patient is: shown to the requester, the coordinator and, once accepted, the winner."""

    name: str = ""
    phone: str = ""
    address: str = ""


def _link(care_request) -> str:
    return mail.site_link(reverse("www:care_request_detail", args=[care_request.cpts.slug, care_request.pk]))


def _notify_offered(care_request, emails) -> None:
    for email in sorted(set(emails)):
        mail.send_after_commit(
            email,
            "Une demande de prise en charge vous attend",
            "Bonjour,\n\nUne demande de prise en charge vous attend sur Maillage.\n\n"
            f"Consultez-la et répondez : {_link(care_request)}\n",
        )


def _offer(care_request, people, now, *, priority: bool = False) -> int:
    """Records the recipients (`Reached` rows) and has them emailed. Returns how many were new."""
    if not people:
        return 0
    already = set(
        CareRequestRecipient.objects.filter(
            request=care_request, professional_id__in=[p.professional_id for p in people]
        ).values_list("professional_id", flat=True)
    )
    new = [person for person in people if person.professional_id not in already]
    CareRequestRecipient.objects.bulk_create(
        [
            CareRequestRecipient(
                request=care_request, professional_id=person.professional_id, distance_km=person.distance_km,
                priority=priority, offered_at=now, notified_at=now,
            )
            for person in new
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    _notify_offered(care_request, [email for person in new for email in person.emails])
    return len(new)


def _move(care_request, target, actor, *, note: str = "", now=None, **changes) -> bool:
    """Moves the request from the state read to `target` with one conditional UPDATE, and logs it.
    False when someone else moved it first (nothing written)."""
    source = care_request.status
    if not request_allowed(source, target):
        return False
    now = now or timezone.now()
    done = CareRequest.objects.filter(pk=care_request.pk, status=source).update(
        status=target, status_changed_at=now, **changes
    )
    if not done:
        return False
    care_request.status, care_request.status_changed_at = target, now
    for name, value in changes.items():
        setattr(care_request, name, value)
    log_transition(CareRequestTransition, actor=actor, source=source, target=target, note=note, request=care_request)
    return True


def _broadcast(care_request, actor, now, *, note: str = "") -> int:
    """Offers the request to everyone in reach (the usual professional keeps their row); from
    « open » or « unanswered », status becomes « broadcast ». Returns the new recipients."""
    if care_request.status != RequestStatus.BROADCAST:
        moved = _move(care_request, RequestStatus.BROADCAST, actor, note=note, now=now, broadcast_at=now)
        require(moved, "Cette demande vient d'être modifiée par quelqu'un d'autre : rechargez la page.")
    return _offer(care_request, _reached(care_request), now)


def _reached(care_request):
    """Who the request reaches, the requester themself left out."""
    own = care_request.requester_professional_id
    return reach(care_request, exclude=(own,) if own else ())


def _usual(care_request_pathway, profession_code, usual_professional, requester=None):
    """The professional asked first: the one named, or the pathway's team member of the profession
    (never the requester themself)."""
    if usual_professional is not None:
        return None if requester is not None and usual_professional.pk == requester.pk else usual_professional
    if care_request_pathway is None:
        return None
    for member in care_request_pathway.team.active().filter(professional__isnull=False).select_related("professional"):
        professional = member.professional
        if professional.profession_code == profession_code and professional.active and professional != requester:
            return professional
    return None


def _check_need(need: Need) -> Need:
    text = (need.need or "").strip()
    require(need.profession_code in Profession.values, "Choisissez la profession recherchée.")
    require(text, "Décrivez le besoin du patient (les soins, leur fréquence), sans son nom.")
    require(len(text) <= NEED_MAX, f"La description du besoin est trop longue ({NEED_MAX} caractères au plus).")
    require(isinstance(need.commune, Commune), "Indiquez la commune du patient.")
    require(
        isinstance(need.radius_km, int) and 1 <= need.radius_km <= MAX_RADIUS_KM,
        f"Le rayon de recherche doit être entre 1 et {MAX_RADIUS_KM} km.",
    )
    require(isinstance(need.start_on, date), "Indiquez à partir de quelle date les soins sont nécessaires.")
    today = timezone.localdate()
    require(need.start_on >= today, "La date de début des soins est passée : indiquez aujourd'hui ou une date à venir.")
    require(need.start_on.year <= MAX_YEAR, f"La date de début doit être avant {MAX_YEAR + 1}.")
    require(need.skill is None or isinstance(need.skill, Skill), "Choisissez une compétence de la liste.")
    need.need = text
    return need


def create_request(
    cpts, actor, need: Need, patient: PatientContact, *, pathway=None, usual_professional=None, structure=None
) -> CareRequest:
    """Sends a care request. From a pathway, the patient's identity and commune default to the
    pathway's and its team's professional of the profession is asked first. The usual professional
    (when they have an account that can answer) has it alone for `CARE_REQUEST_PRIORITY_HOURS`;
    otherwise it is broadcast at once."""
    require(
        access.may_request(actor, cpts), "Vous ne pouvez pas envoyer de demande de prise en charge pour cette CPTS."
    )
    if pathway is not None:
        require(isinstance(pathway, Pathway) and pathway.cpts_id == cpts.pk, "Ce parcours n'est pas de cette CPTS.")
        if not access.sees(actor, pathway):
            raise NotVisible()
        require(
            pathway.status == PathwayStatus.ACTIVE,
            f"Ce parcours est « {pathway.get_status_display()} » : il n'attend plus de nouveau professionnel.",
        )
        patient = PatientContact(
            name=(patient.name or "").strip() or pathway.full_name,
            phone=(patient.phone or "").strip() or pathway.phone,
            address=patient.address,
        )
        if need.commune is None:
            need.commune = pathway.commune
    need = _check_need(need)
    name, phone, address = (patient.name or "").strip(), (patient.phone or "").strip(), (patient.address or "").strip()
    require(name, "Indiquez le nom du patient : il ne sera montré qu'au professionnel qui accepte la demande.")
    require(len(name) <= 200 and len(phone) <= 30 and len(address) <= 250, "L'identité du patient est trop longue.")
    surname = name.split()[-1].lower()
    require(
        len(surname) < 3 or surname not in need.need.lower(),
        "La description du besoin contient le nom du patient : elle est montrée à tous les professionnels "
        "sollicités, retirez-le (le nom n'est montré qu'à celui qui accepte).",
    )
    require(
        usual_professional is None or isinstance(usual_professional, Professional),
        "Choisissez le professionnel habituel dans l'annuaire.",
    )
    professional = access.professional_of(actor)
    usual = _usual(pathway, need.profession_code, usual_professional, professional if structure is None else None)
    usual_answers = usual is not None and bool(accounts_of([usual.pk]).get(usual.pk))
    now = timezone.now()
    priority_until = now + timedelta(hours=priority_hours()) if usual_answers else None
    respond_by = (priority_until or now) + timedelta(hours=response_hours())
    if structure is None and professional is None:
        structure = access.structure_of(actor, cpts)  # a hospital's discharge staff
    with transaction.atomic(), mail.batch():
        care_request = CareRequest.objects.create(
            cpts=cpts, pathway=pathway, requested_by=audit.user_or_none(actor),
            requester_professional=professional if structure is None else None, requester_structure=structure,
            profession_code=need.profession_code, skill=need.skill, need=need.need, start_on=need.start_on,
            commune=need.commune, radius_km=need.radius_km, patient_name=name, patient_phone=phone,
            patient_address=address, usual_professional=usual, priority_until=priority_until, respond_by=respond_by,
            status=RequestStatus.OPEN, status_changed_at=now,
        )  # fmt: skip
        log_transition(CareRequestTransition, actor=actor, source="", target=RequestStatus.OPEN, request=care_request)
        if usual_answers:
            distance = next((p.distance_km for p in _reached(care_request) if p.professional_id == usual.pk), 0.0)
            accounts = accounts_of([usual.pk])[usual.pk]
            offered = _offer(
                care_request, [Reached(usual.pk, distance, [u for u, _ in accounts], [e for _, e in accounts])],
                now, priority=True,
            )  # fmt: skip
        else:
            offered = _broadcast(care_request, actor, now, note="pas de professionnel habituel à solliciter d'abord")
        audit.record(
            "pathways.care_request.created", actor=actor, cpts=cpts, obj=care_request, health_data=True,
            details={"profession": need.profession_code, "commune": need.commune.code, "rayon_km": need.radius_km,
                     "parcours": pathway.reference if pathway else "",
                     "prioritaire": usual.full_name if usual_answers else "", "sollicités": offered},
        )  # fmt: skip
    return care_request


def _refusal(care_request, professional) -> str:
    """Why a request can no longer be accepted, read fresh from the database."""
    fresh = CareRequest.objects.get(pk=care_request.pk)
    if fresh.status == RequestStatus.ACCEPTED:
        if fresh.accepted_by_id == professional.pk:
            return "Vous avez déjà accepté cette demande."
        return TAKEN
    if fresh.status == RequestStatus.EXPIRED or past_expiry(fresh):
        return EXPIRED
    if fresh.status == RequestStatus.CANCELLED:
        return "Cette demande a été annulée par son auteur : elle ne peut plus être acceptée."
    if fresh.status == RequestStatus.UNANSWERED:
        return (
            "Le délai de réponse à cette demande est dépassé : la coordination de la CPTS la reprend. "
            "Contactez-la si vous pouvez encore prendre ce patient en charge."
        )
    return "Cette demande vient d'être modifiée : rechargez la page."


def accept(care_request, actor) -> CareRequest:
    """The first professional to accept wins (see the module's docstring). The winner sees the
    patient's identity from then on and, for a request from a pathway, joins its care team."""
    professional = access.professional_of(actor)
    require(
        professional is not None,
        "Votre compte n'est pas lié à votre fiche de l'annuaire : vous ne pouvez pas accepter de demande.",
    )
    recipient = CareRequestRecipient.objects.filter(request=care_request, professional=professional).first()
    require(recipient is not None, "Cette demande ne vous a pas été proposée.")
    if care_request.status not in ACCEPTING or past_expiry(care_request):
        raise PathwayError(_refusal(care_request, professional))
    try:
        return _take(care_request, professional, actor, recipient=recipient)
    except DatabaseError:
        # SQLite's « database is locked » under a burst: whoever held the lock has taken it.
        raise PathwayError(_refusal(care_request, professional)) from None


def _take(care_request, professional, actor, *, recipient=None) -> CareRequest:
    """The conditional UPDATE and what follows it (`accept`'s checks done; the demo calls it for
    a professional without an account)."""
    now = timezone.now()
    with transaction.atomic(), mail.batch():
        won = CareRequest.objects.filter(
            pk=care_request.pk, status__in=sorted(ACCEPTING), accepted_by__isnull=True
        ).update(
            status=RequestStatus.ACCEPTED, accepted_by=professional, accepted_user=audit.user_or_none(actor),
            accepted_at=now, status_changed_at=now,
        )  # fmt: skip
        if not won:
            raise PathwayError(_refusal(care_request, professional))
        source = care_request.status
        care_request.status, care_request.accepted_by, care_request.accepted_at = (
            RequestStatus.ACCEPTED, professional, now,
        )  # fmt: skip
        care_request.accepted_user = audit.user_or_none(actor)
        log_transition(
            CareRequestTransition, actor=actor, source=source, target=RequestStatus.ACCEPTED, request=care_request
        )
        if recipient is not None:
            CareRequestRecipient.objects.filter(pk=recipient.pk, seen_at__isnull=True).update(seen_at=now)
        joined = False
        pathway = care_request.pathway
        if pathway is not None and pathway.status == PathwayStatus.ACTIVE:
            _, joined = join_after_request(pathway, professional, actor)
        if care_request.requested_by_id and care_request.requested_by.email:
            mail.send_after_commit(
                care_request.requested_by.email,
                "Votre demande de prise en charge a été acceptée",
                "Bonjour,\n\nUn professionnel a accepté votre demande de prise en charge sur Maillage.\n\n"
                f"Voyez qui : {_link(care_request)}\n",
            )
        audit.record(
            "pathways.care_request.accepted", actor=actor, cpts=care_request.cpts, obj=care_request,
            health_data=True,
            details={"par": professional.full_name, "parcours": pathway.reference if pathway else "",
                     "équipe_rejointe": joined},
        )  # fmt: skip
    return care_request


def decline(care_request, actor, *, note: str = "") -> CareRequest:
    """The professional says no. The usual professional declining during their priority ends it:
    the request is broadcast at once."""
    professional = access.professional_of(actor)
    recipient = (
        CareRequestRecipient.objects.filter(request=care_request, professional=professional).first()
        if professional is not None
        else None
    )
    require(recipient is not None, "Cette demande ne vous a pas été proposée.")
    require(care_request.status in ACCEPTING, f"Cette demande est « {care_request.get_status_display()} ».")
    now = timezone.now()
    with transaction.atomic(), mail.batch():
        done = CareRequestRecipient.objects.filter(pk=recipient.pk, declined_at__isnull=True).update(
            declined_at=now, seen_at=recipient.seen_at or now
        )
        require(done, "Vous avez déjà décliné cette demande.")
        offered = 0
        if care_request.status == RequestStatus.OPEN and recipient.priority:
            offered = _broadcast(care_request, actor, now, note="le professionnel habituel a décliné")
        audit.record(
            "pathways.care_request.declined", actor=actor, cpts=care_request.cpts, obj=care_request,
            details={"par": professional.full_name, "motif": (note or "").strip()[:255], "diffusée_à": offered},
        )  # fmt: skip
    return care_request


def cancel(care_request, actor, *, note: str = "") -> CareRequest:
    require(
        access.may_manage_request(actor, care_request),
        "Seuls l'auteur de la demande et la coordination peuvent l'annuler.",
    )
    require(
        care_request.status in PENDING,
        f"Cette demande est « {care_request.get_status_display()} » : elle ne peut plus être annulée.",
    )
    with transaction.atomic():
        moved = _move(care_request, RequestStatus.CANCELLED, actor, note=note)
        require(moved, "Cette demande vient d'être acceptée ou modifiée : rechargez la page.")
        audit.record(
            "pathways.care_request.cancelled", actor=actor, cpts=care_request.cpts, obj=care_request,
            details={"motif": (note or "").strip()[:255]},
        )  # fmt: skip
    return care_request


def widen(care_request, actor, *, radius_km: int | None = None, profession_code: str | None = None) -> CareRequest:
    """The coordinator widens the radius or changes the profession, and broadcasts again with a
    new response delay. Professionals offered it for another profession are no longer asked."""
    require(
        access.coordinates_requests(actor, care_request.cpts),
        "Seule la coordination de la CPTS peut élargir une demande.",
    )
    require(
        care_request.status in PENDING,
        f"Cette demande est « {care_request.get_status_display()} » : elle ne peut plus être élargie.",
    )
    radius = care_request.radius_km if radius_km is None else radius_km
    profession = profession_code or care_request.profession_code
    require(
        isinstance(radius, int) and 1 <= radius <= MAX_RADIUS_KM,
        f"Le rayon de recherche doit être entre 1 et {MAX_RADIUS_KM} km.",
    )
    require(profession in Profession.values, "Choisissez la profession recherchée.")
    require(
        radius != care_request.radius_km or profession != care_request.profession_code,
        "Changez le rayon ou la profession pour relancer la demande.",
    )
    require(not past_expiry(care_request), EXPIRED)
    now = timezone.now()
    before = {"rayon_km": care_request.radius_km, "profession": care_request.profession_code}
    with transaction.atomic(), mail.batch():
        changes = {"radius_km": radius, "profession_code": profession, "escalated_at": None,
                   "respond_by": now + timedelta(hours=response_hours())}  # fmt: skip
        if profession != care_request.profession_code:
            changes["skill"] = None  # a skill is of a profession
            CareRequestRecipient.objects.filter(request=care_request).exclude(
                professional__profession_code=profession
            ).delete()
        if care_request.status == RequestStatus.BROADCAST:
            done = CareRequest.objects.filter(pk=care_request.pk, status=RequestStatus.BROADCAST).update(**changes)
            require(done, "Cette demande vient d'être acceptée ou modifiée : rechargez la page.")
            for name, value in changes.items():
                setattr(care_request, name, value)
            offered = _offer(care_request, _reached(care_request), now)
        else:
            for name, value in changes.items():
                setattr(care_request, name, value)
            CareRequest.objects.filter(pk=care_request.pk).update(**changes)
            offered = _broadcast(care_request, actor, now, note="élargie par la coordination")
        audit.record(
            "pathways.care_request.widened", actor=actor, cpts=care_request.cpts, obj=care_request,
            details={"avant": before, "après": {"rayon_km": radius, "profession": profession}, "sollicités": offered},
        )  # fmt: skip
    return care_request


@dataclass
class RequestLists:
    """The requests page of one person: the coordinator's whole list (unanswered first), what they
    sent, what was offered to them and is still open, what they won."""

    everything: list
    sent: list
    offered: list
    won: list

    @property
    def unanswered(self) -> list:
        return [r for r in self.everything if r.status == RequestStatus.UNANSWERED]


LIST_LIMIT = 200


def request_lists(user, cpts, *, coordinator: bool) -> RequestLists:
    """No patient identity is in these lists (the need, the commune, the state): not a health read."""
    pending_first = Case(
        When(status=RequestStatus.UNANSWERED, then=Value(0)),
        When(status__in=sorted(PENDING), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    base = CareRequest.objects.filter(cpts=cpts).select_related("commune", "pathway", "accepted_by")
    ordered = base.order_by(pending_first, "-created_at", "-id")
    everything = list(ordered[:LIST_LIMIT]) if coordinator else []
    sent = [] if coordinator else list(ordered.filter(requested_by=user)[:LIST_LIMIT])
    offered, won = [], []
    professional = access.professional_of(user)
    if professional is not None:
        rows = (
            CareRequestRecipient.objects.filter(professional=professional, request__cpts=cpts)
            .select_related("request__commune")
            .order_by("-request__created_at", "-request_id")[:LIST_LIMIT]
        )
        for row in rows:
            if row.request.accepted_by_id == professional.pk:
                won.append(row)
            elif row.request.status in ACCEPTING and row.declined_at is None:
                offered.append(row)
    return RequestLists(everything=everything, sent=sent, offered=offered, won=won)


def read_request(user, care_request):
    """What the request page shows the user: (identity shown, their recipient row). Marks it seen
    by a recipient; a read that shows the patient's identity is audited as a health-data read."""
    if not access.sees_request(user, care_request):
        raise NotVisible("Cette demande de prise en charge ne vous est pas accessible.")
    recipient = access.recipient_of(user, care_request)
    if recipient is not None and recipient.seen_at is None:
        CareRequestRecipient.objects.filter(pk=recipient.pk, seen_at__isnull=True).update(seen_at=timezone.now())
    identity = access.sees_request_identity(user, care_request)
    if identity:
        audit.record_health_read("pathways.care_request.viewed", actor=user, cpts=care_request.cpts, obj=care_request)
    return identity, recipient


# --- The periodic job `pathways.care_requests` -----------------------------------------------


@dataclass
class Advance:
    broadcast: int = 0
    unanswered: int = 0
    expired: int = 0
    emails: int = 0


def _escalate(requests, now) -> int:
    """Tells each CPTS's coordinators about its requests gone unanswered (one email per person)."""
    by_cpts: dict[int, list] = {}
    for care_request in requests:
        by_cpts.setdefault(care_request.cpts_id, []).append(care_request)
    sent = 0
    coordinators = Role.objects.filter(cpts_id__in=list(by_cpts), kind=RoleKind.COORDINATOR, user__is_active=True)
    for cpts_id, email in sorted(set(coordinators.values_list("cpts_id", "user__email"))):
        cpts = by_cpts[cpts_id][0].cpts
        count = len(by_cpts[cpts_id])
        link = mail.site_link(reverse("www:care_request_list", args=[cpts.slug]))
        mail.send_after_commit(
            email,
            "Demande de prise en charge sans réponse",
            f"Bonjour,\n\n{plural(count, 'demande de prise en charge', 'demandes de prise en charge')} de la "
            f"{cpts.name} {'est restée' if count == 1 else 'sont restées'} sans réponse : vous pouvez élargir "
            f"le rayon ou la profession.\n\nConsultez-les dans Maillage : {link}\n",
        )
        sent += 1
    return sent


def advance(now=None) -> Advance:
    """Applies the deadlines: the usual professional's priority over → broadcast to everyone in
    reach; no taker by `respond_by` → « sans réponse », the coordinators alerted; the start date
    long past → « expirée ». Idempotent (each move is a conditional UPDATE)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    outcome = Advance()
    last_start = today - timedelta(days=expiry_days() + 1)
    for care_request in CareRequest.objects.pending().filter(start_on__lte=last_start).select_related("cpts"):
        with transaction.atomic():
            outcome.expired += _move(care_request, RequestStatus.EXPIRED, None, now=now, note="date de début dépassée")
    due = CareRequest.objects.filter(status=RequestStatus.OPEN, priority_until__lte=now).select_related("cpts")
    for care_request in due:
        with transaction.atomic(), mail.batch():
            try:
                _broadcast(care_request, None, now, note="fin du délai réservé au professionnel habituel")
            except PathwayError:
                continue  # accepted meanwhile
            outcome.broadcast += 1
    late = CareRequest.objects.filter(status=RequestStatus.BROADCAST, respond_by__lte=now).select_related("cpts")
    escalated = []
    with transaction.atomic(), mail.batch():
        for care_request in late:
            if _move(care_request, RequestStatus.UNANSWERED, None, now=now, note="aucune réponse dans le délai",
                     escalated_at=now):  # fmt: skip
                escalated.append(care_request)
        outcome.unanswered = len(escalated)
        outcome.emails = _escalate(escalated, now)
    return outcome
