"""The doctor's side: their offer, their answers to proposals, and the expiry of unanswered ones."""

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.directory import answers as directory_answers
from maillage.doctor_access import notify
from maillage.doctor_access.actions import AccessError
from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.doctor_access.states import Status

OFFER_FIELDS = ["mode", "capacity", "priority_only", "max_distance_km", "paused", "commune"]
GENERAL_PRACTICE = ("10", "SM54")  # profession médecin, savoir-faire médecine générale
EXPIRED = "Le délai de réponse est dépassé : la proposition a expiré et le patient a été remis en attente."


def is_general_practitioner(professional) -> bool:
    return (professional.profession_code, professional.savoir_faire_code) == GENERAL_PRACTICE


def save_offer(cpts, user, professional, data: dict, actor, *, expected_version: int | None = None) -> DoctorOffer:
    """Creates or updates the offer of `professional` (the GP linked to `user`) in `cpts`;
    refused (`versioning.StaleEdit`) if it changed since its form was read at `expected_version`."""
    if not is_general_practitioner(professional):
        raise AccessError("Seuls les médecins généralistes peuvent proposer de devenir médecin traitant.")
    if data.get("capacity") is not None and data["capacity"] < 0:
        raise AccessError("Le nombre de nouveaux patients ne peut pas être négatif.")
    with transaction.atomic():
        mine = DoctorOffer.objects.filter(cpts=cpts, professional=professional)
        version = versioning.check_and_bump(mine, expected_version)
        offer = mine.first()
        before = {name: getattr(offer, name) for name in OFFER_FIELDS} if offer else {}
        if offer is None:
            offer = DoctorOffer(cpts=cpts, professional=professional, user=user, version=version)
        for name in OFFER_FIELDS:
            if name in data:
                setattr(offer, name, data[name])
        offer.user = user
        offer.save()
        if "communes" in data:
            offer.communes.set(data["communes"])
        after = {name: getattr(offer, name) for name in OFFER_FIELDS}
        audit.record(
            "doctor_access.offer.saved",
            actor=actor,
            cpts=cpts,
            obj=offer,
            details={name: str(after[name]) for name in OFFER_FIELDS if before.get(name) != after[name] or not before},
        )
        directory_answers.sync(cpts, professional, actor)  # the directory says what the offer says
    return offer


def answer(proposal: Proposal, *, accept: bool, actor, reason: str = "", note: str = "") -> Proposal:
    """The doctor accepts (the request moves to « acceptée ») or declines with a reason (the patient
    goes back to the pool). Only a pending, unexpired proposal can be answered, and only once."""
    if not accept and reason not in Proposal.DeclineReason.values:
        raise AccessError("Indiquez le motif du refus.")
    if Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.PENDING, expires_at__lte=timezone.now()).exists():
        # The refusal below says the patient is back in the pool: make it so now rather than at
        # the next matching.
        expire_proposals(proposal.request.cpts)
        raise AccessError(EXPIRED)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("request", "offer").get(pk=proposal.pk)
        if locked.status != Proposal.Status.PENDING:
            raise AccessError(f"Cette proposition est déjà « {locked.get_status_display()} » : rien n'a été changé.")
        now = timezone.now()
        if locked.expires_at <= now:
            raise AccessError(EXPIRED)
        status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
        # Conditional: a second answer racing this one updates nothing and is refused.
        done = Proposal.objects.filter(pk=locked.pk, status=Proposal.Status.PENDING).update(
            status=status, decided_at=now, decline_reason="" if accept else reason, decline_note=note[:255]
        )
        if not done:
            raise AccessError("Cette proposition vient d'être traitée : rien n'a été changé.")
        locked.refresh_from_db()
        request = locked.request
        if accept:
            move(request, Status.ACCEPTED, actor, note=f"accepté par {locked.offer.professional.full_name}")
            notify.proposal_accepted(locked)
        else:
            label = Proposal.DeclineReason(reason).label
            move(request, Status.QUALIFIED, actor, note=f"refusé par le médecin : {label}")
        audit.record(
            "doctor_access.proposal.answered",
            actor=actor,
            cpts=request.cpts,
            obj=locked,
            details={"acceptée": accept, "motif": reason, "demande": request.pk},
            health_data=True,
        )
    return locked


def declare(proposal: Proposal, *, actor, declared_on) -> Proposal:
    """The doctor who accepted the patient records that they are now the declared médecin traitant
    (the request moves from « acceptée » to « médecin traitant déclaré », logged with its date).
    The date is neither in the future nor before the acceptance."""
    request = proposal.request
    if proposal.status != Proposal.Status.ACCEPTED:
        raise AccessError("Seul un patient que vous avez accepté peut être déclaré.")
    if declared_on is None:
        raise AccessError("Indiquez la date de la déclaration de médecin traitant.")
    if declared_on > timezone.localdate():
        raise AccessError("La date de déclaration ne peut pas être dans le futur.")
    accepted_on = timezone.localdate(proposal.decided_at) if proposal.decided_at else None
    if accepted_on and declared_on < accepted_on:
        raise AccessError(f"La date de déclaration ne peut pas précéder votre acceptation (le {accepted_on:%d/%m/%Y}).")
    with transaction.atomic():
        move(request, Status.DECLARED, actor, note=f"déclaré le {declared_on:%d/%m/%Y}", declared_on=declared_on)
        audit.record(
            "doctor_access.request.declared",
            actor=actor,
            cpts=request.cpts,
            obj=request,
            details={"déclaré le": declared_on.isoformat(), "proposition": proposal.pk},
            health_data=True,
        )
    return proposal


def expire_proposals(cpts=None, *, now=None) -> int:
    """Pending proposals past their date expire; their patients go back to the pool."""
    now = now or timezone.now()
    overdue = Proposal.objects.filter(status=Proposal.Status.PENDING, expires_at__lte=now).select_related("request")
    if cpts is not None:
        overdue = overdue.filter(request__cpts=cpts)
    count = 0
    for proposal in overdue:
        with transaction.atomic():
            if not Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.PENDING).update(
                status=Proposal.Status.EXPIRED, decided_at=now
            ):
                continue
            if proposal.request.status == Status.PROPOSED:
                move(proposal.request, Status.QUALIFIED, None, note="proposition expirée sans réponse")
            audit.record(
                "doctor_access.proposal.expired",
                cpts=proposal.request.cpts,
                obj=proposal,
                details={"demande": proposal.request_id},
            )
            count += 1
    return count
