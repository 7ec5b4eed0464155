"""Who sees which pathway and how much of it (pathways/access.py), and the audited read."""

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.consent import record_information, withdraw
from maillage.pathways.actions.reading import read_pathway, require_sharing
from maillage.pathways.actions.team import remove_member
from maillage.pathways.states import Decision, Scope
from tests.pathways.conftest import information


def test_the_coordinator_sees_every_pathway_a_professional_only_those_of_their_care_teams(world, enrolled):
    cmv = world["cmv"]
    assert list(access.visible_to(world["coordinator"], cmv)) == [enrolled]
    assert list(access.visible_to(world["nurse_user"], cmv)) == [enrolled]
    for who in ("other_nurse_user", "regulator", "regional", "coordinator_other", "no_role"):
        assert not access.visible_to(world[who], cmv).exists(), who
    # Another CPTS's people see nothing of it, even asking for their own CPTS.
    assert not access.visible_to(world["coordinator_other"], world["paris13"]).exists()


def test_a_team_member_reads_the_pathway_and_the_read_is_audited_as_health_data(world, enrolled):
    reading = read_pathway(world["nurse_user"], enrolled)
    assert reading.clinical and len(reading.tasks) == 5 and len(reading.team) == 3
    entry = AuditEntry.objects.get(action="pathways.pathway.viewed")
    assert entry.health_data and entry.actor == world["nurse_user"] and entry.object_id == str(enrolled.pk)


def test_a_professional_off_the_team_cannot_open_the_patient_and_nothing_is_recorded(world, enrolled):
    before = AuditEntry.objects.count()
    with pytest.raises(NotVisible, match="Vous ne faites pas partie de l'équipe de soins de ce patient"):
        read_pathway(world["other_nurse_user"], enrolled)
    assert AuditEntry.objects.count() == before


def test_a_professional_who_left_the_team_no_longer_sees_the_patient(world, enrolled):
    nurse = enrolled.team.get(professional=world["nurse"])
    remove_member(nurse, world["coordinator"], note="Relais pris par une collègue")
    assert not access.visible_to(world["nurse_user"], world["cmv"]).exists()
    with pytest.raises(NotVisible):
        read_pathway(world["nurse_user"], enrolled)


def test_the_coordinator_reads_clinical_content_only_with_the_patients_consent(world, enrolled):
    coordinator = world["coordinator"]
    assert not read_pathway(coordinator, enrolled).clinical  # progress and tasks only
    before = AuditEntry.objects.count()
    with pytest.raises(PathwayError, match="n'a pas consenti au partage de ses informations avec la coordination"):
        read_pathway(coordinator, enrolled, clinical=True)
    assert AuditEntry.objects.count() == before
    record_information(enrolled, information(**{Scope.COORDINATION: Decision.CONSENT}), world["nurse_user"])
    assert read_pathway(coordinator, enrolled, clinical=True).clinical
    consent = enrolled.sharing_decisions.in_force().get(scope=Scope.COORDINATION)
    withdraw(consent, coordinator, note="Au téléphone avec la patiente")
    assert not access.sees_clinical(coordinator, enrolled)


def test_sharing_outside_the_team_needs_the_patients_consent(world, enrolled):
    with pytest.raises(PathwayError, match="n'a pas donné son consentement au partage avec des professionnels hors"):
        require_sharing(enrolled, Scope.OUTSIDE)
    record_information(enrolled, information(**{Scope.OUTSIDE: Decision.REFUSAL}), world["coordinator"])
    with pytest.raises(PathwayError):
        require_sharing(enrolled, Scope.OUTSIDE)
    record_information(enrolled, information(**{Scope.OUTSIDE: Decision.CONSENT}), world["coordinator"])
    require_sharing(enrolled, Scope.OUTSIDE)


def test_when_the_patient_objects_within_the_team_the_team_no_longer_sees_the_pathway(world, enrolled):
    team_sharing = enrolled.sharing_decisions.get(scope=Scope.TEAM)
    withdraw(team_sharing, world["gp_user"], note="Souhait de la patiente")
    assert not access.visible_to(world["nurse_user"], world["cmv"]).exists()
    assert access.visible_to(world["coordinator"], world["cmv"]).exists()  # progress and tasks
    team_sharing.refresh_from_db()
    assert team_sharing.withdrawn_at <= timezone.now() and team_sharing.withdrawn_by == world["gp_user"]
