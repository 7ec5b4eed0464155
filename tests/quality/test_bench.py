"""bench/_missions_quality.py: its rows load, and the registry computes every code over them with
a few queries per CPTS and year (the benchmark times 200 CPTS × 5 years)."""

import random
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.quality.models import GroupSession, Protocol
from tests.factories import ActivityFactory, ProfessionalFactory

BENCH = str(Path(__file__).resolve().parents[2] / "bench")


def test_the_benchmark_populates_and_every_indicator_computes_in_a_few_queries(idf, monkeypatch):
    monkeypatch.syspath_prepend(BENCH)
    import _missions_quality as part

    for _ in range(20):
        ActivityFactory(professional=ProfessionalFactory(), commune=idf["communes"]["92046"])
    cpts = [idf["cmv"], idf["paris13"]]
    written = part.populate([c.pk for c in cpts], [2024, 2025], random.Random(7))
    assert written["quality_groupsession"] == 2 * 2 * 2 * 8
    assert GroupSession.objects.filter(cpts=idf["paris13"]).exists()  # borrowed professionals
    assert Protocol.objects.count() == 2 * 2 * 3
    with CaptureQueriesContext(connection) as queries:
        values = registry.compute(idf["cmv"], Period.year(2025), part.CODES)
    assert values["quality.sessions_held"] == 16 and values["quality.protocols_in_use"] == 6
    assert len(queries) <= 2 * len(part.CODES)
    sys.modules.pop("_missions_quality", None)
