"""Shared helpers for the matching engine's tests: short constructors, the invariants every
result must satisfy, and an independent computation of the objective a result reaches."""

from app.matching import BROKEN_OFF_LIST, Apprentice, Master, Rules, scope_of


def M(id, unit="u1", district="d1", level=1, capacity=1, trade="weld"):
    return Master(id, trade, unit, district, level, capacity)


def A(id, unit="u1", district="d1", level=3, preferences=(), avoid=(), trade="weld"):
    return Apprentice(id, trade, unit, district, level, tuple(preferences), frozenset(avoid))


def assert_valid(result, masters, apprentices, rules=None):
    """At most once, within capacity, rules respected, labels true, unmatched accounted for."""
    rules = rules or Rules()
    by_id_m = {m.id: m for m in masters}
    by_id_a = {a.id: a for a in apprentices}
    seen = [p.apprentice for p in result.pairs]
    assert len(seen) == len(set(seen)), "an apprentice is paired twice"
    load = {}
    for pair in result.pairs:
        m, a = by_id_m[pair.master], by_id_a[pair.apprentice]
        assert rules.allows(m, a), f"{pair} breaks a hard rule"
        assert pair.trade == a.trade == m.trade
        assert pair.scope == scope_of(m, a)
        assert pair.level_gap == a.level - m.level
        expected_rank = a.preferences.index(m.id) + 1 if m.id in a.preferences else None
        assert pair.preference_rank == expected_rank
        load[m.id] = load.get(m.id, 0) + 1
    for master_id, taken in load.items():
        assert taken <= by_id_m[master_id].capacity, f"master {master_id} over capacity"
    left = {u.apprentice for u in result.unmatched}
    assert left.isdisjoint(seen)
    assert left | set(seen) == set(by_id_a), "every apprentice is either paired or unmatched"
    return load


def assert_maximal(result, masters, apprentices, rules=None):
    """Nobody unmatched while a master they may have still has a free place."""
    rules = rules or Rules()
    load = assert_valid(result, masters, apprentices, rules)
    by_id_a = {a.id: a for a in apprentices}
    for left in result.unmatched:
        a = by_id_a[left.apprentice]
        free = [m.id for m in masters if rules.allows(m, a) and load.get(m.id, 0) < m.capacity]
        assert not free, f"{a.id} left unmatched while {free} have room"


def broken(apprentice, master_id):
    """Broken preferences of one apprentice (master_id None: unmatched)."""
    if not apprentice.preferences:
        return 0
    if master_id in apprentice.preferences:
        return apprentice.preferences.index(master_id)
    return BROKEN_OFF_LIST


def objective(assignment, masters, apprentices):
    """The lexicographic objective, smaller is better: (-pairs, pairs outside the unit,
    pairs outside the district, broken preferences, sum of |level gap|).
    `assignment`: {apprentice id: master id}."""
    by_id_m = {m.id: m for m in masters}
    out_unit = out_district = total_broken = gaps = 0
    for a in apprentices:
        master_id = assignment.get(a.id)
        total_broken += broken(a, master_id)
        if master_id is None:
            continue
        m = by_id_m[master_id]
        scope = scope_of(m, a)
        out_unit += scope != "unit"
        out_district += scope == "system"
        gaps += abs(a.level - m.level)
    return (-len(assignment), out_unit, out_district, total_broken, gaps)


def assignment_of(result):
    return {p.apprentice: p.master for p in result.pairs}
