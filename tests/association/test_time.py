"""Issue 16 item 6 — paying professionals for their time: rates, entries and their refusals, the
yearly statement (DOCX, XLSX) for the coordinator and for the member in the members' space."""

import io
from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from maillage.association.actions import AssociationError
from maillage.association.actions.time import TimeDraft, amount, rate_on, record_time, set_rate
from maillage.association.models import Member, TimeEntry
from maillage.association.models.board import TimeActivity
from maillage.core.models import AuditEntry
from tests.association.board_helpers import member
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture
def rates(idf):
    cmv = idf["cmv"]
    set_rate(cmv, None, activity=TimeActivity.RCP, amount_cents=8000, since=date(2025, 1, 1))
    set_rate(cmv, None, activity=TimeActivity.RCP, amount_cents=9000, since=date(2026, 7, 1))
    set_rate(cmv, None, activity=TimeActivity.ASSEMBLY, amount_cents=0, since=date(2025, 1, 1))
    return cmv


def entry(cpts, who, on=date(2026, 3, 2), minutes=90, activity=TimeActivity.RCP, note=""):
    return record_time(cpts, TimeDraft(who, activity, on, minutes, note), None, today=TODAY)


def test_an_entry_takes_the_rate_of_its_day_and_keeps_it(idf, rates):
    who = member(rates)
    before = entry(rates, who, on=date(2026, 6, 30), minutes=90)
    after = entry(rates, who, on=date(2026, 7, 1), minutes=50)
    assert (before.rate_cents, before.amount_cents) == (8000, 12000)
    assert (after.rate_cents, after.amount_cents) == (9000, 7500)
    set_rate(rates, None, activity=TimeActivity.RCP, amount_cents=10000, since=date(2026, 1, 1))
    before.refresh_from_db()
    assert before.amount_cents == 12000  # recorded amounts never change
    assert rate_on(rates, TimeActivity.RCP, date(2026, 6, 30)).amount_cents == 10000
    assert amount(1, 8000) == 133 and amount(7, 9000) == 1050 and amount(1, 50) == 1
    assert entry(rates, who, activity=TimeActivity.ASSEMBLY).amount_cents == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("negative", "au moins une minute"),
        ("zero", "au moins une minute"),
        ("over_a_day", "dépasse 24 heures"),
        ("future", "est à venir"),
        ("other_cpts", "n'est pas adhérente de la CPTS"),
        ("pending", "n'est pas encore validée"),
        ("cancelled", "n'est plus adhérent à cette date"),
        ("no_rate", "Aucun tarif horaire n'est fixé pour « formation » au 02/03/2026"),
        ("before_any_rate", "Aucun tarif horaire"),
    ],
)
def test_refusals_say_why_in_french_and_write_nothing(idf, rates, case, message):
    who, on, minutes, activity = member(rates), date(2026, 3, 2), 60, TimeActivity.RCP
    if case == "negative":
        minutes = -30
    elif case == "zero":
        minutes = 0
    elif case == "over_a_day":
        minutes = 24 * 60 + 1
    elif case == "future":
        on = TODAY + timedelta(days=1)
    elif case == "other_cpts":
        who = member(idf["paris13"])
    elif case == "pending":
        who = member(rates, status=Member.Status.PENDING)
    elif case == "cancelled":
        who = member(rates, status=Member.Status.CANCELLED, cancelled_on=date(2026, 1, 31))
    elif case == "no_rate":
        activity = TimeActivity.TRAINING
    elif case == "before_any_rate":
        on = date(2024, 12, 31)
    before = (TimeEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(AssociationError, match=message):
        entry(rates, who, on=on, minutes=minutes, activity=activity)
    assert (TimeEntry.objects.count(), AuditEntry.objects.count()) == before


def test_a_full_day_and_time_before_a_cancellation_are_accepted(idf, rates):
    left = member(rates, status=Member.Status.CANCELLED, cancelled_on=date(2026, 6, 30))
    assert entry(rates, left, on=date(2026, 6, 30), minutes=24 * 60).amount_cents == 24 * 8000


def _statement_rows(content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_the_coordinator_records_time_and_downloads_a_members_statement(idf, rates, login):
    client = login(RoleFactory(coordinator=True, cpts=rates).user)
    who = member(rates, last_name="Fabre", first_name="Lucie")
    today = timezone.localdate()
    set_rate(rates, None, activity=TimeActivity.WORKING_GROUP, amount_cents=6000, since=date(today.year, 1, 1))

    refused = client.post(
        "/c/cmv/association/temps/saisir/",
        {"member": who.pk, "activity": "groupe_travail", "on": today.isoformat(), "minutes": "-15"},
    )
    assert refused.status_code == 400 and "La durée doit être d'au moins une minute." in unescape(
        refused.content.decode()
    )
    done = client.post(
        "/c/cmv/association/temps/saisir/",
        {"member": who.pk, "activity": "groupe_travail", "on": today.isoformat(), "minutes": "150", "note": "=1+1"},
    )
    assert done.status_code == 302
    page = client.get("/c/cmv/association/temps/").content.decode()
    assert "Fabre" in page and "2 h 30" in page and "150,00" in page

    rate = client.post("/c/cmv/association/temps/tarifs/", {"activity": "formation", "amount": "45,50",
                                                             "since": today.isoformat()})  # fmt: skip
    assert rate.status_code == 302 and rate_on(rates, TimeActivity.TRAINING, today).amount_cents == 4550
    bad_rate = client.post("/c/cmv/association/temps/tarifs/", {"activity": "formation", "amount": "beaucoup",
                                                                 "since": today.isoformat()})  # fmt: skip
    assert bad_rate.status_code == 400

    rows = _statement_rows(client.get(f"/c/cmv/association/temps/releve/{who.pk}/{today.year}.xlsx").content)
    header = rows.index(("Date", "Activité", "Durée (minutes)", "Durée (heures)", "Tarif horaire (€)", "Montant (€)",
                         "Note"))  # fmt: skip
    detail = rows[header + 1]
    assert detail[1:4] == ("groupe de travail", 150, 2.5) and detail[5] == 150 and detail[6] == "=1+1"
    assert rows[-1][0] == "Total" and rows[-1][5] == 150
    sheet = load_workbook(io.BytesIO(client.get(f"/c/cmv/association/temps/releve/{who.pk}/{today.year}.xlsx").content))
    assert not any(cell.data_type == "f" for s in sheet.worksheets for row in s.iter_rows() for cell in row)

    document = Document(io.BytesIO(client.get(f"/c/cmv/association/temps/releve/{who.pk}/{today.year}.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Montant total : 150,00\u00a0€" in text and "Temps total : 2 h 30" in text

    entry_pk = TimeEntry.objects.get(member=who).pk
    assert client.post(f"/c/cmv/association/temps/{entry_pk}/supprimer/").status_code == 302
    assert not TimeEntry.objects.filter(pk=entry_pk).exists()
    assert AuditEntry.objects.filter(action="association.time.deleted").count() == 1


def test_a_member_reads_only_their_own_statements_in_the_members_space(idf, rates, login):
    from maillage.accounts.models import RoleKind

    user = RoleFactory(kind=RoleKind.ADHERENT, cpts=rates).user
    mine = member(rates, user=user, last_name="Moreau")
    other = member(rates, last_name="Petitjean")
    entry(rates, mine, minutes=60)
    entry(rates, other, minutes=120, note="Note de Petitjean")
    client = login(user)
    page = client.get("/c/cmv/adherent/temps/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mon temps rétribué" in text and "Petitjean" not in text and "80,00" in text
    rows = _statement_rows(client.get("/c/cmv/adherent/temps/2026.xlsx").content)
    assert ("Adhérent", mine.display_name) in [row[:2] for row in rows] and rows[-1][5] == 80
    assert all("Petitjean" not in str(cell) for row in rows for cell in row)

    stranger = login(RoleFactory(kind=RoleKind.ADHERENT, cpts=rates).user)  # no Member of theirs
    assert stranger.get("/c/cmv/adherent/temps/").status_code == 404
    assert stranger.get("/c/cmv/adherent/temps/2026.docx").status_code == 404


def test_the_time_spent_in_held_rcp_becomes_paid_time_of_the_members_once(idf, rates, login):
    from maillage.association.actions.rcp_time import import_rcp_time
    from maillage.pathways.models import Meeting, MeetingParticipant
    from tests.factories import ProfessionalFactory

    cmv = rates
    gp, nurse, outsider = ProfessionalFactory(), ProfessionalFactory(), ProfessionalFactory()
    gp_member = member(cmv, professional=gp, last_name="Leroy")
    member(cmv, professional=nurse, status=Member.Status.PENDING)
    when = timezone.make_aware(timezone.datetime(2026, 3, 10, 13, 0))

    def meeting(status, starts_at=when):
        held = Meeting.objects.create(cpts=cmv, title="RCP diabète", starts_at=starts_at, remote=True, status=status)
        for professional, minutes in ((gp, 45), (nurse, 45), (outsider, 30)):
            MeetingParticipant.objects.create(meeting=held, professional=professional, name="x", minutes=minutes)
        return held

    meeting("held")
    meeting("planned")
    meeting("held", starts_at=when.replace(year=2024))  # outside the period
    other = Meeting.objects.create(cpts=idf["paris13"], title="RCP", starts_at=when, remote=True, status="held")
    MeetingParticipant.objects.create(meeting=other, professional=gp, name="x", minutes=60)

    done = import_rcp_time(cmv, None, start=date(2026, 1, 1), end=date(2026, 12, 31), today=TODAY)
    assert (done.added, done.already, done.not_members, done.cents) == (1, 0, 2, 6000)
    imported = TimeEntry.objects.get(cpts=cmv)
    assert (imported.member, imported.activity, imported.on, imported.minutes, imported.note) == (
        gp_member, "rcp", date(2026, 3, 10), 45, "RCP diabète",
    )  # fmt: skip
    again = import_rcp_time(cmv, None, start=date(2026, 1, 1), end=date(2026, 12, 31), today=TODAY)
    assert (again.added, again.already) == (0, 1) and TimeEntry.objects.filter(cpts=cmv).count() == 1

    with pytest.raises(AssociationError, match="Aucun tarif horaire n'est fixé pour les RCP au 10/03/2024"):
        import_rcp_time(cmv, None, start=date(2024, 1, 1), end=date(2024, 12, 31), today=TODAY)
    assert TimeEntry.objects.filter(cpts=cmv).count() == 1  # nothing half-saved

    client = login(RoleFactory(coordinator=True, cpts=cmv).user)
    response = client.post("/c/cmv/association/temps/rcp/", {"start": "2026-12-31", "end": "2026-01-01"})
    assert response.status_code == 400 and "Le début de la période est après sa fin." in unescape(
        response.content.decode()
    )
    response = client.post("/c/cmv/association/temps/rcp/", {"start": "2026-01-01", "end": "2026-12-31"}, follow=True)
    assert "Temps des RCP : 0 participation importée (0,00\u00a0€), 1 déjà importée, 2 participants non adhérents" in (
        unescape(response.content.decode())
    )
