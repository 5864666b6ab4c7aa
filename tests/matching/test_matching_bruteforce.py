"""The engine against exhaustive search on small random instances.

For each seeded instance (up to 6 apprentices, 4 masters, 2 trades, units with and without a
district, preferences, avoid lists, random rules) every feasible assignment is enumerated and the
best lexicographic objective (pairs, then own unit, then own district, then broken preferences,
then level gap) is compared with the one the engine's pairs reach."""

import random

import pytest

from app.matching import MASTERS_FULL, NO_MASTER_IN_TRADE, RULES, Rules, match
from tests.matching.helpers import A, M, assert_maximal, assignment_of, objective

CASES = 200
DENSE = 100  # more, after the first CASES: one trade, few units and levels, so hubs are shared


def instance(seed):
    rng = random.Random(seed)
    dense = seed >= CASES
    district_of = {f"u{i}": rng.choice(("d1", "d1", "d2", None)) for i in range(3 if dense else 4)}
    trades = ("weld",) if dense else ("weld", "lathe")[: rng.randint(1, 2)]
    masters = []
    for i in range(rng.randint(3, 5) if dense else rng.randint(1, 4)):
        unit = rng.choice(list(district_of))
        masters.append(M(f"m{i}", unit=unit, district=district_of[unit], level=rng.randint(1, 2 if dense else 4),
                         capacity=rng.choice((0, 1, 1, 2)), trade=rng.choice(trades)))
    ids = [m.id for m in masters] + ["m_gone"]  # a preference may name a master not in the run
    apprentices = []
    for i in range(rng.randint(1, 6)):
        unit = rng.choice(list(district_of))
        preferences = tuple(rng.sample(ids, rng.randint(0, min(5, len(ids))))) if rng.random() < 0.6 else ()
        rest = [x for x in ids if x not in preferences]
        avoid = set(rng.sample(rest, rng.randint(0, min(2, len(rest))))) if rng.random() < 0.3 else set()
        apprentices.append(A(f"a{i}", unit=unit, district=district_of[unit], level=rng.randint(1, 5),
                             preferences=preferences, avoid=avoid, trade=rng.choice(trades + ("cook",))))
    rules = Rules(
        max_level_gap=rng.choice((None, None, 1, 2)),
        min_level_gap=rng.choice((0, 0, None)),
        same_unit=rng.choice(("any", "any", "required", "forbidden")),
    )
    return masters, apprentices, rules


def best_objective(masters, apprentices, rules):
    """Exhaustive search over every assignment that respects the rules and the capacities."""
    options = [[m for m in masters if rules.allows(m, a)] for a in apprentices]
    free = {m.id: m.capacity for m in masters}
    best = None
    assignment = {}

    def search(i):
        nonlocal best
        if i == len(apprentices):
            value = objective(assignment, masters, apprentices)
            best = value if best is None or value < best else best
            return
        search(i + 1)  # this apprentice stays unmatched
        for m in options[i]:
            if free[m.id]:
                free[m.id] -= 1
                assignment[apprentices[i].id] = m.id
                search(i + 1)
                del assignment[apprentices[i].id]
                free[m.id] += 1

    search(0)
    return best


@pytest.mark.parametrize("seed", range(CASES + DENSE))
def test_engine_reaches_the_exhaustive_optimum(seed):
    masters, apprentices, rules = instance(seed)
    result = match(masters, apprentices, rules)
    assert_maximal(result, masters, apprentices, rules)
    assert objective(assignment_of(result), masters, apprentices) == best_objective(masters, apprentices, rules)
    for left in result.unmatched:
        a = next(x for x in apprentices if x.id == left.apprentice)
        same_trade = [m for m in masters if m.trade == a.trade]
        expected = (NO_MASTER_IN_TRADE if not same_trade
                    else MASTERS_FULL if any(rules.allows(m, a) for m in same_trade) else RULES)
        assert left.reason == expected


def test_random_cases_cover_the_interesting_situations():
    # Guard against a generator that drifted into trivial instances.
    seen = set()
    for seed in range(CASES + DENSE):
        masters, apprentices, rules = instance(seed)
        result = match(masters, apprentices, rules)
        seen.update(p.scope for p in result.pairs)
        seen.update(u.reason for u in result.unmatched)
        seen.update("ranked" for p in result.pairs if p.preference_rank)
        seen.update("ranked-2+" for p in result.pairs if (p.preference_rank or 0) >= 2)
        seen.add(rules.same_unit)
    assert seen >= {"unit", "industry", "system", NO_MASTER_IN_TRADE, MASTERS_FULL, RULES,
                    "ranked", "ranked-2+", "any", "required", "forbidden"}
