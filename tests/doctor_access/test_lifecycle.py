import pytest

from maillage.core.models import AuditEntry
from maillage.doctor_access.actions import AccessError
from maillage.doctor_access.actions.lifecycle import move, qualify, transition
from maillage.doctor_access.models import DoctorRequest, Proposal, RequestTransition
from maillage.doctor_access.states import MANUAL, TRANSITIONS, Status, allowed


def test_the_table_only_lets_closed_and_declared_requests_rest():
    assert TRANSITIONS[Status.DECLARED] == TRANSITIONS[Status.CLOSED] == frozenset()
    assert allowed(Status.RECEIVED, Status.QUALIFIED)
    assert not allowed(Status.RECEIVED, Status.ACCEPTED)
    assert not allowed(Status.CLOSED, Status.QUALIFIED)
    for source, targets in MANUAL.items():
        assert set(targets) <= TRANSITIONS[source]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.RECEIVED, Status.PROPOSED),
        (Status.RECEIVED, Status.DECLARED),
        (Status.QUALIFIED, Status.ACCEPTED),
        (Status.CLOSED, Status.QUALIFIED),
        (Status.DECLARED, Status.CLOSED),
    ],
)
def test_a_transition_outside_the_table_is_refused_and_changes_nothing(submit, coordinator, source, target):
    request = submit()
    DoctorRequest.objects.filter(pk=request.pk).update(status=source)
    request.refresh_from_db()
    with pytest.raises(AccessError, match="ne peut pas passer à") as refused:
        transition(request, target, coordinator, close_reason="withdrawn")
    assert request.reference in str(refused.value)
    assert f"« {Status(target).label} »" in str(refused.value)
    request.refresh_from_db()
    assert request.status == source
    assert request.transitions.count() == 1
    assert not AuditEntry.objects.filter(action="doctor_access.request.transition").exists()


def test_every_transition_is_logged_with_its_author(submit, coordinator, user_factory):
    regulator = user_factory(email="regulateur@exemple.fr")
    request = submit()
    transition(request, Status.QUALIFIED, coordinator)
    transition(request, Status.CLOSED, regulator, close_reason="unreachable")
    log = list(request.transitions.values_list("source", "target", "author__email", "author_label", "note"))
    assert log == [
        ("", Status.RECEIVED, None, "le patient", "formulaire public"),
        (Status.RECEIVED, Status.QUALIFIED, coordinator.email, coordinator.email, ""),
        (Status.QUALIFIED, Status.CLOSED, regulator.email, regulator.email, "injoignable"),
    ]
    request.refresh_from_db()
    assert (request.status, request.close_reason) == (Status.CLOSED, "unreachable")
    entries = AuditEntry.objects.filter(action="doctor_access.request.transition")
    assert [(e.actor, e.health_data) for e in entries.order_by("id")] == [(coordinator, True), (regulator, True)]


def test_a_move_made_by_the_system_is_logged_as_such(submit):
    request = submit()
    move(request, Status.QUALIFIED, None)
    logged = request.transitions.last()
    assert (logged.author, logged.author_label) == (None, "système")


def test_a_stale_move_is_refused(submit, coordinator):
    request = submit()
    # Someone else closed it after this page was loaded.
    DoctorRequest.objects.filter(pk=request.pk).update(status=Status.QUALIFIED)
    with pytest.raises(AccessError, match="vient d'être modifiée par quelqu'un d'autre"):
        transition(request, Status.CLOSED, coordinator, close_reason="withdrawn")
    request.refresh_from_db()
    assert request.status == Status.QUALIFIED
    assert request.transitions.count() == 1


def test_closing_needs_a_reason(submit, coordinator):
    request = submit()
    for reason in ("", "pas une raison"):
        with pytest.raises(AccessError, match="Indiquez le motif de clôture"):
            transition(request, Status.CLOSED, coordinator, close_reason=reason)
    request.refresh_from_db()
    assert request.status == Status.RECEIVED
    transition(request, Status.CLOSED, coordinator, close_reason="found_elsewhere")
    request.refresh_from_db()
    assert request.status == Status.CLOSED and not request.is_open


def test_declaring_sets_the_date_the_doctor_was_found(submit, coordinator):
    request = submit()
    for target in (Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED, Status.DECLARED):
        move(request, target, coordinator)
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert request.days_waiting() == 0


def test_closing_an_accepted_request_gives_the_doctor_their_place_back(submit, coordinator, propose, offer):
    request = submit()
    move(request, Status.QUALIFIED, coordinator)
    proposal = propose(request)
    assert offer.places_left() == 2
    transition(request, Status.CLOSED, coordinator, close_reason="moved_away")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    assert offer.places_left() == 3


def test_a_refused_close_withdraws_nothing(submit, coordinator, propose):
    request = submit()
    move(request, Status.QUALIFIED, coordinator)
    proposal = propose(request)
    with pytest.raises(AccessError):
        transition(request, Status.CLOSED, coordinator)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


def test_qualify_saves_the_situation_recomputes_the_priority_and_qualifies(submit, coordinator):
    request = submit()
    qualify(request, {"ald": True, "precarity": True, "notes": "Rappeler le matin."}, coordinator)
    request.refresh_from_db()
    assert (request.status, request.priority, request.notes) == (Status.QUALIFIED, 6, "Rappeler le matin.")
    assert request.transitions.last().author == coordinator
    assert AuditEntry.objects.get(action="doctor_access.request.qualified").details == {"priorité": 6}
    # Qualifying again only updates: no second transition.
    qualify(request, {"ald": False}, coordinator)
    request.refresh_from_db()
    assert (request.status, request.priority) == (Status.QUALIFIED, 2)
    assert RequestTransition.objects.filter(request=request, target=Status.QUALIFIED).count() == 1


def test_a_closed_request_cannot_be_qualified(submit, coordinator):
    request = submit()
    transition(request, Status.CLOSED, coordinator, close_reason="withdrawn")
    with pytest.raises(AccessError, match="close"):
        qualify(request, {"ald": True}, coordinator)
    request.refresh_from_db()
    assert (request.ald, request.priority) == (False, 0)
