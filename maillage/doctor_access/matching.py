"""Médecin traitant matching: patients waiting for a GP (seekers) and the places GPs open (offers).

`match()` returns the optimal assignment for a lexicographic objective:

1. maximise the placed weight, Σ weight(priority) over placed seekers, with weight = priority + 1:
   every placed patient counts (1), a priority patient counts more (its CPTS score on top); one
   patient of score 3 is worth more than three non-priority patients would be worth minus one.
2. then minimise the total distance between the seekers' and the offers' commune centroids.

It respects every capacity and condition (reach, communes, priority-only), serves equal priorities
first come first served inside each commune and is deterministic (same input in any order, same
output). It is a min-cost flow (OR-Tools) on aggregated nodes: seekers by (commune, priority),
offers by (commune, conditions); places are then handed out to individuals. See
docs/adr/0009-doctor-matching-min-cost-flow.md. `greedy()` is the baseline it is compared with.

Pure Python + numpy + OR-Tools: no Django here; the caller turns model rows into Seeker / Offer.
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from maillage.doctor_access.matching_graph import (
    DISTANCE_UNIT_KM,
    FlowProblem,
    GroupSpec,
    components,
    reach_pairs,
    solve_component,
)

DEFAULT_REACH_KM = 15.0
WEIGHT_OFFSET = 1  # weight(priority) = priority + WEIGHT_OFFSET


def weight(priority: int) -> int:
    """What a placed seeker is worth in the first objective."""
    return priority + WEIGHT_OFFSET


@dataclass(frozen=True, slots=True)
class Seeker:
    """A patient waiting for a médecin traitant."""

    id: int
    commune: str  # INSEE code, key of `centroids`
    priority: int  # score >= 0 from the CPTS's weights; 0 = not a priority patient; higher = placed first
    arrival: tuple  # sortable first-come key, e.g. (received_at_iso, id); smaller = earlier


@dataclass(frozen=True, slots=True)
class Offer:
    """A GP's capacity."""

    id: int
    commune: str
    capacity: int  # places available now (a negative value counts as 0)
    max_distance_km: float | None = None  # None = the default reach
    communes: frozenset[str] | None = None  # None = any commune; else only patients living in these
    priority_only: bool = False  # only patients with priority > 0


@dataclass(frozen=True, slots=True)
class Assignment:
    seeker_id: int
    offer_id: int
    distance_km: float


@dataclass
class MatchResult:
    assignments: list[Assignment]  # sorted by (seeker priority desc, arrival, id)
    unplaced: list[int]  # seeker ids left waiting, same order
    method: str = "match"
    placed_by_priority: dict[int, int] = field(default_factory=dict)
    unplaced_by_priority: dict[int, int] = field(default_factory=dict)
    placed_weight: int = 0  # Σ weight(priority) over placed seekers: the first objective
    total_distance_km: float = 0.0  # the second objective (exact distances, summed)
    mean_distance_km: float = 0.0
    p95_distance_km: float = 0.0
    seconds: float = 0.0  # wall time of the whole call
    details: dict = field(default_factory=dict)  # graph size, components, solver time…

    @property
    def placed(self) -> int:
        return len(self.assignments)

    def objective(self) -> tuple[int, float]:
        """(placed weight, -total distance): larger is better, compare as a tuple."""
        return self.placed_weight, -self.total_distance_km

    def summary(self) -> dict:
        return {
            "method": self.method,
            "placed": self.placed,
            "unplaced": len(self.unplaced),
            "placed_weight": self.placed_weight,
            "placed_by_priority": self.placed_by_priority,
            "unplaced_by_priority": self.unplaced_by_priority,
            "total_distance_km": self.total_distance_km,
            "mean_distance_km": self.mean_distance_km,
            "p95_distance_km": self.p95_distance_km,
            "seconds": self.seconds,
            **self.details,
        }


# --- Preparation shared by match() and greedy() -----------------------------------------------


@dataclass
class _Group:
    """Offers of one commune with identical conditions, filled in id order."""

    commune: str
    reach_km: float
    communes: frozenset[str] | None
    priority_only: bool
    offer_ids: list[int]
    capacities: list[int]

    @property
    def capacity(self) -> int:
        return sum(self.capacities)


@dataclass
class _Prepared:
    order: list[Seeker]  # every seeker by (priority desc, arrival, id): the rank is the index
    comm: np.ndarray  # per rank: index of its commune in `codes`, -1 when it has no centroid
    prio: np.ndarray  # per rank: priority
    codes: list[str]  # seeker communes with a centroid, sorted
    latlon: np.ndarray
    groups: list[_Group]
    pair_g: np.ndarray  # admissible (group, commune) pairs, sorted by group then commune
    pair_c: np.ndarray
    pair_km: np.ndarray


def _valid_point(value) -> bool:
    return value is not None and len(value) == 2 and all(isinstance(v, int | float) and math.isfinite(v) for v in value)


def _prepare(seekers: Iterable[Seeker], offers: Iterable[Offer], centroids, default_reach_km: float) -> _Prepared:
    # Rank order: (priority desc, arrival, id). Python sorts by (arrival, id) — nearly free when the
    # input comes in arrival order, as a query by key returns it — then numpy stably by priority.
    by_arrival = sorted(seekers, key=attrgetter("arrival", "id"))
    priorities = list(map(attrgetter("priority"), by_arrival))
    for kind in set(map(type, priorities)):
        if not issubclass(kind, numbers.Integral) or kind is bool:
            raise ValueError(f"a seeker priority must be an integer >= 0, not a {kind.__name__}")
    prio = np.asarray(priorities, dtype=np.int64)
    if len(prio) and prio.min() < 0:
        raise ValueError(f"a seeker priority must be an integer >= 0, not {int(prio.min())}")
    ranked = np.argsort(-prio, kind="stable")
    order = [by_arrival[i] for i in ranked.tolist()]
    prio = prio[ranked]
    del by_arrival, priorities, ranked
    communes = list(map(attrgetter("commune"), order))
    codes = sorted(c for c in set(communes) if _valid_point(centroids.get(c)))
    index = {code: i for i, code in enumerate(codes)}
    comm = np.fromiter(map(index.get, communes, itertools.repeat(-1)), dtype=np.int64, count=len(order))
    del communes
    latlon = np.asarray([centroids[c] for c in codes], dtype=np.float64).reshape(-1, 2)
    has_priority = np.zeros(len(codes), dtype=bool)
    has_priority[comm[(comm >= 0) & (prio > 0)]] = True

    # Offer groups: same commune and conditions; members in id order.
    members: dict[tuple, list[Offer]] = defaultdict(list)
    for o in offers:
        if o.capacity > 0 and _valid_point(centroids.get(o.commune)):
            reach = float(default_reach_km if o.max_distance_km is None else o.max_distance_km)
            allowed = (0,) if o.communes is None else (1, *sorted(o.communes))
            members[(o.commune, reach, bool(o.priority_only), allowed)].append(o)
    groups, specs = [], []
    for key in sorted(members):
        commune, reach, priority_only, allowed = key
        group_offers = sorted(members[key], key=lambda o: o.id)
        communes = None if allowed[0] == 0 else frozenset(allowed[1:])
        groups.append(
            _Group(
                commune,
                reach,
                communes,
                priority_only,
                [o.id for o in group_offers],
                [o.capacity for o in group_offers],
            )
        )
        accepted = None if communes is None else np.asarray(sorted(index[c] for c in communes if c in index), np.int64)
        specs.append(GroupSpec(tuple(centroids[commune]), reach, accepted, priority_only))
    pair_g, pair_c, pair_km = reach_pairs(latlon, has_priority, specs, default_reach_km)
    return _Prepared(order, comm, prio, codes, latlon, groups, pair_g, pair_c, pair_km)


def _seeker_nodes(prep: _Prepared):
    """Seekers of known communes grouped by (commune, priority desc), each node in rank order
    (first come first served). Returns (ranks, node_comm, node_prio, node_start, node_count)."""
    ranks = np.flatnonzero(prep.comm >= 0)
    comm, prio = prep.comm[ranks], prep.prio[ranks]
    by_node = np.lexsort((ranks, -prio, comm))
    ranks, comm, prio = ranks[by_node], comm[by_node], prio[by_node]
    if not len(ranks):
        empty = np.empty(0, np.int64)
        return ranks, empty, empty, empty, empty
    starts = np.flatnonzero(np.r_[True, (comm[1:] != comm[:-1]) | (prio[1:] != prio[:-1])])
    counts = np.diff(np.r_[starts, len(ranks)])
    return ranks, comm[starts], prio[starts], starts, counts


# --- match() ------------------------------------------------------------------------------------


def match(
    seekers: Iterable[Seeker],
    offers: Iterable[Offer],
    centroids: dict[str, tuple[float, float]],
    *,
    default_reach_km: float = DEFAULT_REACH_KM,
) -> MatchResult:
    """The optimal assignment (see the module docstring)."""
    start = time.perf_counter()
    prep = _prepare(seekers, offers, centroids, default_reach_km)
    prepared = time.perf_counter()
    node_ranks, node_comm, node_prio, node_start, node_count = _seeker_nodes(prep)
    n_codes = len(prep.codes)
    comm_nodes = np.searchsorted(
        node_comm, np.arange(n_codes + 1)
    )  # commune c's nodes: [comm_nodes[c], comm_nodes[c + 1])
    group_po = np.asarray([g.priority_only for g in prep.groups], dtype=bool)
    group_cap = [g.capacity for g in prep.groups]

    labels = components(n_codes, len(prep.groups), prep.pair_g, prep.pair_c)
    pair_label = labels[prep.pair_c]
    by_comp = np.lexsort((prep.pair_g, prep.pair_km, prep.pair_c, pair_label))  # commune, distance, group
    pg, pc, pkm, pl = prep.pair_g[by_comp], prep.pair_c[by_comp], prep.pair_km[by_comp], pair_label[by_comp]
    bounds = np.flatnonzero(np.r_[True, pl[1:] != pl[:-1], True]) if len(pl) else np.asarray([0])

    out_rank, out_group, out_km = [], [], []
    stats = {"components": 0, "nodes": 0, "arcs": 0, "solver_seconds": 0.0, "largest_component_nodes": 0}
    stats["distance_unit_km"] = DISTANCE_UNIT_KM
    h0 = np.full(n_codes, -1, dtype=np.int64)  # local hub nodes of the current component
    h1 = np.full(n_codes, -1, dtype=np.int64)
    local_group = np.full(len(prep.groups), -1, dtype=np.int64)
    has_gen = np.zeros(n_codes, dtype=bool)  # reset after each component: no O(communes) work per component
    has_po = np.zeros(n_codes, dtype=bool)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        g, c, km = pg[lo:hi], pc[lo:hi], pkm[lo:hi]
        po = group_po[g]
        comp_groups = np.unique(g)
        local_group[comp_groups] = np.arange(1, len(comp_groups) + 1)
        comp_communes = np.unique(c)
        has_gen[c[~po]] = True
        has_po[c[po]] = True
        nxt = len(comp_groups) + 1
        supply_nodes, supplies, weights, hub_of, node_ids = [], [], [], [], []
        pass_from, pass_to, pass_cap = [], [], []
        for ci in comp_communes.tolist():
            a, b = int(comm_nodes[ci]), int(comm_nodes[ci + 1])
            hub1 = hub0 = -1
            if has_po[ci]:
                hub1, nxt = nxt, nxt + 1
            if has_gen[ci]:
                hub0, nxt = nxt, nxt + 1
            h0[ci], h1[ci] = hub0, hub1
            prio_total = 0
            for ni in range(a, b):
                p, n = int(node_prio[ni]), int(node_count[ni])
                supply_nodes.append(nxt)
                nxt += 1
                supplies.append(n)
                weights.append(weight(p))
                hub_of.append(hub1 if p > 0 and hub1 >= 0 else hub0)
                node_ids.append(ni)
                prio_total += n if p > 0 else 0
            if hub1 >= 0 and hub0 >= 0:
                pass_from.append(hub1)
                pass_to.append(hub0)
                pass_cap.append(prio_total)
        problem = FlowProblem(
            num_nodes=nxt,
            supply_nodes=supply_nodes,
            supplies=supplies,
            weights=weights,
            hub_of_supply=hub_of,
            pass_from=pass_from,
            pass_to=pass_to,
            pass_cap=pass_cap,
            arc_hub=np.where(po, h1[c], h0[c]),
            arc_group=local_group[g],
            arc_km=km,
            group_nodes=list(range(1, len(comp_groups) + 1)),
            group_caps=[group_cap[x] for x in comp_groups.tolist()],
        )
        t0 = time.perf_counter()
        solution = solve_component(problem)
        stats["solver_seconds"] += time.perf_counter() - t0
        stats["components"] += 1
        stats["nodes"] += nxt
        stats["arcs"] += 2 * len(supply_nodes) + len(pass_from) + len(comp_groups) + len(g)
        stats["largest_component_nodes"] = max(stats["largest_component_nodes"], nxt)
        stats["distance_unit_km"] = max(stats["distance_unit_km"], solution.unit_km)
        stats["max_k"] = max(stats.get("max_k", 0), solution.big_k)
        stats["max_cost_bound"] = max(stats.get("max_cost_bound", 0), solution.cost_bound)
        placed_in_node = dict(zip(node_ids, solution.placed, strict=True))
        _hand_out(
            node_ranks, node_start, node_prio, comm_nodes, placed_in_node, c, g, km, po, solution.arc_flow,
            out_rank, out_group, out_km,
        )  # fmt: skip
        local_group[comp_groups] = -1
        has_gen[comp_communes] = has_po[comp_communes] = False
    stats["prepare_seconds"] = prepared - start
    return _finish(prep, "match", out_rank, out_group, out_km, start, stats)


def _hand_out(
    node_ranks, node_start, node_prio, comm_nodes, placed_in_node, c, g, km, po, flow, out_rank, out_group, out_km
):
    """Individual places from the flows of one component. In each seeker node the earliest arrivals
    are the placed ones; inside a commune, seekers in rank order take the nearest slot they may use
    (priority-only slots go to priority seekers, who leave enough of them for the others)."""
    used = flow > 0
    c, g, km, po, flow = c[used], g[used], km[used], po[used], flow[used]
    bounds = np.flatnonzero(np.r_[True, c[1:] != c[:-1], True]) if len(c) else np.asarray([0])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        ci = int(c[lo])
        prio_ranks, other_ranks = [], []
        for ni in range(int(comm_nodes[ci]), int(comm_nodes[ci + 1])):
            k = placed_in_node.get(ni, 0)
            if k:
                chunk = node_ranks[node_start[ni] : node_start[ni] + k]
                (prio_ranks if node_prio[ni] > 0 else other_ranks).append(chunk)
        ranks = np.sort(np.concatenate(prio_ranks + other_ranks))  # priority seekers rank first
        n_prio = int(sum(len(x) for x in prio_ranks))
        slot_g, slot_km, slot_po = g[lo:hi], km[lo:hi], po[lo:hi]  # by distance, then group
        slot_n = flow[lo:hi]
        if not slot_po.any():
            out_rank.append(ranks)
            out_group.append(np.repeat(slot_g, slot_n))
            out_km.append(np.repeat(slot_km, slot_n))
            continue
        # Two queues by distance: priority-only slots (A) and general ones (B).
        a = [(int(x), float(d), int(n)) for x, d, n, p in zip(slot_g, slot_km, slot_n, slot_po, strict=True) if p]
        b = [(int(x), float(d), int(n)) for x, d, n, p in zip(slot_g, slot_km, slot_n, slot_po, strict=True) if not p]
        left_a = sum(n for _x, _d, n in a)
        ia = ib = 0
        used_a = used_b = 0
        chosen_g, chosen_km = [], []
        for i in range(len(ranks)):
            # A priority seeker takes a general slot only when it is nearer and enough priority
            # seekers remain for the priority-only slots; the others take general slots.
            take_b = i >= n_prio or ia >= len(a) or (n_prio - i > left_a and ib < len(b) and b[ib][1] < a[ia][1])
            if take_b:
                x, d, n = b[ib]
                used_b += 1
                if used_b == n:
                    ib, used_b = ib + 1, 0
            else:
                x, d, n = a[ia]
                used_a += 1
                left_a -= 1
                if used_a == n:
                    ia, used_a = ia + 1, 0
            chosen_g.append(x)
            chosen_km.append(d)
        out_rank.append(ranks)
        out_group.append(np.asarray(chosen_g, dtype=np.int64))
        out_km.append(np.asarray(chosen_km, dtype=np.float64))


# --- greedy() -----------------------------------------------------------------------------------


def greedy(
    seekers: Iterable[Seeker],
    offers: Iterable[Offer],
    centroids: dict[str, tuple[float, float]],
    *,
    default_reach_km: float = DEFAULT_REACH_KM,
) -> MatchResult:
    """The baseline: seekers by (priority desc, arrival, id), each to the nearest offer with room that
    accepts them (ties: the lowest offer id). Offers of one commune with the same conditions are
    taken together, in id order, like in match()."""
    start = time.perf_counter()
    prep = _prepare(seekers, offers, centroids, default_reach_km)
    first_id = np.asarray([g.offer_ids[0] for g in prep.groups], dtype=np.int64)
    group_po = [g.priority_only for g in prep.groups]
    order = np.lexsort((first_id[prep.pair_g], prep.pair_km, prep.pair_c)) if len(prep.pair_g) else []
    # Candidates of key 2 × commune + (priority > 0), nearest first; a pointer per key skips the
    # groups found full (they never empty again), so the whole run is linear.
    candidates: list[list[tuple[int, float]] | None] = [None] * (2 * len(prep.codes))
    for gi, ci, km in zip(
        prep.pair_g[order].tolist(), prep.pair_c[order].tolist(), prep.pair_km[order].tolist(), strict=True
    ):
        for key in (2 * ci + 1, 2 * ci) if not group_po[gi] else (2 * ci + 1,):
            if candidates[key] is None:
                candidates[key] = []
            candidates[key].append((gi, km))
    room = [g.capacity for g in prep.groups]
    pointer = [0] * len(candidates)
    keys = np.where(prep.comm >= 0, 2 * prep.comm + (prep.prio > 0), -1).tolist()
    out_rank, out_group, out_km = [], [], []
    for rank, key in enumerate(keys):
        if key < 0:
            continue
        options = candidates[key]
        if options is None:
            continue
        i = pointer[key]
        while i < len(options) and not room[options[i][0]]:
            i += 1
        if i == len(options):
            candidates[key] = None
            continue
        pointer[key] = i
        gi, km = options[i]
        room[gi] -= 1
        out_rank.append(rank)
        out_group.append(gi)
        out_km.append(km)
    arrays = [np.asarray(out_rank, np.int64)], [np.asarray(out_group, np.int64)], [np.asarray(out_km, np.float64)]
    return _finish(prep, "greedy", *arrays, start, {})


# --- Result -------------------------------------------------------------------------------------


def _finish(prep: _Prepared, method, out_rank, out_group, out_km, start, details) -> MatchResult:
    rank = np.concatenate(out_rank) if out_rank else np.empty(0, np.int64)
    group = np.concatenate(out_group) if out_group else np.empty(0, np.int64)
    km = np.concatenate(out_km) if out_km else np.empty(0, np.float64)
    # Inside a group, offers are filled in id order, seekers taken in rank order.
    caps = np.asarray([c for g in prep.groups for c in g.capacities], dtype=np.int64)
    ids = [i for g in prep.groups for i in g.offer_ids]
    cum = np.cumsum(caps)
    group_base = np.r_[0, cum][np.cumsum([0] + [len(g.offer_ids) for g in prep.groups])[:-1]]
    by_group = np.lexsort((rank, group))
    rank, group, km = rank[by_group], group[by_group], km[by_group]
    if len(group):
        firsts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        position = np.arange(len(group)) - np.repeat(firsts, np.diff(np.r_[firsts, len(group)]))
        flat_offer = np.searchsorted(cum, group_base[group] + position, side="right")
    else:
        flat_offer = np.empty(0, np.int64)
    by_rank = np.argsort(rank, kind="stable")
    rank, flat_offer, km = rank[by_rank], flat_offer[by_rank], km[by_rank]

    order = prep.order
    assignments = [
        Assignment(order[r].id, ids[f], round(d, 3))
        for r, f, d in zip(rank.tolist(), flat_offer.tolist(), km.tolist(), strict=True)
    ]
    placed_mask = np.zeros(len(order), dtype=bool)
    placed_mask[rank] = True
    unplaced = [order[r].id for r in np.flatnonzero(~placed_mask).tolist()]

    prio = prep.prio

    def by_priority(values):
        keys, counts = np.unique(values, return_counts=True)
        return {int(k): int(n) for k, n in sorted(zip(keys.tolist(), counts.tolist(), strict=True), reverse=True)}

    result = MatchResult(
        assignments=assignments,
        unplaced=unplaced,
        method=method,
        placed_by_priority=by_priority(prio[placed_mask]),
        unplaced_by_priority=by_priority(prio[~placed_mask]),
        placed_weight=int((prio[placed_mask] + WEIGHT_OFFSET).sum()),
        total_distance_km=float(km.sum()),
        mean_distance_km=float(km.mean()) if len(km) else 0.0,
        p95_distance_km=float(np.sort(km)[math.ceil(0.95 * len(km)) - 1]) if len(km) else 0.0,
        details=details,
    )
    result.seconds = time.perf_counter() - start
    return result
