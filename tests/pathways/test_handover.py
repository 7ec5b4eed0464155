"""Handing a pathway over to another CPTS, or sharing it: with the patient's consent to sharing
outside the team, accepted by the receiving coordination, audited on both sides."""

import html
import re

import pytest
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.consent import record_information, withdraw
from maillage.pathways.actions.handover import answer_handover, read_shared, request_handover
from maillage.pathways.actions.liaison import Draft, post_entry, read_log
from maillage.pathways.actions.team import remove_member
from maillage.pathways.models import HandOver, HandOverKind, HandOverStatus, Pathway
from maillage.pathways.states import Decision, Scope
from tests.factories import CptsFactory, RoleFactory
from tests.pathways.conftest import information


@pytest.fixture
def paris13(world):
    return {"cpts": world["paris13"], "coordinator": world["coordinator_other"]}


def _consent_outside(pathway, actor, decision=Decision.CONSENT):
    record_information(pathway, information(**{Scope.OUTSIDE: decision}), actor)


def _counts():
    return HandOver.objects.count(), AuditEntry.objects.count()


def _fresh(pathway):
    return Pathway.objects.select_related("cpts", "template").get(pk=pathway.pk)


def test_without_consent_to_sharing_outside_the_team_nothing_is_handed_over(world, enrolled, paris13):
    before = _counts()
    for kind in HandOverKind.values:
        with pytest.raises(PathwayError, match="pas donné son consentement au partage avec des professionnels hors"):
            request_handover(enrolled, world["nurse_user"], to_cpts=paris13["cpts"], kind=kind)
    assert _counts() == before
    _consent_outside(enrolled, world["coordinator"], Decision.REFUSAL)
    before = _counts()
    with pytest.raises(PathwayError, match="pas donné son consentement"):
        request_handover(enrolled, world["coordinator"], to_cpts=paris13["cpts"], kind=HandOverKind.TRANSFER)
    assert _counts() == before


def test_bad_requests_are_refused_in_french(world, enrolled, paris13):
    _consent_outside(enrolled, world["coordinator"])
    project = CptsFactory(name="CPTS en projet", slug="en-projet", status="projet")
    before = _counts()
    for to_cpts, kind, message in (
        (world["cmv"], HandOverKind.TRANSFER, "une autre CPTS constituée"),
        (project, HandOverKind.TRANSFER, "une autre CPTS constituée"),
        (paris13["cpts"], "steal", "transfert du parcours et son partage"),
    ):
        with pytest.raises(PathwayError, match=message):
            request_handover(enrolled, world["coordinator"], to_cpts=to_cpts, kind=kind)
    assert _counts() == before
    remove_member(enrolled.team.get(professional=world["gp"]), world["coordinator"])
    before = _counts()
    for outsider in (world["gp_user"], world["other_nurse_user"], paris13["coordinator"]):
        with pytest.raises(NotVisible):
            request_handover(enrolled, outsider, to_cpts=paris13["cpts"], kind=HandOverKind.SHARE)
    assert _counts() == before
    request_handover(enrolled, world["nurse_user"], to_cpts=paris13["cpts"], kind=HandOverKind.SHARE)
    with pytest.raises(PathwayError, match="attend déjà la réponse"):
        request_handover(enrolled, world["nurse_user"], to_cpts=paris13["cpts"], kind=HandOverKind.TRANSFER)


def test_a_transfer_accepted_moves_the_pathway_its_tasks_and_log_and_the_old_team_leaves(
    world, enrolled, paris13, mailoutbox
):
    _consent_outside(enrolled, world["coordinator"])
    post_entry(enrolled, world["nurse_user"], Draft(kind="visit", occurred_on=timezone.localdate(), text="Visite."))
    run_pending()
    mailoutbox.clear()
    handover = request_handover(
        enrolled, world["nurse_user"], to_cpts=paris13["cpts"], kind=HandOverKind.TRANSFER, reason="Déménagement."
    )
    requested = AuditEntry.objects.filter(action="pathways.handover.requested")
    assert sorted(requested.values_list("cpts__slug", flat=True)) == ["cmv", "paris-13"]
    run_pending()
    assert [m.to[0] for m in mailoutbox] == [paris13["coordinator"].email]
    for secret in ("Moreau", "Jeanne", "Déménagement", "Visite"):
        assert secret not in mailoutbox[0].body and secret not in mailoutbox[0].subject
    # Only the receiving coordination answers.
    for other in (world["coordinator"], world["nurse_user"]):
        with pytest.raises(NotVisible):
            answer_handover(handover, other, accept=True)
    tasks = enrolled.tasks.count()
    answer_handover(handover, paris13["coordinator"], accept=True)
    pathway = _fresh(enrolled)
    assert pathway.cpts == paris13["cpts"] and pathway.tasks.count() == tasks
    assert not pathway.team.active().exists()
    assert not pathway.tasks.open().filter(assignee__isnull=False).exists()
    accepted = AuditEntry.objects.filter(action="pathways.handover.accepted")
    assert sorted(accepted.values_list("cpts__slug", flat=True)) == ["cmv", "paris-13"]
    # The old CPTS keeps the trace but no longer sees the patient; the new one does.
    with pytest.raises(NotVisible):
        read_log(world["nurse_user"], pathway)
    from maillage.pathways import access

    assert not access.sees(world["coordinator"], pathway) and access.sees(paris13["coordinator"], pathway)
    assert HandOver.objects.get(from_cpts=world["cmv"]).status == HandOverStatus.ACCEPTED
    with pytest.raises(PathwayError, match="déjà reçu une réponse"):
        answer_handover(handover, paris13["coordinator"], accept=False)


def test_a_share_accepted_is_read_only_audited_on_both_sides_and_ends_with_the_consent(world, enrolled, paris13):
    _consent_outside(enrolled, world["coordinator"])
    with pytest.raises(NotVisible):
        read_shared(paris13["coordinator"], paris13["cpts"], enrolled)  # no hand-over: nothing
    handover = request_handover(enrolled, world["gp_user"], to_cpts=paris13["cpts"], kind=HandOverKind.SHARE)
    with pytest.raises(NotVisible):
        read_shared(paris13["coordinator"], paris13["cpts"], enrolled)  # not accepted yet
    answer_handover(handover, paris13["coordinator"], accept=True)
    assert _fresh(enrolled).cpts == world["cmv"] and enrolled.team.active().count() == 3
    team, tasks = read_shared(paris13["coordinator"], paris13["cpts"], enrolled)
    assert len(team) == 3 and tasks
    reads = AuditEntry.objects.filter(action="pathways.handover.shared_viewed", health_data=True)
    assert sorted(reads.values_list("cpts__slug", flat=True)) == ["cmv", "paris-13"]
    # Another coordinator of Paris 13 sees it too; a member of Paris 13 does not.
    assert read_shared(RoleFactory(coordinator=True, cpts=paris13["cpts"]).user, paris13["cpts"], enrolled)
    with pytest.raises(NotVisible):
        read_shared(RoleFactory(cpts=paris13["cpts"]).user, paris13["cpts"], enrolled)
    decision = enrolled.sharing_decisions.in_force().get(scope=Scope.OUTSIDE)
    withdraw(decision, world["nurse_user"], note="Le patient ne veut plus.")
    assert HandOver.objects.get().status == HandOverStatus.ENDED
    assert AuditEntry.objects.filter(action="pathways.handover.ended").count() == 2
    with pytest.raises(NotVisible):
        read_shared(paris13["coordinator"], paris13["cpts"], enrolled)
    with pytest.raises(PathwayError, match="déjà été retirée"):
        withdraw(decision, world["nurse_user"])  # twice: refused
    assert AuditEntry.objects.filter(action="pathways.handover.ended").count() == 2


def test_a_consent_withdrawn_before_the_answer_makes_the_acceptance_refused(world, enrolled, paris13):
    _consent_outside(enrolled, world["coordinator"])
    handover = request_handover(enrolled, world["nurse_user"], to_cpts=paris13["cpts"], kind=HandOverKind.TRANSFER)
    withdraw(enrolled.sharing_decisions.in_force().get(scope=Scope.OUTSIDE), world["coordinator"])
    before = _counts()
    with pytest.raises(PathwayError, match="pas donné son consentement"):
        answer_handover(handover, paris13["coordinator"], accept=True)
    assert _counts() == before and _fresh(enrolled).cpts == world["cmv"]
    answer_handover(handover, paris13["coordinator"], accept=False, note="Sans consentement.")
    assert HandOver.objects.get().status == HandOverStatus.DECLINED


def test_the_pages_request_answer_and_show_a_share(world, enrolled, paris13, login):
    _consent_outside(enrolled, world["coordinator"])
    nurse = login(world["nurse_user"])
    page = html.unescape(nurse.get(f"/c/cmv/parcours-patients/{enrolled.pk}/").content.decode())
    assert "Transmettre ou partager avec une autre CPTS" in page
    answer = nurse.post(
        f"/c/cmv/parcours-patients/{enrolled.pk}/transmettre/",
        {"transmettre-to_cpts": paris13["cpts"].pk, "transmettre-kind": "share", "transmettre-reason": ""},
    )
    assert answer.status_code == 302 and HandOver.objects.get().is_pending
    coordinator = login(paris13["coordinator"])
    assert coordinator.get(f"/c/paris-13/parcours-patients/partages/{enrolled.pk}/").status_code == 404
    alerts = coordinator.get("/c/paris-13/parcours-patients/alertes/").content.decode()
    assert 'data-testid="pending-handover"' in alerts and "Moreau" not in alerts
    assert alerts.count('data-testid="pending-handover"') == 1  # once, in the page (not in its <title>)
    assert re.search(r"<title>Mes alertes — [^<]*</title>", alerts)
    inbox = html.unescape(coordinator.get("/c/paris-13/parcours-patients/transmissions/").content.decode())
    assert enrolled.reference in inbox and "Moreau" not in inbox  # no identity before acceptance
    handover = HandOver.objects.get()
    done = coordinator.post(f"/c/paris-13/parcours-patients/transmissions/{handover.pk}/repondre/",
                            {"reponse": "accepter"})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == f"/c/paris-13/parcours-patients/partages/{enrolled.pk}/"
    shared = html.unescape(coordinator.get(done["Location"]).content.decode())
    assert "Moreau Jeanne" in shared and "lecture seule" in shared
    # Still 404 on the owner's pages for the other CPTS's coordinator.
    assert coordinator.get(f"/c/cmv/parcours-patients/{enrolled.pk}/").status_code == 404
    # Without consent, the page says so and nothing is saved.
    other = login(world["gp_user"])
    record_information(enrolled, information(**{Scope.OUTSIDE: Decision.REFUSAL}), world["coordinator"])
    refused = other.post(
        f"/c/cmv/parcours-patients/{enrolled.pk}/transmettre/",
        {"transmettre-to_cpts": paris13["cpts"].pk, "transmettre-kind": "transfer"},
        follow=True,
    )
    assert "pas donné son consentement" in html.unescape(refused.content.decode())
    assert HandOver.objects.count() == 1 and HandOver.objects.get().status == HandOverStatus.ENDED
