"""The bit structures a national import keeps instead of Python objects per row."""

import random

from maillage.directory.tracking import KeyFilter, Seen


def test_key_filter_never_forgets_a_key_and_rarely_imagines_one():
    rng = random.Random(7)
    added = [f"8{rng.randrange(10**11):011d}" for _ in range(50_000)]
    others = [f"9{rng.randrange(10**11):011d}" for _ in range(50_000)]
    keys = KeyFilter(bits=20)  # a small filter: false positives become visible, not frequent
    for start in range(0, len(added), 5_000):
        keys.add_all(added[start : start + 5_000])
    assert keys.maybe(added) == added  # never a false negative, order kept
    false_positives = len(keys.maybe(others))
    assert false_positives < len(others) * 0.05  # three bits per key in 2**20: about 3 %
    assert KeyFilter(bits=20).maybe(others) == []
    assert keys.maybe([]) == []


def test_seen_marks_old_rows_and_counts_new_ones_as_met():
    seen = Seen(floor=20)
    seen.add(3)
    seen.add(20)
    assert 3 in seen and 20 in seen and 21 in seen  # above the floor: created by the run
    assert 4 not in seen
    assert seen.unseen_ranges(limit=10) == [(1, 2), (4, 19)]
