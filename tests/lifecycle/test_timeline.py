"""Deadlines counted from the ACI signature, met or late, and what other apps read."""

from datetime import date

from maillage.lifecycle import actions
from maillage.lifecycle.timeline import aci_signed_on, deadlines, deadlines_from, phase_of, validation_from
from tests.lifecycle.conftest import TODAY, date_all


def _by_key(found):
    return {(d.mission, d.kind): d for d in found}


def test_no_deadline_before_the_aci_is_signed(idf):
    assert deadlines(idf["cmv"], today=TODAY) == []
    assert aci_signed_on(idf["cmv"]) is None


def test_mission_deadlines_counted_from_the_signature(signed):
    found = _by_key(deadlines(signed, today=TODAY))
    assert aci_signed_on(signed) == date(2023, 3, 15)
    # Quality and support are optional: no deadline. Four missions × start and deployment.
    assert {mission for mission, _ in found} == {"access", "pathways", "prevention", "crisis"}
    assert found["access", "start"].due == date(2023, 9, 15)
    assert found["access", "deployment"].due == date(2024, 9, 15)
    assert found["pathways", "start"].due == date(2024, 3, 15)
    assert found["pathways", "deployment"].due == date(2025, 3, 15)
    assert found["prevention", "deployment"].due == date(2025, 3, 15)
    assert found["crisis", "start"].due == date(2023, 9, 15)
    assert found["crisis", "deployment"].due == date(2024, 9, 15)
    # Nothing dated yet and every due date is past: all late.
    assert all(d.late and d.met_on is None for d in found.values())


def test_a_deadline_is_met_on_or_before_its_date_and_late_after(signed):
    date_all(
        signed,
        [
            ("start_access", date(2023, 9, 15)),
            ("start_crisis", date(2023, 9, 16)),
            ("start_pathways", date(2024, 1, 2)),
        ],
    )
    found = _by_key(deadlines(signed, today=TODAY))
    assert found["access", "start"].met_on == date(2023, 9, 15)  # on the due date: met
    assert not found["access", "start"].late
    crisis = found["crisis", "start"]  # one day after: not met, late, its date still shown
    assert (crisis.met_on, crisis.late, crisis.done_on) == (None, True, date(2023, 9, 16))
    assert not found["pathways", "start"].late


def test_not_late_before_the_due_date():
    found = _by_key(deadlines_from({"aci_signed": date(2026, 9, 1)}, date(2027, 3, 1)))
    assert not found["access", "start"].late  # due 2027-03-01: today is the last day
    found = _by_key(deadlines_from({"aci_signed": date(2026, 9, 1)}, date(2027, 3, 2)))
    assert found["access", "start"].late
    assert not found["pathways", "start"].late


def test_ars_silence_validates_the_projet():
    validation = validation_from({"project_submitted": date(2026, 6, 10)})
    assert validation.deemed_on == date(2026, 8, 10)
    assert not validation.validated(date(2026, 8, 9))
    assert validation.validated(date(2026, 8, 10))
    answered = validation_from({"project_submitted": date(2026, 6, 10), "ars_response": date(2026, 7, 1)})
    assert answered.validated(date(2026, 7, 1)) and answered.validated_on == date(2026, 7, 1)
    assert validation_from({}) is None


def test_phase_of(idf):
    assert phase_of(idf["cmv"]) == "ideation"  # no lifecycle yet
    date_all(idf["cmv"], [("letter_of_intent", date(2026, 1, 5))])
    actions.move_phase(idf["cmv"], "conception", actor=None, today=TODAY)
    assert phase_of(idf["cmv"]) == "conception"
