"""The matching engine's required properties, each on a case built to show it.

Pure: no database, no app (they count as "no-database" tests)."""

import ast
import random
from pathlib import Path

import pytest

from app.matching import (
    MASTERS_FULL,
    NO_MASTER_IN_TRADE,
    RULES,
    MatchingError,
    Rules,
    match,
)
from app.matching.weights import BROKEN_OFF_LIST, Weights
from tests.matching.helpers import A, M, assert_maximal, assert_valid


def pairs_of(result):
    return {(p.apprentice, p.master) for p in result.pairs}


# --- at most once, capacity, maximal -----------------------------------------


def test_each_apprentice_at_most_once_and_masters_within_capacity():
    masters = [M("m1", capacity=2), M("m2", capacity=1), M("m3", unit="u2", capacity=3)]
    apprentices = [A(f"a{i}", unit="u1" if i % 2 else "u2") for i in range(10)]
    result = match(masters, apprentices)
    load = assert_valid(result, masters, apprentices)
    assert load == {"m1": 2, "m2": 1, "m3": 3}
    assert len(result.pairs) == 6
    assert {u.reason for u in result.unmatched} == {MASTERS_FULL}


def test_maximal_beats_keeping_an_own_unit_pair():
    # a1 could stay in its unit with m1, but then a2 (who avoids m2) gets nobody:
    # pairing as many as possible comes first.
    masters = [M("m1", unit="u1"), M("m2", unit="u2")]
    apprentices = [A("a1", unit="u1"), A("a2", unit="u3", avoid={"m2"})]
    result = match(masters, apprentices)
    assert pairs_of(result) == {("a1", "m2"), ("a2", "m1")}
    assert_maximal(result, masters, apprentices)


def test_nobody_unmatched_while_a_same_trade_master_has_room_anywhere():
    rng = random.Random(7)
    masters = [M(f"m{i}", unit=f"u{(u := rng.randrange(12))}", district=f"d{u % 3}", level=rng.randint(1, 3),
                 capacity=rng.randint(0, 3), trade=rng.choice(("weld", "lathe"))) for i in range(25)]
    apprentices = [A(f"a{i:02d}", unit=f"u{(u := rng.randrange(12))}", district=f"d{u % 3}",
                     level=rng.randint(2, 5), trade=rng.choice(("weld", "lathe", "cook")),
                     avoid=set(rng.sample([m.id for m in masters], 2)))
                   for i in range(60)]
    rules = Rules(max_level_gap=2)
    result = match(masters, apprentices, rules)
    assert_maximal(result, masters, apprentices, rules)
    assert {u.reason for u in result.unmatched} >= {NO_MASTER_IN_TRADE, MASTERS_FULL}


# --- lexicographic by scope ------------------------------------------------


def test_own_unit_pairs_beat_a_greedy_first_choice():
    # a1's first choice is m1 (own unit); a2 can only have m1 inside the unit (it avoids m2).
    # Greedy (a1 first, best choice first) gives a1-m1 and sends a2 out of the unit; the
    # engine keeps both inside the unit and breaks a1's preference instead.
    masters = [M("m1", unit="u1"), M("m2", unit="u1"), M("m9", unit="u9", district="d9")]
    apprentices = [A("a1", preferences=("m1",)), A("a2", avoid={"m2"})]
    result = match(masters, apprentices)
    assert pairs_of(result) == {("a1", "m2"), ("a2", "m1")}
    assert {p.scope for p in result.pairs} == {"unit"}
    by_apprentice = {p.apprentice: p for p in result.pairs}
    assert by_apprentice["a1"].preference_rank is None


def test_own_unit_count_is_maximised_not_just_first_come():
    # Round-by-round greedy inside the unit (a1 first takes the first free master, m1) loses
    # a unit pair: a2's only master in the unit is m1.
    masters = [M("m1", unit="u1", level=2), M("m2", unit="u1", level=2), M("m3", unit="u2", level=2)]
    apprentices = [A("a1", level=3), A("a2", level=3, avoid={"m2"})]
    result = match(masters, apprentices)
    assert pairs_of(result) == {("a1", "m2"), ("a2", "m1")}


def test_district_pairs_come_before_preferences():
    # a1 (district d1) prefers m_far (district d2); taking it would push a2 (district d2)
    # out of its district: two pairs inside their districts win over a1's wish.
    masters = [M("m_near", unit="u2", district="d1"), M("m_far", unit="u5", district="d2")]
    apprentices = [A("a1", unit="u1", district="d1", preferences=("m_far",)),
                   A("a2", unit="u4", district="d2")]
    result = match(masters, apprentices)
    assert pairs_of(result) == {("a1", "m_near"), ("a2", "m_far")}
    assert {p.scope for p in result.pairs} == {"industry"}


def test_scope_widens_unit_then_district_then_system():
    masters = [M("m_sys", unit="u9", district="d9"), M("m_dist", unit="u2", district="d1"), M("m_unit", unit="u1")]
    one = [A("a1", unit="u1", district="d1")]
    assert [(p.master, p.scope) for p in match(masters, one).pairs] == [("m_unit", "unit")]
    assert [(p.master, p.scope) for p in match(masters[:2], one).pairs] == [("m_dist", "industry")]
    assert [(p.master, p.scope) for p in match(masters[:1], one).pairs] == [("m_sys", "system")]


def test_unit_directly_under_the_city_has_no_district_step():
    # district None: a master of another unit under the city is "system", never "industry".
    masters = [M("m1", unit="u2", district=None)]
    result = match(masters, [A("a1", unit="u1", district=None)])
    assert [p.scope for p in result.pairs] == ["system"]


# --- preferences, avoid lists, level gap -----------------------------------


def test_preference_rank_is_used_and_reported():
    masters = [M("m1"), M("m2"), M("m3")]
    result = match(masters, [A("a1", preferences=("m3", "m1"))])
    [pair] = result.pairs
    assert (pair.master, pair.preference_rank, pair.scope, pair.trade) == ("m3", 1, "unit", "weld")


def test_fewest_broken_preferences_overall():
    # Both want m1 first. Giving it to a1 (first by id) breaks a2's only wish entirely (5);
    # giving a1 its second choice breaks only 1.
    masters = [M("m1"), M("m2")]
    apprentices = [A("a1", preferences=("m1", "m2")), A("a2", preferences=("m1",))]
    result = match(masters, apprentices)
    assert pairs_of(result) == {("a1", "m2"), ("a2", "m1")}
    assert sorted(p.preference_rank for p in result.pairs) == [1, 2]


def test_fifth_choice_beats_an_unlisted_master_even_with_a_larger_gap():
    masters = [M(f"m{i}", level=1, capacity=0) for i in range(1, 5)] + [M("m5", level=1), M("m6", level=3)]
    [pair] = match(masters, [A("a1", level=3, preferences=("m1", "m2", "m3", "m4", "m5"))]).pairs
    assert (pair.master, pair.preference_rank) == ("m5", 5)


def test_having_preferences_does_not_make_an_apprentice_the_one_left_out():
    # One place for two: each apprentice left out costs the same (an unmatched apprentice with
    # a list counts as all choices missed), so the one who named m1 gets it.
    result = match([M("m1")], [A("a1"), A("a2", preferences=("m1",))])
    assert pairs_of(result) == {("a2", "m1")}


def test_smaller_level_gap_is_the_last_tie_break():
    masters = [M("m_top", level=1), M("m_close", level=3)]
    [pair] = match(masters, [A("a1", level=4)]).pairs
    assert (pair.master, pair.level_gap) == ("m_close", 1)
    # ...but a preference comes before the gap.
    [pair] = match(masters, [A("a1", level=4, preferences=("m_top",))]).pairs
    assert (pair.master, pair.level_gap, pair.preference_rank) == ("m_top", 3, 1)


def test_avoided_master_is_never_paired_even_if_it_is_the_only_one_in_the_unit():
    masters = [M("m1", unit="u1"), M("m2", unit="u2")]
    apprentices = [A("a1", unit="u1", avoid={"m1"})]
    assert pairs_of(match(masters, apprentices)) == {("a1", "m2")}
    result = match(masters[:1], apprentices)
    assert result.pairs == ()
    assert [(u.apprentice, u.reason) for u in result.unmatched] == [("a1", RULES)]


def test_avoid_inside_a_shared_hub_keeps_the_other_masters_reachable():
    # Many masters of one level in one district: the avoider must still reach all the others.
    masters = [M(f"m{i}", unit=f"u{i}", district="d1", level=2) for i in range(6)]
    apprentices = [A(f"a{i}", unit="u9", district="d1", level=3, avoid={"m0", "m3"}) for i in range(6)]
    result = match(masters, apprentices)
    assert_maximal(result, masters, apprentices)
    assert len(result.pairs) == 4
    assert {p.master for p in result.pairs} == {"m1", "m2", "m4", "m5"}


# --- hard rules ------------------------------------------------------------


def test_max_level_gap():
    masters = [M("m1", level=1, capacity=2)]
    apprentices = [A("a4", level=4), A("a3", level=3)]
    result = match(masters, apprentices, Rules(max_level_gap=2))
    assert [(p.apprentice, p.level_gap) for p in result.pairs] == [("a3", 2)]
    assert [(u.apprentice, u.reason) for u in result.unmatched] == [("a4", RULES)]
    assert len(match(masters, apprentices).pairs) == 2


def test_master_junior_to_the_apprentice_only_when_the_rules_allow_it():
    masters = [M("m1", level=4)]
    apprentices = [A("a1", level=2)]
    result = match(masters, apprentices)
    assert result.pairs == () and result.unmatched[0].reason == RULES
    [pair] = match(masters, apprentices, Rules(min_level_gap=None)).pairs
    assert pair.level_gap == -2
    assert match(masters, apprentices, Rules(min_level_gap=-1)).pairs == ()


def test_same_unit_required():
    masters = [M("m_other", unit="u2"), M("m_own", unit="u1", capacity=1)]
    apprentices = [A("a1", unit="u1"), A("a2", unit="u1")]
    rules = Rules(same_unit="required")
    result = match(masters, apprentices, rules)
    assert len(result.pairs) == 1 and result.pairs[0].master == "m_own"
    assert result.unmatched[0].reason == MASTERS_FULL
    assert_maximal(result, masters, apprentices, rules)


def test_same_unit_forbidden():
    masters = [M("m_own", unit="u1", capacity=5), M("m_dist", unit="u2"), M("m_far", unit="u3", district="d2")]
    apprentices = [A("a1", unit="u1", preferences=("m_own",)), A("a2", unit="u1"), A("a3", unit="u1")]
    rules = Rules(same_unit="forbidden")
    result = match(masters, apprentices, rules)
    assert {p.master for p in result.pairs} == {"m_dist", "m_far"}
    assert [u.reason for u in result.unmatched] == [MASTERS_FULL]
    assert_maximal(result, masters, apprentices, rules)
    # Only the own unit's master: excluded by the rules.
    lonely = match(masters[:1], apprentices[:1], rules)
    assert lonely.pairs == () and lonely.unmatched[0].reason == RULES


def test_same_unit_forbidden_for_units_under_the_city():
    masters = [M("m_own", unit="u1", district=None, capacity=3), M("m_city", unit="u2", district=None),
               M("m_dist", unit="u3", district="d1")]
    apprentices = [A("a1", unit="u1", district=None), A("a2", unit="u1", district=None)]
    result = match(masters, apprentices, Rules(same_unit="forbidden"))
    assert {p.master for p in result.pairs} == {"m_city", "m_dist"}
    assert {p.scope for p in result.pairs} == {"system"}


def test_trade_is_a_hard_rule():
    result = match([M("m1", trade="lathe")], [A("a1", trade="weld")])
    assert result.pairs == ()
    assert [(u.apprentice, u.trade, u.reason) for u in result.unmatched] == [("a1", "weld", NO_MASTER_IN_TRADE)]


# --- unmatched reasons -----------------------------------------------------


def test_unmatched_reasons():
    masters = [M("m_full", capacity=0, trade="weld"), M("m1", capacity=1, trade="lathe", level=1)]
    apprentices = [
        A("a_cook", trade="cook"),
        A("a_weld", trade="weld"),  # the only welding master has no free place
        A("a_lathe1", trade="lathe"),
        A("a_lathe2", trade="lathe"),  # the lathe place went to a_lathe1
        A("a_lathe3", trade="lathe", avoid={"m1"}),
    ]
    result = match(masters, apprentices)
    reasons = {u.apprentice: u.reason for u in result.unmatched}
    # a_lathe1 and a_lathe2 are interchangeable: one gets m1, the other finds it full.
    [(lucky, _)] = pairs_of(result)
    other = ({"a_lathe1", "a_lathe2"} - {lucky}).pop()
    assert reasons == {"a_cook": NO_MASTER_IN_TRADE, "a_weld": MASTERS_FULL,
                       other: MASTERS_FULL, "a_lathe3": RULES}


# --- determinism, progress, input checks, purity ---------------------------


def test_same_input_in_any_order_gives_the_same_pairs():
    rng = random.Random(11)
    masters = [M(f"m{i}", unit=f"u{i % 5}", district=f"d{i % 5 % 2}", level=rng.randint(1, 3),
                 capacity=rng.randint(1, 2)) for i in range(12)]
    apprentices = [A(f"a{i}", unit=f"u{i % 5}", district=f"d{i % 5 % 2}", level=rng.randint(3, 5)) for i in range(30)]
    first = match(masters, apprentices)
    for _ in range(5):
        rng.shuffle(masters)
        rng.shuffle(apprentices)
        assert match(masters, apprentices) == first


def test_progress_is_reported_per_trade():
    calls = []
    match([M("m1", trade="weld"), M("m2", trade="lathe")],
          [A("a1", trade="weld"), A("a2", trade="lathe"), A("a3", trade="cook")],
          on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("build, message", [
    (lambda: match([M("m1"), M("m1")], []), "listed twice"),
    (lambda: match([], [A("a1"), A("a1")]), "listed twice"),
    (lambda: A("a1", preferences=("m1", "m2", "m3", "m4", "m5", "m6")), "at most 5"),
    (lambda: A("a1", preferences=("m1", "m1")), "ranked twice"),
    (lambda: A("a1", preferences=("m1",), avoid={"m1"}), "both preferred and avoided"),
    (lambda: M("m1", capacity=-1), "capacity"),
    (lambda: M("m1", level="3"), "level"),
    (lambda: Rules(same_unit="sometimes"), "same_unit"),
    (lambda: Rules(max_level_gap=1, min_level_gap=2), "below"),
    (lambda: match([M("m1", unit="u1", district="d1")], [A("a1", unit="u1", district="d2")]), "two districts"),
])
def test_bad_input_is_refused_with_a_message(build, message):
    with pytest.raises(MatchingError, match=message):
        build()


def test_engine_is_pure():
    folder = Path(__file__).resolve().parents[2] / "app" / "matching"
    imported = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "itertools", "typing", "numpy", "ortools"}


# --- the weights behind the lexicographic order ----------------------------


@pytest.mark.parametrize("pairs, max_gap", [(1, 0), (3, 4), (1000, 4), (19_000, 4)])
def test_each_weight_outweighs_everything_below_it(pairs, max_gap):
    w = Weights.for_trade(pairs, max_gap)
    g = pairs * max_gap * w.gap
    p = BROKEN_OFF_LIST * pairs * w.preference
    assert w.preference > g
    assert w.out_district > p + g
    assert w.out_unit > pairs * w.out_district + p + g


def test_weights_drop_the_gap_tie_break_only_for_a_huge_trade():
    assert Weights.for_trade(1000, 4).fits(1000, 1400)
    huge = Weights.for_trade(28_000, 4)
    assert not huge.fits(28_000, 40_000)
    assert Weights.for_trade(28_000, 4, use_gap=False).fits(28_000, 40_000)


def test_a_single_huge_trade_still_matches_everyone_unit_first():
    # Every apprentice in one trade: the weights with the gap tie-break would overflow int64,
    # so the engine drops that last tie-break; pairs, unit and district counts stay optimal.
    # Every pair is allowed here, so the optimum is known: each unit pairs min(apprentices,
    # places) inside itself, and each district min(apprentices, places) inside itself.
    rng = random.Random(3)
    masters = [M(f"m{i:05d}", unit=(u := rng.randrange(400)), district=u % 20, level=rng.randint(1, 3),
                 capacity=rng.randint(1, 5)) for i in range(8000)]
    apprentices = [A(f"a{i:05d}", unit=(u := rng.randrange(400)), district=u % 20, level=rng.randint(3, 5))
                   for i in range(24_000)]
    result = match(masters, apprentices)
    assert_maximal(result, masters, apprentices)

    def best(key):
        places, people = {}, {}
        for m in masters:
            places[key(m)] = places.get(key(m), 0) + m.capacity
        for a in apprentices:
            people[key(a)] = people.get(key(a), 0) + 1
        return sum(min(n, places.get(k, 0)) for k, n in people.items())

    assert len(result.pairs) == min(len(apprentices), sum(m.capacity for m in masters))
    assert sum(p.scope == "unit" for p in result.pairs) == best(lambda x: x.unit)
    assert sum(p.scope != "system" for p in result.pairs) == best(lambda x: x.district)
