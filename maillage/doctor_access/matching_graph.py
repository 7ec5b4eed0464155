"""Geometry and flow network behind `maillage.doctor_access.matching` (pure Python, numpy, OR-Tools).

Two pieces, both on aggregated data (communes and offer groups, never individual patients):

- `reach_pairs`: which seeker communes each offer group can take, and at what distance. A grid of
  cells on the unit sphere (3-D coordinates) keeps it near-linear at national scale: a group only
  looks at the cells around its commune, then the exact great-circle distance filters them.
- `solve_component`: the min-cost flow of one connected component of that reach graph, with the
  lexicographic cost (patients' weight first, distance second) sized for that component only.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from maillage.core.geo import EARTH_RADIUS_KM

# Distances enter the flow costs as integers in this unit (100 m). Commune centroids are much less
# precise than that, so nothing is lost; the assignment itself reports the exact distance.
DISTANCE_UNIT_KM = 0.1
# OR-Tools scales costs by (number of nodes + 1) inside its cost-scaling algorithm and refuses cost
# ranges that could overflow int64; we stay well below with a margin of our own.
_COST_LIMIT = 2**62


def chord(km: float) -> float:
    """Straight-line distance through the unit sphere between two points `km` apart on the surface."""
    return 2.0 * math.sin(min(km / (2.0 * EARTH_RADIUS_KM), math.pi / 2))


def unit_vectors(latlon: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(latlon[:, 0]), np.radians(latlon[:, 1])
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def haversine_km(lat1, lon1, lat2, lon2):
    """The formula of maillage.core.geo.distance_km, vectorised (degrees in, km out)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class _Grid:
    """Points bucketed in cubic cells of the unit-sphere coordinates."""

    def __init__(self, xyz: np.ndarray, cell: float):
        self.cell = cell
        self.size = len(xyz)
        buckets: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(map(tuple, np.floor(xyz / cell).astype(np.int64).tolist())):
            buckets[key].append(i)
        self.buckets = {key: np.asarray(v, dtype=np.int64) for key, v in buckets.items()}

    def near(self, point: np.ndarray, radius_chord: float) -> np.ndarray:
        """Indices of the points that may lie within `radius_chord` of `point` (a superset)."""
        span = math.ceil(radius_chord / self.cell)
        if (2 * span + 1) ** 3 >= len(self.buckets):
            return np.arange(self.size, dtype=np.int64)
        kx, ky, kz = (int(v) for v in np.floor(point / self.cell))
        parts = [
            self.buckets[key]
            for key in itertools.product(
                range(kx - span, kx + span + 1), range(ky - span, ky + span + 1), range(kz - span, kz + span + 1)
            )
            if key in self.buckets
        ]
        return np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)


@dataclass
class GroupSpec:
    """What `reach_pairs` needs to know of an offer group."""

    latlon: tuple[float, float]
    reach_km: float
    allowed: np.ndarray | None  # commune indices it accepts (None: any)
    priority_only: bool


def reach_pairs(commune_latlon: np.ndarray, has_priority: np.ndarray, groups: list[GroupSpec], cell_km: float):
    """(group index, commune index, distance km) of every admissible pair, as three arrays sorted by
    group then commune. A priority-only group is paired only with communes that have priority seekers."""
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
    if not len(commune_latlon) or not groups:
        return empty
    grid = _Grid(unit_vectors(commune_latlon), chord(max(cell_km, 1.0)))
    by_place: dict[tuple[float, float], list[int]] = defaultdict(list)
    for gi, group in enumerate(groups):
        by_place[group.latlon].append(gi)
    out_g, out_c, out_d = [], [], []
    for latlon, members in by_place.items():
        radius = max(groups[gi].reach_km for gi in members)
        if radius < 0:
            continue
        point = unit_vectors(np.asarray([latlon], dtype=np.float64))[0]
        candidates = grid.near(point, chord(radius))
        if not len(candidates):
            continue
        distances = haversine_km(latlon[0], latlon[1], commune_latlon[candidates, 0], commune_latlon[candidates, 1])
        for gi in members:
            group = groups[gi]
            keep = distances <= group.reach_km
            if group.allowed is not None:
                keep &= np.isin(candidates, group.allowed)
            if group.priority_only:
                keep &= has_priority[candidates]
            if keep.any():
                out_g.append(np.full(int(keep.sum()), gi, dtype=np.int64))
                out_c.append(candidates[keep])
                out_d.append(distances[keep])
    if not out_g:
        return empty
    g, c, d = np.concatenate(out_g), np.concatenate(out_c), np.concatenate(out_d)
    order = np.lexsort((c, g))
    return g[order], c[order], d[order]


def components(n_communes: int, n_groups: int, pair_g: np.ndarray, pair_c: np.ndarray) -> np.ndarray:
    """Connected-component label of each commune (communes and groups joined by admissible pairs);
    the label is the smallest commune index of the component. Groups share their communes' labels."""
    parent = list(range(n_communes))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of_group: dict[int, int] = {}
    for g, c in zip(pair_g.tolist(), pair_c.tolist(), strict=True):
        anchor = first_of_group.setdefault(g, c)
        if anchor != c:
            a, b = find(anchor), find(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return np.asarray([find(c) for c in range(n_communes)], dtype=np.int64)


@dataclass
class FlowProblem:
    """One component, in local numbering. Node 0 is the sink.

    `supply_nodes[i]` holds `supplies[i]` seekers of weight `weights[i]`: it can send them to its hub
    (`hub_of_supply[i]`, or -1 if none) at no cost or leave them unplaced (an arc to the sink costing
    `K × weight`). Hub `pass_from → pass_to` arcs (priority hub into the general hub) cost nothing;
    `arc_hub → arc_group` arcs cost the distance in units; group → sink arcs carry the capacities."""

    num_nodes: int
    supply_nodes: list[int]
    supplies: list[int]
    weights: list[int]
    hub_of_supply: list[int]
    pass_from: list[int]
    pass_to: list[int]
    pass_cap: list[int]
    arc_hub: np.ndarray
    arc_group: np.ndarray
    arc_km: np.ndarray
    group_nodes: list[int]
    group_caps: list[int]


@dataclass
class FlowSolution:
    placed: list[int]  # per supply node
    arc_flow: np.ndarray  # per hub → group arc
    unit_km: float
    big_k: int
    cost: int
    cost_bound: int  # K × max weight × (nodes + 1): what OR-Tools' cost scaling must hold in int64


def solve_component(p: FlowProblem) -> FlowSolution:
    """Min-cost flow with cost K·Σ weight(unplaced) + Σ distance units(placed).

    K = B·Dmax + 1 with Dmax the largest distance in units and B a bound on the number of distance
    arcs a residual cycle can use: B = min(2·min(#groups, #hubs), min(#seekers, #places)). A flow that
    is not lexicographically optimal has a residual cycle gaining ≥ 1 weight; its distance change is
    at most B·Dmax < K, so that cycle would lower the cost: the min-cost flow is lexicographic."""
    total = sum(p.supplies)
    places = sum(p.group_caps)
    n_hubs = len(set(p.arc_hub.tolist()))
    bound = min(2 * min(len(p.group_nodes), n_hubs), min(total, places))
    w_max = max(p.weights)
    unit = DISTANCE_UNIT_KM
    while True:
        units = np.rint(p.arc_km / unit).astype(np.int64)
        d_max = int(units.max()) if len(units) else 0
        big_k = bound * d_max + 1
        if big_k * w_max * (p.num_nodes + 1) * 4 < _COST_LIMIT:
            break
        if d_max == 0:
            raise OverflowError(f"priority scores up to {w_max - 1} are too large for int64 flow costs")
        unit *= 2  # only with absurd priority scores or reaches: coarser distances keep int64 safe
    smcf = min_cost_flow.SimpleMinCostFlow()
    n_supply = len(p.supply_nodes)
    tails = [*p.supply_nodes, *p.supply_nodes, *p.pass_from, *p.group_nodes]
    heads = [0] * n_supply + [h if h >= 0 else 0 for h in p.hub_of_supply] + [*p.pass_to, *[0] * len(p.group_nodes)]
    caps = [*p.supplies, *(s if h >= 0 else 0 for s, h in zip(p.supplies, p.hub_of_supply, strict=True))]
    caps += [*p.pass_cap, *p.group_caps]
    costs = [big_k * w for w in p.weights] + [0] * (n_supply + len(p.pass_from) + len(p.group_nodes))
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32),
        np.asarray(heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64),
        np.asarray(costs, dtype=np.int64),
    )
    first_pair = smcf.num_arcs()
    if len(p.arc_hub):
        smcf.add_arcs_with_capacity_and_unit_cost(
            p.arc_hub.astype(np.int32),
            p.arc_group.astype(np.int32),
            np.full(len(p.arc_hub), max(total, 1), dtype=np.int64),
            units,
        )
    smcf.set_nodes_supplies(
        np.asarray([*p.supply_nodes, 0], dtype=np.int32), np.asarray([*p.supplies, -total], dtype=np.int64)
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    unplaced = smcf.flows(np.arange(n_supply, dtype=np.int32))
    arc_flow = smcf.flows(np.arange(first_pair, smcf.num_arcs(), dtype=np.int32))
    placed = [s - int(u) for s, u in zip(p.supplies, unplaced.tolist(), strict=True)]
    flows = np.asarray(arc_flow, dtype=np.int64)
    return FlowSolution(placed, flows, unit, big_k, smcf.optimal_cost(), big_k * w_max * (p.num_nodes + 1))
