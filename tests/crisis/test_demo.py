"""Issue 17 — the crisis plan's demo: every demo CPTS has an adopted plan; « ouest-herault » has a
past crisis declared by the ARS, closed, with its RETEX; the lifecycle's crisis start agrees with
the plans' adoption."""

from django.core.management import call_command

from maillage.crisis.demo_plan import past_crisis
from maillage.crisis.models import CrisisPlan
from maillage.lifecycle.models import Milestone
from maillage.territory.models import Cpts


def test_every_demo_cpts_has_a_written_plan_and_ouest_herault_a_past_crisis(installed):
    call_command("load_demo")
    plans = CrisisPlan.objects.select_related("cpts")
    assert plans.count() == Cpts.objects.count() and all(p.written_on for p in plans)
    assert all(p.cell.count() == 4 and p.risks.count() == 5 for p in plans)
    cmv = plans.get(cpts__slug="chatillon-malakoff-vanves")
    assert cmv.volunteers.count() == 5
    assert Milestone.objects.get(cpts=cmv.cpts, kind="start_crisis").date == cmv.written_on
    crisis = past_crisis(Cpts.objects.get(slug="ouest-herault"))
    assert (crisis.title, crisis.declared_by, crisis.status) == ("Épidémie de Covid-19", "ars", "closed")
    assert crisis.retex.actions.count() == 2
    assert past_crisis(cmv.cpts) is None
