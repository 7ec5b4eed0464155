"""The patient's information and decisions: recorded, replaced, withdrawn once."""

import pytest

from maillage.core.models import AuditEntry
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.consent import record_information, withdraw
from maillage.pathways.models import PatientInformation, SharingDecision
from maillage.pathways.states import Decision, EndKind, Scope
from tests.pathways.conftest import information


def _counts():
    return PatientInformation.objects.count(), SharingDecision.objects.count(), AuditEntry.objects.count()


def test_a_new_decision_replaces_the_one_in_force_for_its_scope_only(world, enrolled):
    first_team = enrolled.sharing_decisions.get(scope=Scope.TEAM)
    record_information(enrolled, information(**{Scope.COORDINATION: Decision.REFUSAL}), world["nurse_user"])
    later = information(**{Scope.COORDINATION: Decision.CONSENT})
    later.text_version = "2027-01-v2"
    row = record_information(enrolled, later, world["nurse_user"])
    in_force = {d.scope: d for d in enrolled.sharing_decisions.in_force()}
    assert in_force[Scope.TEAM] == first_team
    assert in_force[Scope.COORDINATION].decision == Decision.CONSENT and in_force[Scope.COORDINATION].information == row
    replaced = enrolled.sharing_decisions.get(scope=Scope.COORDINATION, decision=Decision.REFUSAL)
    assert replaced.end_kind == EndKind.REPLACED and replaced.withdrawn_at is not None
    entry = AuditEntry.objects.filter(action="pathways.information.recorded").latest("id")
    assert entry.health_data and entry.details["texte"] == "2027-01-v2"


def test_withdrawing_consent_twice_is_refused_in_french_and_nothing_is_saved(world, enrolled):
    record_information(enrolled, information(**{Scope.COORDINATION: Decision.CONSENT}), world["coordinator"])
    consent = enrolled.sharing_decisions.in_force().get(scope=Scope.COORDINATION)
    withdrawn = withdraw(consent, world["coordinator"], note="Courrier de la patiente")
    assert withdrawn.end_kind == EndKind.WITHDRAWN and withdrawn.withdrawn_by == world["coordinator"]
    assert AuditEntry.objects.filter(action="pathways.sharing.withdrawn", health_data=True).count() == 1
    before = _counts()
    with pytest.raises(PathwayError, match=r"a déjà été retirée le .* : il n'y a plus rien à retirer"):
        withdraw(consent, world["coordinator"])
    assert _counts() == before
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn.withdrawn_at


def test_a_replaced_decision_cannot_be_withdrawn(world, enrolled):
    first = enrolled.sharing_decisions.get(scope=Scope.TEAM)
    record_information(enrolled, information(), world["coordinator"])
    with pytest.raises(PathwayError, match="remplacée par une décision plus récente"):
        withdraw(first, world["coordinator"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"informed_by_label": " "}, "Indiquez qui a informé le patient."),
        ({"text_version": ""}, "Indiquez la version du texte d'information"),
        ({"decisions": {Scope.COORDINATION: Decision.NON_OPPOSITION}}, "« consentement » ou « refus »"),
        ({"decisions": {"partout": Decision.CONSENT}}, "Portée du partage inconnue."),
        ({"decisions": {}}, "Indiquez la décision du patient."),
    ],
)
def test_bad_information_is_refused_and_nothing_is_saved(world, enrolled, changes, message):
    info = information()
    for name, value in changes.items():
        setattr(info, name, value)
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        record_information(enrolled, info, world["coordinator"])
    assert _counts() == before


def test_someone_off_the_team_records_nothing(world, enrolled):
    before = _counts()
    with pytest.raises(PathwayError, match=r"Vous ne pouvez pas modifier ce parcours\."):
        record_information(enrolled, information(), world["other_nurse_user"])
    with pytest.raises(PathwayError, match=r"Vous ne pouvez pas modifier ce parcours\."):
        withdraw(enrolled.sharing_decisions.get(), world["regulator"])
    assert _counts() == before
