"""Issue 16 item 7 — the association's indicators in the registry (section « vie associative »)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.association import indicators
from maillage.association.models import Assembly, Attendance, Member, MemberTransition, Payment
from maillage.indicators.periods import Period
from maillage.indicators.registry import ASSOCIATION, REGISTRY, for_region, of_mission
from tests.association.board_helpers import member
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(idf):
    cmv, malakoff = idf["cmv"], idf["communes"]["92046"]
    professionals = []
    for _ in range(8):
        professional = ProfessionalFactory(profession_code="10")
        ActivityFactory(professional=professional, commune=malakoff)
        professionals.append(professional)
    for professional in professionals[:2]:
        member(cmv, professional=professional, commune=malakoff)
    member(cmv, professional=professionals[2], status=Member.Status.GRACE)
    member(cmv, professional=professionals[3], status=Member.Status.EXPIRED)
    member(cmv, "usagers", last_name="Roy")
    member(cmv, "collectivites", status=Member.Status.PENDING)
    return cmv


def test_the_association_section_holds_its_indicators():
    codes = {indicator.code for indicator in of_mission(ASSOCIATION)}
    assert codes == {indicators.BY_COLLEGE, indicators.BY_STATUS, indicators.SHARE, indicators.ATTENDANCE,
                     indicators.FEES}  # fmt: skip


def test_members_by_college_and_status_and_the_share_of_professionals(figures):
    period = Period.year(timezone.localdate().year)
    by_college = REGISTRY[indicators.BY_COLLEGE].value(figures, period)
    assert by_college["Professionnels de santé libéraux"] == 3
    assert sum(by_college.values()) == Member.objects.of_cpts(figures).voting().count() == 4
    by_status = REGISTRY[indicators.BY_STATUS].value(figures, period)
    assert by_status == {"en attente": 1, "à jour": 3, "en période de grâce": 1, "expirée": 1, "radiée": 0}
    assert REGISTRY[indicators.SHARE].value(figures, period) == 37.5  # 3 of the 8 professionals


def test_a_closed_period_reads_the_status_history(figures):
    lapsed = Member.objects.filter(cpts=figures, status=Member.Status.EXPIRED).get()
    MemberTransition.objects.create(member=lapsed, source="", target="current", author_label="système",
                                    at=timezone.now() - timedelta(days=800))  # fmt: skip
    MemberTransition.objects.create(member=lapsed, source="current", target="expired", author_label="système",
                                    at=timezone.now() - timedelta(days=10))  # fmt: skip
    Member.objects.filter(pk=lapsed.pk).update(created_at=timezone.now() - timedelta(days=900))
    last_year = Period.year(timezone.localdate().year - 1)
    statuses = indicators.statuses_on(figures, last_year.end - timedelta(days=1))
    assert statuses == {lapsed.pk: "current"}


def test_a_regional_reader_sees_small_counts_hidden(figures):
    period = Period.year(timezone.localdate().year)
    values = {code: REGISTRY[code].value(figures, period) for code in (indicators.BY_COLLEGE, indicators.SHARE)}
    shown = for_region(REGISTRY[indicators.BY_COLLEGE], values)
    assert shown["Professionnels de santé libéraux"] == "< 5" and shown["Établissements et services sanitaires"] == 0
    assert for_region(REGISTRY[indicators.SHARE], values, cpts=figures, period=period) == 37.5  # 8 professionals


def test_the_indicators_page_lists_the_association_section(figures, login):
    client = login(RoleFactory(coordinator=True, cpts=figures).user)
    page = client.get("/c/cmv/indicateurs/").content.decode()
    assert "Vie associative" in page or "vie associative" in page
    detail = client.get(f"/c/cmv/indicateurs/{indicators.SHARE}/")
    assert detail.status_code == 200 and "vie associative" in detail.content.decode().lower()


def test_assembly_attendance_reads_the_assemblies(figures):
    assembly_model, attendance_model = Assembly, Attendance
    period = Period.year(timezone.localdate().year)
    held = assembly_model.objects.create(
        cpts=figures, kind="ordinary", title="AG", place="Mairie", starts_at=period.start_at + timedelta(days=40),
        status="held",
    )  # fmt: skip
    board = assembly_model.objects.create(
        cpts=figures, kind="board", title="CA", place="Mairie", starts_at=period.start_at + timedelta(days=41),
        status="held",
    )  # fmt: skip
    voting = list(Member.objects.of_cpts(figures).voting())
    for n, person in enumerate(voting):
        attendance_model.objects.create(
            assembly=held, member=person, college=person.college, presence="present" if n < 3 else "absent"
        )
        attendance_model.objects.create(assembly=board, member=person, college=person.college, presence="absent")
    assert REGISTRY[indicators.ATTENDANCE].value(figures, period) == 75.0  # 3 of the 4 convened


def test_fees_collected_read_the_payments(figures):
    payment_model = Payment
    today = timezone.localdate()
    for n, person in enumerate(Member.objects.of_cpts(figures).voting()[:2], start=1):
        payment_model.objects.create(
            cpts=figures, member=person, year=today.year, amount_cents=2550, paid_on=today, method="cheque",
            receipt_year=today.year, receipt_seq=n,
        )  # fmt: skip
    assert REGISTRY[indicators.FEES].value(figures, Period.year(today.year)) == 51.0
    assert REGISTRY[indicators.FEES].value(figures, Period.year(today.year - 1)) == 0
