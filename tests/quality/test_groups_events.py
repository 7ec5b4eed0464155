"""Peer groups' sessions and adverse events: no patient identity, participants among the group,
attendance per member and year; events analysed in a session, actions followed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from maillage.quality import reading
from maillage.quality.actions import QualityError, events, groups
from maillage.quality.models import AdverseEvent, GroupSession
from tests.quality.conftest import session

TODAY = timezone.localdate


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ("Patient 1 85 05 75 123 456 78, sortie d'hôpital.", "numéro de sécurité sociale"),
        ("Mme X, née le 12/03/1941, chute.", "date de naissance"),
        ("Patient, DDN : 3-4-1950.", "date de naissance"),
        ("Homme né en 1947.", "date de naissance"),
    ],
)
def test_a_patient_identity_in_the_cases_is_refused_and_nothing_is_saved(quality, cases, message):
    with pytest.raises(QualityError, match=message):
        session(quality["group"], [quality["gp"]], cases=cases)
    assert not GroupSession.objects.exists()


def test_ordinary_figures_and_dates_pass(quality):
    found = session(quality["group"], [quality["gp"]], cases="Une femme de 80 ans, sortie le 12/03/2026, 3 chutes.")
    assert found.attendances.count() == 1


def test_participants_are_members_of_the_group(quality):
    with pytest.raises(QualityError, match="Paul Martin n'était pas membre du groupe"):
        other = groups.create_group(quality["cmv"], kind="peers", name="Pairs")
        groups.add_member(other, quality["gp"])
        session(other, [quality["gp"], quality["pharmacist"]])
    with pytest.raises(QualityError, match="Cochez les membres du groupe présents"):
        session(quality["group"], [])


def test_a_session_in_the_future_or_of_absurd_length_is_refused(quality):
    with pytest.raises(QualityError, match="Une séance se saisit une fois tenue"):
        session(quality["group"], [quality["gp"]], day=TODAY() + timedelta(days=1))
    with pytest.raises(QualityError, match="de 0,5 à 12 heures"):
        session(quality["group"], [quality["gp"]], hours="13")


def test_a_member_outside_the_directory_is_refused_and_twice_is_refused(quality):
    with pytest.raises(QualityError, match="n'est pas dans l'annuaire de la CPTS"):
        groups.add_member(quality["group"], quality["outsider"])
    with pytest.raises(QualityError, match="est déjà membre du groupe"):
        groups.add_member(quality["group"], quality["gp"])
    with pytest.raises(QualityError, match="Un groupe « gap malakoff » existe déjà"):
        groups.create_group(quality["cmv"], kind="gap", name="gap malakoff")


def test_attendance_is_counted_per_member_per_year(quality):
    g, gp, nurse = quality["group"], quality["gp"], quality["nurse"]
    year = TODAY().year
    session(g, [gp, nurse], day=date(year, 1, 10), hours="2")
    session(g, [gp], day=date(year, 1, 20), hours="1.5")
    session(g, [gp, nurse], day=date(year - 1, 11, 5), hours="3")
    rows = {row.name: row for row in reading.attendance(quality["cmv"], year)}
    assert (rows["Leroy Anne"].sessions, rows["Leroy Anne"].hours) == (2, Decimal("3.5"))
    assert (rows["Bernard Claire"].sessions, rows["Bernard Claire"].hours) == (1, Decimal("2"))
    assert rows["Martin Paul"].sessions == 0 and rows["Martin Paul"].groups == ["GAP Malakoff"]
    mix = reading.profession_mix(quality["group"].members.select_related("professional"))
    assert sorted(mix) == [("Infirmier", 1), ("Médecin", 1), ("Pharmacien", 1)]


def test_an_event_is_declared_analysed_and_its_actions_followed(quality):
    draft = events.EventDraft(TODAY() - timedelta(days=3), "transmission", "temporary", "Compte rendu non transmis.")
    event = events.declare_event(quality["cmv"], draft, quality["gp_user"])
    held = session(quality["group"], [quality["gp"]])
    events.analyse_event(event, session=held, analysis="Pas de circuit défini.", actor=quality["coordinator"])
    action = events.add_action(event, title="Écrire le circuit", owner="Dr Leroy", due_on=TODAY())
    events.mark_done(action)
    with pytest.raises(QualityError, match="est déjà faite"):
        events.mark_done(action)
    event.refresh_from_db()
    assert (event.status, event.session, event.analysed_on) == ("analysed", held, held.held_on)


@pytest.mark.parametrize(
    ("description", "message"),
    [("", "Décrivez ce qui s'est passé."), ("NIR 2 41 03 75 112 233 45", "numéro de sécurité sociale")],
)
def test_a_bad_declaration_is_refused(quality, description, message):
    draft = events.EventDraft(TODAY(), "medication", "none", description)
    with pytest.raises(QualityError, match=message):
        events.declare_event(quality["cmv"], draft, None)
    assert not AdverseEvent.objects.exists()


def test_an_event_is_analysed_in_a_session_of_its_cpts_held_after_it(quality):
    event = events.declare_event(quality["cmv"], events.EventDraft(TODAY(), "fall", "none", "Chute au domicile."))
    before = session(quality["group"], [quality["gp"]], day=TODAY() - timedelta(days=2))
    with pytest.raises(QualityError, match="a eu lieu avant l'événement"):
        events.analyse_event(event, session=before, analysis="x")
    other = groups.create_group(quality["paris13"], kind="gap", name="GAP Paris")
    with pytest.raises(QualityError, match="n'est pas une séance d'un groupe de la CPTS"):
        events.analyse_event(event, session=GroupSession(group=other, cpts=quality["paris13"], held_on=TODAY()),
                             analysis="x")  # fmt: skip
