"""Issue 17 — the crisis response's demo on a CPTS named like the demo's « ouest-herault »."""

from maillage.crisis import demo_response
from maillage.crisis.models import CaseCount, Centre, Crisis, Shift, ShiftSignup, SupplyItem
from maillage.crisis.response_supplies import with_stock
from tests.factories import CptsFactory


def test_the_past_crisis_gets_a_centre_a_stock_and_a_case_map_once(idf):
    cpts = CptsFactory(slug="ouest-herault", communes=list(idf["communes"].values())[:3])
    lines = []
    demo_response.build(cpts, None, log=lines.append)
    demo_response.build(cpts, None, log=lines.append)  # a second run adds nothing
    crisis = Crisis.objects.get(cpts=cpts)
    assert crisis.status == Crisis.Status.CLOSED and crisis.recognised_on
    assert Centre.objects.filter(crisis=crisis).count() == 1 and Shift.objects.count() == 12
    assert 12 < ShiftSignup.objects.count() < 24
    assert all(item.stock >= 0 for item in with_stock(SupplyItem.objects.all()))
    assert CaseCount.objects.values("week").distinct().count() == 10
    assert len(lines) == 1 and "1 centre, 12 créneaux" in lines[0]
    demo_response.build(idf["cmv"], None, log=lines.append)  # another CPTS: nothing
    assert not Crisis.objects.filter(cpts=idf["cmv"]).exists()
