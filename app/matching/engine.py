"""The matching engine: one min-cost max-flow per trade (trades never mix).

The network of a trade
----------------------
Every apprentice is a node with supply 1, every master with free places a node with demand
`capacity`; OR-tools' `solve_max_flow_with_min_cost` sends as much flow as possible (the largest
number of pairs: nobody is left out while a master they may have still has a place, since such an
apprentice and place would be an augmenting path) and, among the maximum flows, the cheapest.
The costs (weights.py) make "cheapest" the lexicographic objective: own unit, then own district,
then fewest broken preferences, then the smallest level gap.

One arc per apprentice and master would be ~350,000 arcs for a trade of 1,000 apprentices and 350
masters. Instead, masters are reached through shared hub nodes, one per (place, level):

    U(unit, level)      -> the unit's masters of that level           (arc capacity: the master's)
    D(district, level)  -> U(unit, level) of every unit of the district (district None groups the
                           units directly under the city)
    S(level)            -> every D(district, level)

and an apprentice has one arc to U(own unit, l), one to D(own district, l) and one to S(l) for each
level l the rules allow, costed for that scope and the gap |apprentice.level - l|, as an unlisted
master (5 broken preferences); plus one direct arc to each preferred master the rules allow, costed
exactly (its scope, k-1 broken, its gap). With `same_unit="forbidden"` the apprentice uses
DX(unit, l) (the district without the own unit) and SX(unit, l) (the system without it) instead,
built once per unit; with "required" only U(own unit, l). An apprentice with an avoid list whose
hub contains an avoided master gets arcs to that hub's children instead (recursively, down to
direct arcs to the other masters of the avoided master's unit and level).

Why the aggregated network is still exact: (a) every path apprentice -> master in it is a pair the
rules allow (the hub's masters all have the arc's level, pass the same-unit rule, are not avoided);
(b) every allowed pair has a path whose cost is exactly the pair's true cost (the direct arc for a
preferred master, the hub of the pair's own scope otherwise); (c) no path is cheaper than the true
cost of the pair it ends in (a wider hub costs at least as much as the pair's real scope, an
unlisted-cost arc at least as much as the real preference cost, and the gap is exact). So the
cheapest flow costs exactly as much as the best assignment, and the assignment read off it (each
unit of flow followed from its apprentice to a master) costs, by (c), no more than the flow: it is
an optimal assignment, and its pairs are labelled with their true scope and rank.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from itertools import groupby

import numpy as np
from ortools.graph.python import min_cost_flow

from .types import (
    INDUSTRY,
    MASTERS_FULL,
    NO_MASTER_IN_TRADE,
    RULES,
    SYSTEM,
    UNIT,
    Apprentice,
    Master,
    MatchingError,
    MatchResult,
    Pair,
    Rules,
    Unmatched,
    scope_of,
)
from .weights import BROKEN_OFF_LIST, Weights

SCOPE_RANK = {UNIT: 0, INDUSTRY: 1, SYSTEM: 2}

Progress = Callable[[int, int], None]


def order_key(value: Hashable) -> tuple:
    """Sort key for caller ids: by type name first, so ints and strings never get compared."""
    return (type(value).__name__, value)


def match(
    masters: Iterable[Master],
    apprentices: Iterable[Apprentice],
    rules: Rules | None = None,
    on_progress: Progress | None = None,
) -> MatchResult:
    """Pair apprentices with masters of their trade (see the module docstring).

    The result does not depend on the order of the inputs: both are sorted by id first, and
    ties between equally good assignments are settled the same way every time.
    `on_progress(done, total)` is called after each trade, for a background job's progress bar.
    """
    rules = rules or Rules()
    masters = sorted(masters, key=lambda m: order_key(m.id))
    apprentices = sorted(apprentices, key=lambda a: order_key(a.id))
    _check(masters, apprentices)

    by_trade_m = {t: list(g) for t, g in groupby(sorted(masters, key=lambda m: order_key(m.trade)), key=lambda m: m.trade)}
    by_trade_a = {t: list(g) for t, g in groupby(sorted(apprentices, key=lambda a: order_key(a.trade)), key=lambda a: a.trade)}
    trades = sorted(by_trade_a, key=order_key)
    pairs: list[Pair] = []
    unmatched: list[Unmatched] = []
    for done, trade in enumerate(trades, start=1):
        trade_pairs, trade_unmatched = _solve_trade(trade, by_trade_m.get(trade, []), by_trade_a[trade], rules)
        pairs.extend(trade_pairs)
        unmatched.extend(trade_unmatched)
        if on_progress is not None:
            on_progress(done, len(trades))
    return MatchResult(tuple(pairs), tuple(unmatched))


def _check(masters: list[Master], apprentices: list[Apprentice]) -> None:
    for kind, items in (("master", masters), ("apprentice", apprentices)):
        for previous, item in zip(items, items[1:]):
            if previous.id == item.id:
                raise MatchingError(f"{kind} {item.id!r} is listed twice")
    district_of: dict[Hashable, Hashable] = {}
    for item in (*masters, *apprentices):
        known = district_of.setdefault(item.unit, item.district)
        if known != item.district:
            raise MatchingError(f"unit {item.unit!r} is given two districts: {known!r} and {item.district!r}")


class _Network:
    """Arcs of one trade's network, in plain lists until they are handed to the solver.

    An arc's cost is kept as its parts (scope rank 0/1/2, broken preferences, |level gap|) and
    priced only once the whole network is known (`costs`), so that the weights can be checked
    against the exact node count first.
    """

    def __init__(self, first_free_node: int):
        self.nodes = first_free_node
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.capacities: list[int] = []
        self.scopes: list[int] = []
        self.broken: list[int] = []
        self.gaps: list[int] = []

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, capacity: int, scope: int = 0, broken: int = 0, gap: int = 0) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.scopes.append(scope)
        self.broken.append(broken)
        self.gaps.append(abs(gap))

    def costs(self, weights: Weights) -> np.ndarray:
        scopes = np.asarray(self.scopes, dtype=np.int64)
        return (
            (scopes >= 1) * np.int64(weights.out_unit)
            + (scopes >= 2) * np.int64(weights.out_district)
            + np.asarray(self.broken, dtype=np.int64) * np.int64(weights.preference)
            + np.asarray(self.gaps, dtype=np.int64) * np.int64(weights.gap)
        )


def _solve_trade(trade, masters: list[Master], apprentices: list[Apprentice], rules: Rules):
    if not masters:
        return [], [Unmatched(a.id, trade, NO_MASTER_IN_TRADE) for a in apprentices]
    active = [m for m in masters if m.capacity > 0]
    n_app = len(apprentices)
    pairs_bound = min(n_app, sum(m.capacity for m in active))

    # Node numbers: apprentices 0..n-1, then the active masters, then hubs.
    master_node = {m.id: n_app + i for i, m in enumerate(active)}
    master_at = {n_app + i: m for i, m in enumerate(active)}
    district_of_unit = {x.unit: x.district for x in (*masters, *apprentices)}
    hubs = _Hubs(active, master_node, n_app + len(active), district_of_unit, big=max(n_app, 1))
    levels = sorted({m.level for m in active})

    for index, a in enumerate(apprentices):
        avoided = {master_node[mid] for mid in a.avoid if mid in master_node}
        for level in levels:
            gap = a.level - level
            if not rules.allows_gap(gap):
                continue
            # Arcs to hubs cost as an unlisted master; preferred masters get direct arcs below.
            parts = {"broken": BROKEN_OFF_LIST, "gap": gap}
            if rules.same_unit == "forbidden":
                if a.district is not None:
                    hubs.connect(index, hubs.dx(a.unit, level), avoided, scope=1, **parts)
                hubs.connect(index, hubs.sx(a.unit, level), avoided, scope=2, **parts)
                continue
            hubs.connect(index, hubs.get("U", a.unit, level), avoided, scope=0, **parts)
            if rules.same_unit == "required":
                continue
            if a.district is not None:
                hubs.connect(index, hubs.get("D", a.district, level), avoided, scope=1, **parts)
            hubs.connect(index, hubs.get("S", None, level), avoided, scope=2, **parts)
        for rank, mid in enumerate(a.preferences, start=1):
            node = master_node.get(mid)
            if node is None or not rules.allows(master_at[node], a):
                continue
            m = master_at[node]
            hubs.network.arc(index, node, 1, scope=SCOPE_RANK[scope_of(m, a)], broken=rank - 1, gap=a.level - m.level)

    network = hubs.network
    max_gap = max(network.gaps, default=0)
    weights = Weights.for_trade(pairs_bound, max_gap)
    if not weights.fits(pairs_bound, network.nodes):
        weights = Weights.for_trade(pairs_bound, max_gap, use_gap=False)
        if not weights.fits(pairs_bound, network.nodes):
            raise MatchingError(f"trade {trade!r} is too large to match in one run ({n_app} apprentices)")

    assignment = _solve(network, weights, n_app, active)
    pairs, unmatched = [], []
    for index, a in enumerate(apprentices):
        node = assignment.get(index)
        if node is None:
            unmatched.append(Unmatched(a.id, trade, _reason(a, masters, rules)))
            continue
        m = master_at[node]
        rank = a.preferences.index(m.id) + 1 if m.id in a.preferences else None
        pairs.append(Pair(m.id, a.id, trade, scope_of(m, a), rank, a.level - m.level))
    return pairs, unmatched


def _reason(apprentice: Apprentice, masters: list[Master], rules: Rules) -> str:
    if any(rules.allows(m, apprentice) for m in masters):
        return MASTERS_FULL
    return RULES


def _solve(network: _Network, weights: Weights, n_app: int, active: list[Master]) -> dict[int, int]:
    """Run the solver; return {apprentice node: master node}."""
    if not network.tails:
        return {}
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.asarray(network.tails, dtype=np.int64),
        np.asarray(network.heads, dtype=np.int64),
        np.asarray(network.capacities, dtype=np.int64),
        network.costs(weights),
    )
    supply_nodes = np.arange(n_app + len(active), dtype=np.int64)
    supplies = np.concatenate([
        np.ones(n_app, dtype=np.int64),
        -np.asarray([m.capacity for m in active], dtype=np.int64),
    ])
    solver.set_nodes_supplies(supply_nodes, supplies)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise MatchingError(f"the solver did not find an optimal matching (status {status})")
    flows = solver.flows(np.arange(len(network.tails), dtype=np.int64))

    # Follow each apprentice's unit of flow down the hubs to a master. Flow is conserved at
    # every hub, so taking any outgoing arc that still carries flow always ends at a master.
    first_master = n_app
    first_hub = n_app + len(active)
    out: dict[int, list[list[int]]] = {}
    starts: list[tuple[int, int]] = []
    for arc in np.nonzero(flows)[0].tolist():
        tail, head = network.tails[arc], network.heads[arc]
        if tail < first_master:
            starts.append((tail, head))
        else:
            out.setdefault(tail, []).append([head, int(flows[arc])])
    assignment = {}
    for apprentice, node in sorted(starts):
        while node >= first_hub:
            branch = out[node]
            while branch[-1][1] == 0:
                branch.pop()
            branch[-1][1] -= 1
            node = branch[-1][0]
        assignment[apprentice] = node
    return assignment


class _Hubs:
    """The hub nodes of one trade; keys are (kind, place, level). U, D and S hubs are built
    from the masters up front, DX and SX (for `same_unit="forbidden"`) on first use."""

    def __init__(self, active: list[Master], master_node: dict, first_hub: int, district_of_unit: dict, big: int):
        self.network = _Network(first_hub)
        self.big = big  # capacity of hub-to-hub arcs: never the binding limit
        self.node_of: dict[tuple, int] = {}
        self.children: dict[tuple, list] = {}  # hub key -> child hub keys (tuples) or master nodes (ints)
        self.master_of_node = {master_node[m.id]: m for m in active}
        self.district_of_unit = district_of_unit
        for m in active:
            u, d, s = ("U", m.unit, m.level), ("D", m.district, m.level), ("S", None, m.level)
            if u not in self.node_of:
                if d not in self.node_of:
                    if s not in self.node_of:
                        self._hub(s)
                    self._hub(d)
                    self._link(s, d)
                self._hub(u)
                self._link(d, u)
            self.children[u].append(master_node[m.id])
            self.network.arc(self.node_of[u], master_node[m.id], m.capacity)

    def _hub(self, key: tuple) -> None:
        self.node_of[key] = self.network.node()
        self.children[key] = []

    def _link(self, parent: tuple, child: tuple) -> None:
        self.children[parent].append(child)
        self.network.arc(self.node_of[parent], self.node_of[child], self.big)

    def get(self, kind, place, level) -> tuple | None:
        key = (kind, place, level)
        return key if key in self.node_of else None

    def dx(self, unit, level) -> tuple | None:
        """The unit's district (or group of units under the city) without the unit itself."""
        district = self.get("D", self.district_of_unit[unit], level)
        if district is None or self.get("U", unit, level) is None:
            return district  # the unit has no master of this level: the whole district will do
        key = ("DX", unit, level)
        if key not in self.node_of:
            others = [u for u in self.children[district] if u[1] != unit]
            if not others:
                return None
            self._hub(key)
            for child in others:
                self._link(key, child)
        return key

    def sx(self, unit, level) -> tuple | None:
        """The whole system without the unit."""
        system = self.get("S", None, level)
        if system is None or self.get("U", unit, level) is None:
            return system
        key = ("SX", unit, level)
        if key not in self.node_of:
            own = ("D", self.district_of_unit[unit], level)
            inner = self.dx(unit, level)
            children = [d for d in self.children[system] if d != own] + ([inner] if inner else [])
            if not children:
                return None
            self._hub(key)
            for child in children:
                self._link(key, child)
        return key

    def contains(self, key: tuple, node: int) -> bool:
        kind, place, level = key
        m = self.master_of_node[node]
        if m.level != level:
            return False
        if kind == "U":
            return m.unit == place
        if kind == "D":
            return m.district == place
        if kind == "S":
            return True
        if kind == "DX":
            return m.unit != place and m.district == self.district_of_unit[place]
        return m.unit != place  # SX

    def connect(self, apprentice: int, key: tuple | None, avoided: set[int], **parts) -> None:
        """Arc(s) from the apprentice to every master under `key` except the avoided ones."""
        if key is None:
            return
        if not any(self.contains(key, node) for node in avoided):
            self.network.arc(apprentice, self.node_of[key], 1, **parts)
            return
        for child in self.children[key]:
            if isinstance(child, tuple):
                self.connect(apprentice, child, avoided, **parts)
            elif child not in avoided:
                self.network.arc(apprentice, child, 1, **parts)
