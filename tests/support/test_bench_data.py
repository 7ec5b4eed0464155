"""The benchmark's data (bench/_missions_support.py) is what the indicators read: a CPTS's years of
offers and newcomers load and give figures."""

import random
import sys
import time
from pathlib import Path

from maillage.indicators import registry
from maillage.indicators.periods import Period

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_benchmark_populates_offers_and_newcomers_the_indicators_count(idf):
    sys.path.insert(0, str(BENCH))
    try:
        import _missions_support as part
    finally:
        sys.path.remove(str(BENCH))
    ids = [idf["cmv"].pk, idf["paris13"].pk]
    written = part.populate(ids, [2024, 2025], random.Random(7))
    assert written["support_offer"] > 0 and written["support_newcomer"] > 0
    start = time.perf_counter()
    values = [registry.compute(cpts, Period.year(2025), part.CODES) for cpts in (idf["cmv"], idf["paris13"])]
    assert time.perf_counter() - start < 2
    assert sum(v["support.newcomers"] for v in values) > 0 and sum(v["support.offers_published"] for v in values) > 0
