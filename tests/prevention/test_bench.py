"""bench/_missions_prevention.py stays in step with the models: its rows load and the registry
computes the mission's indicators over them."""

import random
import sys
from pathlib import Path

from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.prevention.models import Campaign, Event
from tests.factories import ProfessionalFactory

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_benchmark_rows_load_and_are_computed(idf, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("_missions_prevention", None)
    import _missions_prevention as part

    ProfessionalFactory.create_batch(4)
    cpts_ids = [idf["cmv"].pk, idf["paris13"].pk]
    counts = part.populate(cpts_ids, [2024, 2025], random.Random(17))
    assert counts["prevention_campaign"] == 2 * 2 * part.CAMPAIGNS_PER_YEAR == Campaign.objects.count()
    assert counts["prevention_event"] == Event.objects.count() == 80
    values = registry.compute(idf["cmv"], Period.year(2025), part.CODES)
    assert values["prevention.campaigns"] >= part.CAMPAIGNS_PER_YEAR and values["prevention.people_reached"] > 0
    assert set(part.CODES) == {code for code in registry.REGISTRY if code.startswith("prevention.")}
