"""Issue 16 item 4 — board mandates: who sits on a date, renewal due, refusals, history, pages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from maillage.association import board
from maillage.association.actions import AssociationError
from maillage.association.actions.board import MandateDraft, create_mandate, end_mandate
from maillage.association.models import Mandate, Member
from maillage.association.models.board import BoardRole, Body
from maillage.core.models import AuditEntry
from tests.association.board_helpers import member
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

START, END = date(2025, 6, 1), date(2028, 5, 31)


def seat(cpts, who, role=BoardRole.DIRECTOR, body=Body.BOARD, start=START, end=END):
    return create_mandate(cpts, MandateDraft(who, body, role, start, end), None)


def test_board_members_are_those_holding_a_mandate_that_day(idf):
    cmv = idf["cmv"]
    president, director, former, later = (member(cmv) for _ in range(4))
    seat(cmv, president, BoardRole.PRESIDENT, Body.BUREAU)
    seat(cmv, director)
    end_mandate(seat(cmv, former), None, on=date(2025, 12, 31), note="Démission")
    seat(cmv, later, start=date(2027, 1, 1))
    other = member(idf["paris13"])
    seat(idf["paris13"], other)

    on = date(2026, 3, 1)
    assert list(board.board_members(cmv, on)) == [president, director]
    assert set(board.board_members(cmv, date(2025, 12, 31))) == {president, director, former}
    assert set(board.board_members(cmv, END)) == {president, director, later}
    assert not board.board_members(cmv, END + timedelta(days=1)).exists()
    # Bureau first, président first.
    shown = board.sorted_mandates(board.mandates_on(cmv, on).select_related("member"))
    assert [m.role for m in shown] == [BoardRole.PRESIDENT, BoardRole.DIRECTOR]


def test_a_mandate_ending_within_90_days_is_due_for_renewal(idf):
    cmv = idf["cmv"]
    mandate = seat(cmv, member(cmv))
    assert board.renewal_due(mandate, END - timedelta(days=90))
    assert board.renewal_due(mandate, END)
    assert not board.renewal_due(mandate, END - timedelta(days=91))
    assert not board.renewal_due(mandate, END + timedelta(days=1))
    ended = end_mandate(mandate, None, on=date(2026, 1, 31))
    assert not board.renewal_due(ended, date(2026, 1, 15))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_cpts", "n'est pas adhérente de la CPTS"),
        ("pending", "n'est pas adhérent à jour"),
        ("expired", "n'est pas adhérent à jour"),
        ("end_before_start", "est avant son début"),
        ("second_president", "a déjà un président sur cette période"),
        ("same_body_twice", "siège déjà au conseil d'administration"),
        ("no_end", "Indiquez la date de fin"),
    ],
)
def test_refusals_say_why_in_french_and_write_nothing(idf, case, message):
    cmv = idf["cmv"]
    sitting = member(cmv)
    seat(cmv, sitting, BoardRole.PRESIDENT, Body.BUREAU)
    seat(cmv, sitting)
    before = (Mandate.objects.count(), AuditEntry.objects.count())
    who, role, body, start, end = member(cmv), BoardRole.DIRECTOR, Body.BOARD, START, END
    if case == "other_cpts":
        who = member(idf["paris13"])
    elif case == "pending":
        who = member(cmv, status=Member.Status.PENDING)
    elif case == "expired":
        who = member(cmv, status=Member.Status.EXPIRED)
    elif case == "end_before_start":
        end = START - timedelta(days=1)
    elif case == "second_president":
        role, body, start, end = BoardRole.PRESIDENT, Body.BOARD, date(2027, 1, 1), date(2029, 1, 1)
    elif case == "same_body_twice":
        who, start = sitting, date(2026, 1, 1)
    elif case == "no_end":
        end = None
    with pytest.raises(AssociationError, match=message):
        create_mandate(cmv, MandateDraft(who, body, role, start, end), None)
    assert (Mandate.objects.count(), AuditEntry.objects.count()) == before


def test_a_new_president_once_the_former_one_has_left(idf):
    cmv = idf["cmv"]
    first = seat(cmv, member(cmv), BoardRole.PRESIDENT, Body.BUREAU)
    end_mandate(first, None, on=date(2026, 6, 30), note="Démission")
    second = seat(cmv, member(cmv), BoardRole.PRESIDENT, Body.BUREAU, start=date(2026, 7, 1))
    assert [m.pk for m in Mandate.objects.filter(cpts=cmv, role=BoardRole.PRESIDENT).order_by("start_on")] == [
        first.pk,
        second.pk,
    ]
    first.refresh_from_db()
    assert first.ended_early and first.end_on == date(2026, 6, 30) and first.end_note == "Démission"
    assert AuditEntry.objects.filter(action="association.mandate.ended").count() == 1


def test_ending_a_mandate_outside_its_term_is_refused(idf):
    cmv = idf["cmv"]
    mandate = seat(cmv, member(cmv))
    with pytest.raises(AssociationError, match="entre son début"):
        end_mandate(mandate, None, on=END + timedelta(days=1))
    end_mandate(mandate, None, on=date(2026, 1, 1))
    with pytest.raises(AssociationError, match="déjà pris fin"):
        end_mandate(mandate, None, on=date(2026, 1, 1))


def test_the_coordinator_names_and_ends_mandates_on_the_board_page(idf, login):
    cmv = idf["cmv"]
    client = login(RoleFactory(coordinator=True, cpts=cmv).user)
    today = timezone.localdate()
    who = member(cmv, last_name="Lambert", first_name="Sophie")
    seat(cmv, member(cmv, last_name="Durand"), start=today - timedelta(days=300), end=today + timedelta(days=30))

    page = client.get("/c/cmv/association/conseil/").content.decode()
    assert "Durand" in page and "renouvellement à prévoir" in page

    data = {"member": who.pk, "body": "bureau", "role": "president", "start_on": "2026-01-10", "end_on": "2025-01-09"}
    refused = client.post("/c/cmv/association/conseil/nouveau/", data)
    assert refused.status_code == 400
    assert "La fin du mandat (09/01/2025) est avant son début (10/01/2026)" in refused.content.decode()
    assert not Mandate.objects.filter(member=who).exists()

    data["end_on"] = "2029-01-09"
    done = client.post("/c/cmv/association/conseil/nouveau/", data)
    assert done.status_code == 302
    mandate = Mandate.objects.get(member=who)
    assert (mandate.body, mandate.role) == ("bureau", "president")

    end_page = f"/c/cmv/association/conseil/{mandate.pk}/fin/"
    assert client.get(end_page).status_code == 200
    ended = client.post(end_page, {"on": "2026-02-01", "note": "Démission", "version": mandate.version})
    assert ended.status_code == 302
    mandate.refresh_from_db()
    assert mandate.ended_early and mandate.end_on == date(2026, 2, 1)
    page = client.get("/c/cmv/association/conseil/").content.decode()
    assert "avant son terme (Démission)" in page


def test_the_demo_builds_a_board_rates_and_time(association):
    from maillage.association import demo_board
    from maillage.association.models import HourlyRate, TimeEntry

    cmv, today = association["cpts"], timezone.localdate()
    members = list(association["members"].values())
    demo_board.build(cmv, members, association["coordinator"])
    held = {(m.body, m.role) for m in board.mandates_on(cmv, today)}
    assert {("bureau", "president"), ("bureau", "tresorier"), ("bureau", "secretaire")} <= held
    colleges = {m.member.college.code for m in board.mandates_on(cmv, today).select_related("member__college")}
    assert len(colleges) >= 3
    assert any(board.renewal_due(m, today) for m in board.mandates_on(cmv, today))
    assert HourlyRate.objects.filter(cpts=cmv).count() == 8
    assert TimeEntry.objects.filter(cpts=cmv, on__year=today.year).exists()
    assert not TimeEntry.objects.filter(on__gt=today).exists()
    again = Mandate.objects.count()
    demo_board.build(cmv, members, association["coordinator"])  # a second load adds nothing
    assert Mandate.objects.count() == again


def test_a_board_meeting_convenes_the_board_in_office_on_its_day(idf):
    from maillage.association.assembly_rules import electorate
    from maillage.association.models import Assembly

    cmv = idf["cmv"]
    president, director, lapsed = member(cmv), member(cmv), member(cmv)
    member(cmv)  # a member off the board
    seat(cmv, president, BoardRole.PRESIDENT, Body.BUREAU)
    seat(cmv, director)
    seat(cmv, lapsed)
    Member.objects.filter(pk=lapsed.pk).update(status=Member.Status.EXPIRED)  # sits, but does not vote
    starts_at = timezone.make_aware(timezone.datetime(2026, 3, 1, 18, 0))
    meeting = Assembly.objects.create(cpts=cmv, kind="board", title="CA", place="Siège", starts_at=starts_at)
    assert set(electorate(meeting)) == {president, director}


def test_the_librarys_board_folders_follow_the_mandates(idf):
    from maillage.association.access import is_board_member

    cmv = idf["cmv"]
    director, other = member(cmv), member(cmv)
    mandate = seat(cmv, director, start=date(2025, 1, 1), end=date(2027, 12, 31))
    assert is_board_member(director, date(2026, 6, 1)) and not is_board_member(other, date(2026, 6, 1))
    end_mandate(mandate, None, on=date(2026, 6, 30), note="Démission")
    assert not is_board_member(director, date(2026, 7, 1))
