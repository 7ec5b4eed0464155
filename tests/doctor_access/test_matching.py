"""The médecin traitant matching engine: conditions, lexicographic optimality (checked against an
exact CP-SAT model at the individual level), first come first served, determinism, the greedy baseline."""

import random
from collections import Counter

import pytest
from ortools.sat.python import cp_model

from maillage.core.geo import distance_km
from maillage.doctor_access.matching import Assignment, Offer, Seeker, greedy, match, weight
from maillage.doctor_access.matching_graph import DISTANCE_UNIT_KM

# Real-ish centroids (lat, lon) of Île-de-France communes.
IDF = {
    "75056": (48.8566, 2.3522),  # Paris
    "92012": (48.8397, 2.2399),  # Boulogne-Billancourt
    "93066": (48.9362, 2.3574),  # Saint-Denis
    "78646": (48.8049, 2.1204),  # Versailles
    "94028": (48.7904, 2.4556),  # Créteil
    "95018": (48.9472, 2.2467),  # Argenteuil
    "77284": (48.9601, 2.8788),  # Meaux
    "91228": (48.6290, 2.4410),  # Évry-Courcouronnes
    "78517": (48.6440, 1.8290),  # Rambouillet
}
# Points on a meridian, 1 km apart (1 degree of latitude is 111.2 km): exact distances by construction.
LINE = {f"L{k}": (45.0 + k / 111.19508, 5.0) for k in range(0, 41)}


def km(a, b, centroids):
    return distance_km(*centroids[a], *centroids[b])


def eligible(seeker, offer, centroids, reach=15.0):
    if seeker.commune not in centroids or offer.commune not in centroids or offer.capacity <= 0:
        return False
    limit = reach if offer.max_distance_km is None else offer.max_distance_km
    if km(seeker.commune, offer.commune, centroids) > limit:
        return False
    if offer.communes is not None and seeker.commune not in offer.communes:
        return False
    return not (offer.priority_only and seeker.priority == 0)


def check_valid(result, seekers, offers, centroids, reach=15.0):
    """Every capacity and condition respected; every seeker placed once or waiting."""
    by_seeker = {s.id: s for s in seekers}
    by_offer = {o.id: o for o in offers}
    ids = [a.seeker_id for a in result.assignments]
    assert len(ids) == len(set(ids))
    assert sorted(ids + result.unplaced) == sorted(by_seeker)
    load = Counter(a.offer_id for a in result.assignments)
    for offer_id, n in load.items():
        assert n <= by_offer[offer_id].capacity
    for a in result.assignments:
        s, o = by_seeker[a.seeker_id], by_offer[a.offer_id]
        assert eligible(s, o, centroids, reach)
        assert a.distance_km == pytest.approx(km(s.commune, o.commune, centroids), abs=1e-3)
    keys = [(-by_seeker[i].priority, by_seeker[i].arrival, i) for i in ids]
    assert keys == sorted(keys)
    assert result.placed_weight == sum(weight(by_seeker[i].priority) for i in ids)


def units(d):
    return round(d / DISTANCE_UNIT_KM)


def total_units(result, seekers, offers, centroids):
    by_seeker = {s.id: s for s in seekers}
    by_offer = {o.id: o for o in offers}
    return sum(
        units(km(by_seeker[a.seeker_id].commune, by_offer[a.offer_id].commune, centroids)) for a in result.assignments
    )


def exact(seekers, offers, centroids, reach=15.0):
    """Lexicographic optimum at the individual level with CP-SAT: (max weight, then min distance
    in the same 100 m units as the flow). Returns (weight, distance units, distance km)."""
    pairs = [(s, o) for s in seekers for o in offers if eligible(s, o, centroids, reach)]
    if not pairs:
        return 0, 0, 0.0

    def solve(stage_weight=None):
        model = cp_model.CpModel()
        x = {(s.id, o.id): model.new_bool_var(f"x{s.id}_{o.id}") for s, o in pairs}
        for s in seekers:
            model.add(sum(v for (i, _o), v in x.items() if i == s.id) <= 1)
        for o in offers:
            model.add(sum(v for (_s, j), v in x.items() if j == o.id) <= max(o.capacity, 0))
        total_weight = sum(weight(s.priority) * x[s.id, o.id] for s, o in pairs)
        distance = sum(units(km(s.commune, o.commune, centroids)) * x[s.id, o.id] for s, o in pairs)
        if stage_weight is None:
            model.maximize(total_weight)
        else:
            model.add(total_weight == stage_weight)
            model.minimize(distance)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 60
        assert solver.solve(model) == cp_model.OPTIMAL
        chosen = [(s, o) for s, o in pairs if solver.value(x[s.id, o.id])]
        return (
            sum(weight(s.priority) for s, _o in chosen),
            sum(units(km(s.commune, o.commune, centroids)) for s, o in chosen),
            sum(km(s.commune, o.commune, centroids) for s, o in chosen),
        )

    best_weight, _, _ = solve()
    return solve(best_weight)


def random_instance(seed, n_seekers=None, n_offers=None, centroids=IDF):
    rng = random.Random(seed)
    communes = sorted(centroids)
    n_seekers = n_seekers or rng.randint(8, 15)
    n_offers = n_offers or rng.randint(3, 5)
    seekers = [
        Seeker(
            id=100 + i,
            commune=rng.choice(communes),
            priority=rng.choice([0, 0, 0, 1, 2, 3, 3, 5, 6]),
            arrival=(f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", 100 + i),
        )
        for i in range(n_seekers)
    ]
    offers = []
    for j in range(n_offers):
        allowed = None
        if rng.random() < 0.25:
            allowed = frozenset(rng.sample(communes, rng.randint(1, 4)))
        offers.append(
            Offer(
                id=10 + j,
                commune=rng.choice(communes),
                capacity=rng.randint(0, 4),
                max_distance_km=rng.choice([None, None, 8.0, 25.0, 40.0]),
                communes=allowed,
                priority_only=rng.random() < 0.25,
            )
        )
    return seekers, offers


# --- Edge cases ---------------------------------------------------------------------------------


def test_empty_inputs():
    for seekers, offers in [([], []), ([], [Offer(1, "75056", 3)]), ([Seeker(1, "75056", 0, (1,))], [])]:
        for fn in (match, greedy):
            result = fn(seekers, offers, IDF)
            assert result.assignments == []
            assert result.unplaced == [s.id for s in seekers]
            assert result.placed_weight == 0
            assert result.total_distance_km == 0.0


def test_zero_or_negative_capacity_places_nobody():
    seekers = [Seeker(1, "75056", 3, (1,)), Seeker(2, "75056", 0, (2,))]
    for fn in (match, greedy):
        result = fn(seekers, [Offer(1, "75056", 0), Offer(2, "75056", -2)], IDF)
        assert result.assignments == []
        assert result.unplaced == [1, 2]


def test_unknown_communes():
    seekers = [Seeker(1, "99999", 5, (1,)), Seeker(2, "75056", 0, (2,))]
    offers = [Offer(1, "75056", 5), Offer(2, "00000", 5)]
    for fn in (match, greedy):
        result = fn(seekers, offers, IDF)
        assert result.assignments == [Assignment(2, 1, 0.0)]
        assert result.unplaced == [1]
        assert result.unplaced_by_priority == {5: 1}


def test_negative_priority_is_refused():
    with pytest.raises(ValueError, match="priority"):
        match([Seeker(1, "75056", -1, (1,))], [], IDF)


# --- Conditions ---------------------------------------------------------------------------------


def test_reach_default_and_per_offer():
    seekers = [Seeker(1, "L12", 0, (1,)), Seeker(2, "L20", 0, (2,))]
    for fn in (match, greedy):
        # L0 → L12 is 12 km: within the default 15 km, not within an offer's own 10 km.
        assert [a.seeker_id for a in fn(seekers, [Offer(1, "L0", 5)], LINE).assignments] == [1]
        assert fn(seekers, [Offer(1, "L0", 5, max_distance_km=10)], LINE).assignments == []
        assert len(fn(seekers, [Offer(1, "L0", 5, max_distance_km=25)], LINE).assignments) == 2
        assert [a.seeker_id for a in fn(seekers, [Offer(1, "L0", 5)], LINE, default_reach_km=10).assignments] == []
        assert len(fn(seekers, [Offer(1, "L0", 5)], LINE, default_reach_km=21).assignments) == 2


def test_commune_list_and_priority_only():
    seekers = [
        Seeker(1, "L0", 0, (1,)),
        Seeker(2, "L1", 0, (2,)),
        Seeker(3, "L1", 2, (3,)),
        Seeker(4, "L2", 1, (4,)),
    ]
    offers = [
        Offer(10, "L0", 5, communes=frozenset({"L1"})),  # only patients of L1
        Offer(11, "L0", 5, priority_only=True),  # only priority patients
    ]
    for fn in (match, greedy):
        result = fn(seekers, offers, LINE)
        check_valid(result, seekers, offers, LINE)
        placed = {a.seeker_id: a.offer_id for a in result.assignments}
        assert placed[2] == 10
        assert placed[4] == 11
        assert placed[3] in (10, 11)
        assert result.unplaced == [1]


def test_random_instances_respect_every_condition():
    for seed in range(30):
        seekers, offers = random_instance(seed, n_seekers=60, n_offers=8)
        for fn in (match, greedy):
            check_valid(fn(seekers, offers, IDF), seekers, offers, IDF)


# --- Objective ----------------------------------------------------------------------------------


def test_priority_before_distance():
    # One place at L0; a priority patient 10 km away wins over a non-priority one living there.
    seekers = [Seeker(1, "L0", 0, (1,)), Seeker(2, "L10", 1, (2,))]
    result = match(seekers, [Offer(1, "L0", 1)], LINE)
    assert result.assignments == [Assignment(2, 1, pytest.approx(10.0, abs=1e-3))]
    assert result.unplaced == [1]


def test_higher_score_before_lower_score():
    seekers = [Seeker(1, "L0", 1, (1,)), Seeker(2, "L14", 3, (2,)), Seeker(3, "L0", 0, (0,))]
    result = match(seekers, [Offer(1, "L0", 1)], LINE)
    assert [a.seeker_id for a in result.assignments] == [2]
    assert result.placed_by_priority == {3: 1}


def test_every_placed_patient_counts():
    # Greedy gives the priority patient the nearest offer, which was the only one the other could
    # use; the optimum sends the priority patient further and places both.
    seekers = [Seeker(1, "L5", 2, (1,)), Seeker(2, "L10", 0, (2,))]
    offers = [Offer(1, "L6", 1), Offer(2, "L0", 1, max_distance_km=5.5)]
    best, base = match(seekers, offers, LINE), greedy(seekers, offers, LINE)
    assert {(a.seeker_id, a.offer_id) for a in best.assignments} == {(1, 2), (2, 1)}
    assert best.placed_weight == 4
    assert [(a.seeker_id, a.offer_id) for a in base.assignments] == [(1, 1)]
    assert base.placed_weight == 3


def test_distance_minimised_among_equal_priorities():
    # First come (at L5) takes L4 under greedy and the second (L0) must go to L10: 1 + 10 km.
    # The optimum crosses them: L5 → L10 and L0 → L4, 5 + 4 km.
    seekers = [Seeker(1, "L5", 0, (1,)), Seeker(2, "L0", 0, (2,))]
    offers = [Offer(1, "L4", 1), Offer(2, "L10", 1)]
    best, base = match(seekers, offers, LINE), greedy(seekers, offers, LINE)
    assert {(a.seeker_id, a.offer_id) for a in best.assignments} == {(1, 2), (2, 1)}
    assert best.total_distance_km == pytest.approx(9.0, abs=0.01)
    assert base.total_distance_km == pytest.approx(11.0, abs=0.01)
    assert best.placed_weight == base.placed_weight == 2


def test_first_come_first_served_inside_a_node():
    seekers = [
        Seeker(5, "L3", 2, ("2026-03-02T09:00", 5)),
        Seeker(6, "L3", 2, ("2026-03-01T09:00", 6)),
        Seeker(7, "L3", 2, ("2026-03-01T09:00", 1)),  # same time as 6: the smaller key first
        Seeker(8, "L3", 2, ("2026-02-28T09:00", 8)),
        Seeker(9, "L3", 0, ("2026-01-01T09:00", 9)),  # earliest of all, but not a priority
    ]
    offers = [Offer(1, "L0", 2), Offer(2, "L6", 1)]
    for fn in (match, greedy):
        result = fn(seekers, offers, LINE)
        assert [a.seeker_id for a in result.assignments] == [8, 7, 6]
        assert result.unplaced == [5, 9]


def test_offers_of_a_group_filled_in_id_order():
    seekers = [Seeker(i, "L0", 0, (i,)) for i in range(5)]
    offers = [Offer(30, "L1", 2), Offer(20, "L1", 2), Offer(10, "L1", 0)]
    for fn in (match, greedy):
        result = fn(seekers, offers, LINE)
        assert [(a.seeker_id, a.offer_id) for a in result.assignments] == [(0, 20), (1, 20), (2, 30), (3, 30)]


def test_priority_only_places_go_to_priority_patients_of_a_shared_commune():
    # One commune, priority and non-priority patients, a priority-only offer and a general one:
    # the priority-only place must not be wasted, nor the general one taken from the other patient.
    seekers = [Seeker(1, "L0", 3, (1,)), Seeker(2, "L0", 0, (2,))]
    offers = [Offer(1, "L8", 1), Offer(2, "L1", 1, priority_only=True)]
    result = match(seekers, offers, LINE)
    assert {(a.seeker_id, a.offer_id) for a in result.assignments} == {(1, 2), (2, 1)}
    seekers = [Seeker(1, "L0", 3, (1,)), Seeker(2, "L0", 0, (2,)), Seeker(3, "L0", 1, (3,))]
    offers = [Offer(1, "L1", 1), Offer(2, "L8", 1, priority_only=True)]
    result = match(seekers, offers, LINE)
    assert result.placed_weight == 4 + 2  # both priority patients, the nearer place to the first
    assert [(a.seeker_id, a.offer_id) for a in result.assignments] == [(1, 1), (3, 2)]


@pytest.mark.parametrize("seed", range(24))
def test_optimal_against_an_exact_individual_model(seed):
    seekers, offers = random_instance(seed)
    result = match(seekers, offers, IDF)
    check_valid(result, seekers, offers, IDF)
    best_weight, best_units, best_km = exact(seekers, offers, IDF)
    assert result.placed_weight == best_weight
    assert total_units(result, seekers, offers, IDF) == best_units
    # Within the rounding of the 100 m unit on each placed patient.
    assert result.total_distance_km == pytest.approx(best_km, abs=len(result.assignments) * DISTANCE_UNIT_KM)


@pytest.mark.parametrize("seed", range(8))
def test_optimal_on_a_line_with_conditions(seed):
    seekers, offers = random_instance(1000 + seed, n_seekers=15, n_offers=5, centroids=LINE)
    result = match(seekers, offers, LINE)
    check_valid(result, seekers, offers, LINE)
    best_weight, best_units, _ = exact(seekers, offers, LINE)
    assert (result.placed_weight, total_units(result, seekers, offers, LINE)) == (best_weight, best_units)


def test_greedy_is_never_better():
    strictly_better = 0
    for seed in range(40):
        seekers, offers = random_instance(500 + seed, n_seekers=80, n_offers=6)
        best, base = match(seekers, offers, IDF), greedy(seekers, offers, IDF)
        check_valid(base, seekers, offers, IDF)
        assert best.placed_weight >= base.placed_weight
        if best.placed_weight == base.placed_weight:
            assert total_units(best, seekers, offers, IDF) <= total_units(base, seekers, offers, IDF)
        best_key = (best.placed_weight, -total_units(best, seekers, offers, IDF))
        strictly_better += best_key > (base.placed_weight, -total_units(base, seekers, offers, IDF))
    assert strictly_better > 0  # the instances are not all trivial


# --- Determinism, scale-related mechanics --------------------------------------------------------


def test_same_output_for_any_input_order():
    for seed in range(6):
        seekers, offers = random_instance(seed, n_seekers=150, n_offers=10)
        reference = match(seekers, offers, IDF)
        reference_greedy = greedy(seekers, offers, IDF)
        rng = random.Random(seed)
        for _ in range(4):
            rng.shuffle(seekers)
            rng.shuffle(offers)
            again = match(seekers, offers, dict(reversed(list(IDF.items()))))
            assert again.assignments == reference.assignments
            assert again.unplaced == reference.unplaced
            assert greedy(seekers, offers, IDF).assignments == reference_greedy.assignments


def test_separate_components_are_solved_separately():
    far = {**LINE, "F0": (43.3, 5.4), "F1": (43.31, 5.41)}
    seekers = [Seeker(1, "L0", 0, (1,)), Seeker(2, "F0", 1, (2,)), Seeker(3, "F1", 0, (3,))]
    offers = [Offer(1, "L1", 1), Offer(2, "F1", 1)]
    result = match(seekers, offers, far)
    assert result.details["components"] == 2
    assert {(a.seeker_id, a.offer_id) for a in result.assignments} == {(1, 1), (2, 2)}
    assert result.unplaced == [3]


def test_huge_priority_scores_stay_within_int64():
    # Scores this large make the lexicographic cost overflow at 100 m: the distance unit coarsens.
    seekers = [Seeker(i, f"L{i}", 10**15 * (i % 2), (i,)) for i in range(40)]
    offers = [Offer(1, "L0", 10, max_distance_km=60), Offer(2, "L39", 10, max_distance_km=60)]
    result = match(seekers, offers, LINE)
    check_valid(result, seekers, offers, LINE)
    assert result.placed_by_priority == {10**15: 20}
    assert result.details["distance_unit_km"] > DISTANCE_UNIT_KM
