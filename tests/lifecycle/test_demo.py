"""The lifecycle demo on CPTS bearing the demo's slugs (the full demo runs in tests/test_demo.py)."""

from datetime import date

from maillage.core.models import AuditEntry
from maillage.lifecycle import demo
from maillage.lifecycle.timeline import aci_signed_on, deadlines, phase_of
from maillage.territory.models import Cpts
from tests.factories import CptsFactory

DEMO_TODAY = date(2026, 11, 23)


def test_demo_phases_and_late_deadlines_idempotent(db):
    cpts_list = [CptsFactory(slug=slug, status="projet") for slug in demo.PLAN]
    demo.load(cpts_list, log=lambda *_: None)
    entries = AuditEntry.objects.count()
    demo.load(cpts_list, log=lambda *_: None)
    assert AuditEntry.objects.count() == entries
    assert {c.slug: phase_of(c) for c in cpts_list} == {
        "montrouge-bagneux": "ideation",
        "grand-issy-vanves": "conception",
        "ouest-herault": "conception",
        "bergerac": "contractualisation",
        "chatillon-malakoff-vanves": "fonctionnement",
        "paris-13": "fonctionnement",
    }
    by_slug = {c.slug: c for c in cpts_list}
    late = {
        slug: [(d.mission, d.kind) for d in deadlines(c, today=DEMO_TODAY) if d.late] for slug, c in by_slug.items()
    }
    assert late["chatillon-malakoff-vanves"] == [("crisis", "deployment")]
    assert late["paris-13"] == [("pathways", "start")]
    assert aci_signed_on(by_slug["chatillon-malakoff-vanves"]) == date(2023, 3, 15)
    assert aci_signed_on(by_slug["paris-13"]) == date(2024, 9, 2)
    assert aci_signed_on(by_slug["bergerac"]) is None
    # Signed CPTS are « constituées »; the others keep their status.
    statuses = dict(Cpts.objects.values_list("slug", "status"))
    assert statuses["paris-13"] == statuses["chatillon-malakoff-vanves"] == "active"
    assert statuses["montrouge-bagneux"] == "projet"
