"""Issue 17 — centres and shifts: sign-ups without double booking, overlap or overbooking (race-safe
on PostgreSQL), hours per volunteer for payment and their XLSX export."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from openpyxl import load_workbook

from maillage.core.models import AuditEntry
from maillage.crisis.models import Shift, ShiftSignup
from maillage.crisis.response_centres import ResponseError, add_shift, cancel_signup, hours, hours_xlsx, sign_up
from tests.crisis.conftest import at, build_response
from tests.factories import RoleFactory


def test_a_member_signs_up_once_and_it_is_audited(response):
    member = response["members"][0]
    signup = sign_up(response["morning"], member, member)
    assert signup.volunteer == member and signup.signed_up_by == member
    assert AuditEntry.objects.filter(action="crisis.shift.signed_up", object_id=str(signup.pk)).exists()
    with pytest.raises(ResponseError, match="Vous êtes déjà inscrit sur ce créneau"):
        sign_up(response["morning"], member, member)
    assert ShiftSignup.objects.count() == 1


def test_two_overlapping_shifts_are_refused_with_the_first_named(response):
    member = response["members"][0]
    sign_up(response["morning"], member, member)
    with pytest.raises(ResponseError, match="se chevauchent") as refused:
        sign_up(response["late_morning"], member, member)
    assert "Centre de vaccination de Malakoff" in str(refused.value) and "de 08:00 à 12:00" in str(refused.value)
    sign_up(response["afternoon"], member, member)  # 14 h after 12 h: no overlap
    assert ShiftSignup.objects.filter(volunteer=member).count() == 2


def test_a_full_shift_is_refused_and_nothing_is_written(response):
    first, second = response["members"][:2]
    sign_up(response["afternoon"], first, first)
    with pytest.raises(ResponseError, match="Ce créneau est complet"):
        sign_up(response["afternoon"], second, second)
    assert ShiftSignup.objects.filter(shift=response["afternoon"]).count() == 1
    assert not AuditEntry.objects.filter(action="crisis.shift.signed_up", details__bénévole="Prénom1 Nom1").exists()


def test_the_coordinator_signs_a_member_up_but_not_someone_of_another_cpts(response):
    coordinator, member = response["coordinator"], response["members"][1]
    signup = sign_up(response["morning"], member, coordinator)
    assert signup.signed_up_by == coordinator
    with pytest.raises(ResponseError, match="Nom1 est déjà inscrit"):
        sign_up(response["late_morning"], member, coordinator)
    with pytest.raises(ResponseError, match="n'est pas membre de la CPTS"):
        sign_up(response["morning"], response["other_member"], coordinator)


def test_a_member_cannot_sign_up_for_a_shift_already_started_but_the_coordinator_records_it(response):
    coordinator, member = response["coordinator"], response["members"][0]
    yesterday = timezone.localdate() - timedelta(days=1)
    past = add_shift(response["centre"], coordinator, starts_at=at(yesterday, 9), ends_at=at(yesterday, 12, 30),
                     capacity=3, role="test")  # fmt: skip
    with pytest.raises(ResponseError, match="déjà commencé"):
        sign_up(past, member, member)
    sign_up(past, member, coordinator)
    [row] = hours(response["crisis"])
    assert (row.name, row.shifts, row.minutes, row.hours) == ("Prénom0 Nom0", 1, 210, "3 h 30")


def test_bad_shifts_are_refused_in_french(response):
    centre, coordinator = response["centre"], response["coordinator"]
    day = timezone.localdate() + timedelta(days=2)
    cases = [
        ({"starts_at": at(day, 12), "ends_at": at(day, 10), "capacity": 1}, "La fin du créneau doit être après"),
        ({"starts_at": at(day, 8), "ends_at": at(day, 10), "capacity": 0}, "entre 1 et 200"),
        ({"starts_at": at(day - timedelta(days=30), 8), "ends_at": at(day - timedelta(days=30), 10), "capacity": 1},
         "ne peut pas commencer avant"),
    ]  # fmt: skip
    for fields, message in cases:
        with pytest.raises(ResponseError, match=message):
            add_shift(centre, coordinator, role="vaccinate", **fields)
    assert Shift.objects.filter(centre=centre).count() == 3


def test_a_volunteer_withdraws_before_the_shift(response):
    member = response["members"][0]
    signup = sign_up(response["morning"], member, member)
    cancel_signup(signup, member)
    assert not ShiftSignup.objects.exists()
    assert AuditEntry.objects.filter(action="crisis.shift.signup_cancelled").exists()


def test_the_hours_export_is_data_only(response):
    coordinator = response["coordinator"]
    member = response["members"][0]
    member.first_name = "=HYPERLINK(1)"
    member.save()
    yesterday = timezone.localdate() - timedelta(days=1)
    past = add_shift(response["centre"], coordinator, starts_at=at(yesterday, 8), ends_at=at(yesterday, 12),
                     capacity=3, role="test")  # fmt: skip
    sign_up(past, member, coordinator)
    sheet = load_workbook(io.BytesIO(hours_xlsx(response["crisis"], coordinator))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Bénévole", "Adresse électronique", "RPPS", "Créneaux", "Minutes")
    assert rows[1][0] == "=HYPERLINK(1) Nom0" and rows[1][3:5] == (1, 240)
    assert sheet.cell(2, 1).data_type == "s"
    assert AuditEntry.objects.filter(action="crisis.hours.exported").exists()


@pytest.mark.django_db(transaction=True)
def test_eight_volunteers_at_once_never_overbook_a_shift(idf):
    """Eight members sign up for a two-place shift at the same moment (PostgreSQL: real row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("La concurrence réelle se vérifie sur PostgreSQL (SQLite n'a qu'un écrivain à la fois).")
    world = build_response(idf)
    shift = world["morning"]
    people = [world["members"][0], world["members"][1], world["members"][2]]
    people += [RoleFactory(cpts=idf["cmv"]).user for _ in range(5)]
    barrier, outcomes = threading.Barrier(len(people)), []

    def attempt(person):
        try:
            barrier.wait()
            sign_up(Shift.objects.get(pk=shift.pk), person, person)
            outcomes.append("inscrit")
        except ResponseError:
            outcomes.append("refusé")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["inscrit"] * 2 + ["refusé"] * 6
    assert ShiftSignup.objects.filter(shift=shift).count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_person_twice_at_once_on_overlapping_shifts_gets_one(idf):
    """The same member signs up for two overlapping shifts from two tabs at once: one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("La concurrence réelle se vérifie sur PostgreSQL (SQLite n'a qu'un écrivain à la fois).")
    world = build_response(idf)
    member = world["members"][0]
    shifts = [world["morning"], world["late_morning"]] * 2
    barrier, outcomes = threading.Barrier(len(shifts)), []

    def attempt(shift):
        try:
            barrier.wait()
            sign_up(Shift.objects.get(pk=shift.pk), member, member)
            outcomes.append("inscrit")
        except ResponseError:
            outcomes.append("refusé")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(shift,)) for shift in shifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["inscrit"] + ["refusé"] * 3
    assert ShiftSignup.objects.filter(volunteer=member).count() == 1
