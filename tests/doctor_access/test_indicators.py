from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.doctor_access.states import Status
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period, PeriodError
from maillage.indicators.registry import REGISTRY, Mission, compute, hide_small, of_mission
from tests.doctor_access.conftest import logged_request
from tests.factories import DoctorOfferFactory, ProfessionalFactory

OCTOBER = Period.month(2026, 10)
CODES = [
    "doctor_access.waiting_by_priority",
    "doctor_access.found_doctor",
    "doctor_access.declared_doctor",
    "doctor_access.vulnerable_without_doctor",
    "doctor_access.median_wait_days",
    "doctor_access.volunteer_doctors",
    "doctor_access.new_patients_per_doctor",
]


def at(month, day, hour=0):
    return timezone.make_aware(datetime(2026, month, day, hour))


def _offer(cpts, commune, created_at, **fields):
    offer = DoctorOfferFactory(cpts=cpts, commune=commune, professional=ProfessionalFactory(), **fields)
    DoctorOffer.objects.filter(pk=offer.pk).update(created_at=created_at)
    return offer


@pytest.fixture
def october(cmv, malakoff, idf):
    """October 2026 in cmv, as the transition log tells it."""
    volunteer = _offer(cmv, malakoff, at(9, 1))
    _offer(cmv, malakoff, at(9, 1))
    _offer(cmv, malakoff, at(9, 15))
    _offer(cmv, malakoff, at(9, 1), paused=True)
    _offer(cmv, malakoff, at(9, 1), capacity=0)
    _offer(cmv, malakoff, at(11, 5))  # volunteered after October
    requests = {
        # On the list at the end of October:
        "ald": logged_request(
            cmv, malakoff, at(9, 20), (at(10, 1), "qualified"), ald=True, priority=4, birth_date=date(1980, 1, 1)
        ),
        "c2s_elderly": logged_request(
            cmv, malakoff, at(10, 5), (at(10, 6), "qualified"), c2s_ame=True, priority=0, birth_date=date(1950, 5, 5)
        ),
        "proposed": logged_request(
            cmv,
            malakoff,
            at(9, 1),
            (at(9, 2), "qualified"),
            (at(10, 28), "proposed"),
            priority=3,
            birth_date=date(1955, 1, 1),
        ),
        # Found a doctor in October:
        "accepted": logged_request(
            cmv, malakoff, at(10, 10), (at(10, 11), "qualified"), (at(10, 20), "proposed"), (at(10, 25), "accepted")
        ),
        "declared": logged_request(
            cmv,
            malakoff,
            at(8, 1),
            (at(8, 2), "qualified"),
            (at(10, 1), "proposed"),
            (at(10, 3), "accepted"),
            (at(10, 20), "declared"),
        ),
        # Neither:
        "closed": logged_request(cmv, malakoff, at(10, 15), (at(10, 16), "closed"), close_reason="withdrawn"),
        "november": logged_request(cmv, malakoff, at(11, 2), priority=0),
        "found_in_september": logged_request(
            cmv, malakoff, at(8, 1), (at(8, 2), "qualified"), (at(9, 10), "proposed"), (at(9, 12), "accepted")
        ),
        "other_cpts": logged_request(
            idf["issy"], idf["communes"]["92040"], at(10, 1), (at(10, 2), "qualified"), ald=True, priority=4
        ),
    }
    for name, decided in (("accepted", at(10, 25)), ("declared", at(10, 3)), ("found_in_september", at(9, 12))):
        Proposal.objects.create(
            request=requests[name],
            offer=volunteer,
            status=Proposal.Status.ACCEPTED,
            created_at=decided - timedelta(days=2),
            decided_at=decided,
            expires_at=decided + timedelta(days=5),
        )
    return requests


def test_the_seven_indicators_of_the_access_mission_are_registered():
    indicators = of_mission(Mission.DOCTOR_ACCESS)
    computed = [i for i in indicators if not i.external]  # the CPAM's figures are entered, not computed
    assert [i.code for i in computed] == CODES
    assert {i.code for i in computed if i.counts_people} == set(CODES[:4])


def test_waiting_by_priority_class_at_the_end_of_the_period(cmv, october):
    value = REGISTRY["doctor_access.waiting_by_priority"].value(cmv, OCTOBER)
    assert value == {"priorité 4": 1, "priorité 3": 1, "non prioritaire": 1}
    assert list(value) == ["priorité 4", "priorité 3", "non prioritaire"]


def test_found_a_doctor_during_the_period(cmv, october):
    assert REGISTRY["doctor_access.found_doctor"].value(cmv, OCTOBER) == 2
    assert REGISTRY["doctor_access.found_doctor"].value(cmv, Period.month(2026, 9)) == 1


def test_vulnerable_patients_without_a_doctor(cmv, october):
    value = REGISTRY["doctor_access.vulnerable_without_doctor"].value(cmv, OCTOBER)
    assert value == {"ALD": 1, "70 ans ou plus": 2, "C2S ou AME": 1}


def test_median_wait_of_the_patients_on_the_list(cmv, october):
    # 42 days (received 20/09), 27 days (05/10) and 61 days (01/09) at the end of October.
    assert REGISTRY["doctor_access.median_wait_days"].value(cmv, OCTOBER) == 42


def test_volunteer_doctors_and_new_patients_per_doctor(cmv, october):
    assert REGISTRY["doctor_access.volunteer_doctors"].value(cmv, OCTOBER) == 3
    assert REGISTRY["doctor_access.volunteer_doctors"].value(cmv, Period.current_month()) == 4
    # Two patients accepted in October for three volunteers.
    assert REGISTRY["doctor_access.new_patients_per_doctor"].value(cmv, OCTOBER) == 0.67


def test_a_past_period_keeps_its_figures_when_requests_move_on(cmv, october, coordinator):
    before = compute(cmv, OCTOBER, CODES)
    waiting = october["ald"]
    move(waiting, Status.PROPOSED, None)
    move(waiting, Status.ACCEPTED, coordinator)
    move(october["c2s_elderly"], Status.CLOSED, coordinator, close_reason="found_elsewhere")
    assert compute(cmv, OCTOBER, CODES) == before
    now = Period.current_month()  # the moves above happened now
    assert compute(cmv, now, ["doctor_access.found_doctor"]) == {"doctor_access.found_doctor": 1}
    assert REGISTRY["doctor_access.waiting_by_priority"].value(cmv, now) == {
        "priorité 3": 1,
        "non prioritaire": 1,
    }


def test_nothing_to_count(cmv):
    assert compute(cmv, OCTOBER, CODES) == {
        "doctor_access.waiting_by_priority": {},
        "doctor_access.found_doctor": 0,
        "doctor_access.declared_doctor": 0,
        "doctor_access.vulnerable_without_doctor": {"ALD": 0, "70 ans ou plus": 0, "C2S ou AME": 0},
        "doctor_access.median_wait_days": None,
        "doctor_access.volunteer_doctors": 0,
        "doctor_access.new_patients_per_doctor": None,
    }


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "novembre 2026"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "décembre 2026"),
        ("2026-T4", date(2026, 10, 1), date(2027, 1, 1), "4e trimestre 2026"),
        (" 2026-t1 ", date(2026, 1, 1), date(2026, 4, 1), "1er trimestre 2026"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "année 2026"),
    ],
)
def test_period_parse(text, start, end, label):
    period = Period.parse(text)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["", "novembre", "2026-13", "2026-00", "2026-T5", "26-11", "2026-11-01", "2026/11"])
def test_period_parse_refuses_junk_in_french(text):
    with pytest.raises(PeriodError, match="non reconnue : attendu 2026-11 \\(mois\\), 2026-T4 \\(trimestre\\)"):
        Period.parse(text)


def test_period_bounds_are_in_the_platform_time_zone():
    assert OCTOBER.start_at.isoformat() == "2026-10-01T00:00:00+02:00"
    assert OCTOBER.end_at.isoformat() == "2026-11-01T00:00:00+01:00"
    assert Period.current_month(date(2026, 11, 23)).code == "2026-11"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, 0),
        (1, "< 5"),
        (4, "< 5"),
        (5, 5),
        (120, 120),
        (None, None),
        (2.5, 2.5),  # a ratio is not a count
        ({"ALD": 3, "C2S ou AME": 0, "70 ans ou plus": 9}, {"ALD": "< 5", "C2S ou AME": 0, "70 ans ou plus": 9}),
    ],
)
def test_hide_small(value, shown):
    assert hide_small(value) == shown


def test_compute_indicators_command_stores_the_values(cmv, october):
    out = StringIO()
    call_command("compute_indicators", "--period", "2026-10", "--cpts", "cmv", stdout=out)
    rows = {v.code: v for v in IndicatorValue.objects.filter(cpts=cmv, code__in=CODES)}
    assert set(rows) == set(CODES)
    assert rows["doctor_access.waiting_by_priority"].value == {"priorité 4": 1, "priorité 3": 1, "non prioritaire": 1}
    assert rows["doctor_access.found_doctor"].value == 2
    assert rows["doctor_access.median_wait_days"].value == 42
    assert {(v.period, v.period_start, v.period_end) for v in rows.values()} == {
        ("2026-10", date(2026, 10, 1), date(2026, 11, 1))
    }
    assert "CPTS Châtillon-Malakoff-Vanves — octobre 2026 :" in out.getvalue()
    assert "Patients ayant trouvé un médecin traitant : 2" in out.getvalue()
    # Run again: the values are replaced, not duplicated.
    call_command("compute_indicators", "--period", "2026-10", "--cpts", "cmv", stdout=StringIO())
    assert IndicatorValue.objects.filter(cpts=cmv, code__in=CODES).count() == len(CODES)


def test_compute_indicators_for_every_cpts_by_default(idf):
    call_command("compute_indicators", "--period", "2026-T3", stdout=StringIO())
    assert set(IndicatorValue.objects.values_list("cpts__slug", flat=True)) == {"cmv", "issy", "paris-13"}
    assert set(IndicatorValue.objects.values_list("period", flat=True)) == {"2026-T3"}


def test_compute_indicators_refuses_a_bad_period_or_cpts(idf):
    with pytest.raises(CommandError, match="Période « 2026-14 » non reconnue"):
        call_command("compute_indicators", "--period", "2026-14", stdout=StringIO())
    with pytest.raises(CommandError, match="Aucune CPTS n'a l'adresse « nulle-part »"):
        call_command("compute_indicators", "--cpts", "nulle-part", stdout=StringIO())
    assert not IndicatorValue.objects.exists()
