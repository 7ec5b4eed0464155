from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.doctor_access.actions import AccessError
from maillage.doctor_access.actions.doctors import answer, expire_proposals, save_offer
from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.doctor_access.states import Status
from tests.factories import ActivityFactory, DoctorRequestFactory, ProfessionalFactory, UserFactory


@pytest.fixture
def waiting(submit, coordinator):
    """A qualified request, in the pool."""
    request = submit()
    move(request, Status.QUALIFIED, coordinator)
    return request


def test_a_gp_saves_their_offer_and_it_is_audited(cmv, malakoff, idf):
    gp, user = ProfessionalFactory(), UserFactory()
    offer = save_offer(cmv, user, gp, {"capacity": 4, "mode": "total", "commune": malakoff}, user)
    assert (offer.capacity, offer.mode, offer.user) == (4, "total", user)
    again = save_offer(cmv, user, gp, {"capacity": 2, "communes": [idf["communes"]["92020"]]}, user)
    assert again.pk == offer.pk
    assert DoctorOffer.objects.get().capacity == 2
    assert list(again.communes.values_list("code", flat=True)) == ["92020"]
    details = [e.details for e in AuditEntry.objects.filter(action="doctor_access.offer.saved").order_by("id")]
    assert details[0]["capacity"] == "4"
    assert details[1] == {"capacity": "2"}


def test_only_a_general_practitioner_can_offer(cmv, malakoff):
    nurse = ProfessionalFactory(adeli=True)
    cardiologist = ProfessionalFactory(savoir_faire_code="SM04", savoir_faire_label="Cardiologie")
    for professional in (nurse, cardiologist):
        with pytest.raises(AccessError, match="Seuls les médecins généralistes"):
            save_offer(cmv, UserFactory(), professional, {"capacity": 3, "commune": malakoff}, None)
    assert not DoctorOffer.objects.exists()
    assert not AuditEntry.objects.filter(action="doctor_access.offer.saved").exists()


def test_a_negative_capacity_is_refused(cmv, malakoff):
    with pytest.raises(AccessError, match="négatif"):
        save_offer(cmv, UserFactory(), ProfessionalFactory(), {"capacity": -1, "commune": malakoff}, None)


def _proposal(offer, status, *, decided_at=None):
    request = DoctorRequestFactory(cpts=offer.cpts, commune=offer.commune, status="proposed")
    return Proposal.objects.create(
        request=request,
        offer=offer,
        status=status,
        decided_at=decided_at,
        expires_at=timezone.now() + timedelta(days=7),
    )


def test_places_left_per_month_count_this_months_acceptances_and_pending_proposals(offer):
    assert (offer.mode, offer.capacity, offer.places_left()) == ("monthly", 3, 3)
    now = timezone.now()
    _proposal(offer, Proposal.Status.PENDING)
    _proposal(offer, Proposal.Status.ACCEPTED, decided_at=now)
    _proposal(offer, Proposal.Status.ACCEPTED, decided_at=now - timedelta(days=40))  # an earlier month
    _proposal(offer, Proposal.Status.DECLINED, decided_at=now)
    _proposal(offer, Proposal.Status.EXPIRED, decided_at=now)
    assert offer.places_left() == 1
    # Next month, only the pending proposal still holds a place.
    assert offer.places_left(now=now + timedelta(days=40)) == 2


def test_places_left_in_total_count_every_acceptance(offer):
    offer.mode = DoctorOffer.Mode.TOTAL
    offer.save()
    _proposal(offer, Proposal.Status.ACCEPTED, decided_at=timezone.now() - timedelta(days=400))
    _proposal(offer, Proposal.Status.ACCEPTED, decided_at=timezone.now())
    assert offer.places_left() == 1
    _proposal(offer, Proposal.Status.PENDING)
    _proposal(offer, Proposal.Status.PENDING)
    assert offer.places_left() == 0  # never negative


def test_a_paused_offer_has_no_place(offer):
    offer.paused = True
    assert offer.places_left() == 0


def test_accepting_moves_the_request_and_emails_the_patient_through_the_worker(waiting, offer, propose, mailoutbox):
    ActivityFactory(professional=offer.professional, commune=offer.commune, phone="0146001122")
    proposal = propose(waiting)
    run_pending()  # the acknowledgement of the request
    mailoutbox.clear()
    answer(proposal, accept=True, actor=offer.user)
    assert mailoutbox == []  # enqueued with the write (it leaves once committed); the worker sends it
    run_pending()
    proposal.refresh_from_db()
    waiting.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED and proposal.decided_at
    assert waiting.status == Status.ACCEPTED
    assert waiting.transitions.last().note == f"accepté par {offer.professional.full_name}"
    [mail] = mailoutbox
    assert mail.to == ["helene.lefevre@exemple.fr"]
    assert mail.subject == "[Maillage] Un médecin traitant accepte de vous suivre"
    assert offer.professional.last_name in mail.body
    assert "0146001122" in mail.body and "PIERRE LAROUSSE" in mail.body
    entry = AuditEntry.objects.get(action="doctor_access.proposal.answered")
    assert entry.health_data and entry.details["acceptée"] is True


def test_accepting_sends_the_email(waiting, propose, offer, mailoutbox, django_capture_on_commit_callbacks):
    proposal = propose(waiting)
    run_pending()  # the acknowledgement of the request
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(proposal, accept=True, actor=offer.user)
    run_pending()
    assert [m.to for m in mailoutbox] == [["helene.lefevre@exemple.fr"]]


def test_declining_needs_a_reason_and_returns_the_patient_to_the_pool(waiting, offer, propose, mailoutbox):
    proposal = propose(waiting)
    for reason in ("", "flemme"):
        with pytest.raises(AccessError, match="Indiquez le motif du refus"):
            answer(proposal, accept=False, actor=offer.user, reason=reason)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING
    answer(proposal, accept=False, actor=offer.user, reason="too_far", note="Plus de 20 minutes en voiture")
    proposal.refresh_from_db()
    waiting.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (Proposal.Status.DECLINED, "too_far")
    assert proposal.decline_note == "Plus de 20 minutes en voiture"
    assert waiting.status == Status.QUALIFIED
    assert waiting.transitions.last().note == "refusé par le médecin : trop éloigné"
    assert offer.places_left() == 3


def test_a_proposal_is_answered_once(waiting, offer, propose):
    proposal = propose(waiting)
    answer(proposal, accept=True, actor=offer.user)
    with pytest.raises(AccessError, match="déjà « acceptée » : rien n'a été changé"):
        answer(proposal, accept=False, actor=offer.user, reason="full")
    proposal.refresh_from_db()
    waiting.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert waiting.status == Status.ACCEPTED
    assert AuditEntry.objects.filter(action="doctor_access.proposal.answered").count() == 1


def test_an_answer_after_the_deadline_is_refused_and_the_patient_returns_to_the_pool(waiting, offer, propose):
    proposal = propose(waiting, expires_in=timedelta(minutes=-1))
    with pytest.raises(AccessError, match="Le délai de réponse est dépassé"):
        answer(proposal, accept=True, actor=offer.user)
    proposal.refresh_from_db()
    waiting.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    assert waiting.status == Status.QUALIFIED  # as the message says


def test_expired_proposals_return_their_patients_to_the_pool(submit, coordinator, offer, propose):
    late, on_time = submit(last_name="Retard"), submit(last_name="Temps")
    for request in (late, on_time):
        move(request, Status.QUALIFIED, coordinator)
    overdue = propose(late, expires_in=timedelta(hours=-2))
    pending = propose(on_time)
    assert expire_proposals() == 1
    overdue.refresh_from_db()
    pending.refresh_from_db()
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (overdue.status, late.status) == (Proposal.Status.EXPIRED, Status.QUALIFIED)
    assert late.transitions.last().note == "proposition expirée sans réponse"
    assert (pending.status, on_time.status) == (Proposal.Status.PENDING, Status.PROPOSED)
    assert offer.places_left() == 2
    assert expire_proposals() == 0  # nothing left to expire
    assert AuditEntry.objects.filter(action="doctor_access.proposal.expired").count() == 1


def test_expire_proposals_of_one_cpts_leaves_the_others(submit, coordinator, offer, propose, idf):
    request = submit()
    move(request, Status.QUALIFIED, coordinator)
    propose(request, expires_in=timedelta(hours=-1))
    assert expire_proposals(idf["paris13"]) == 0
    assert expire_proposals(idf["cmv"]) == 1
