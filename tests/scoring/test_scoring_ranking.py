"""Ranking on rounded finals, tie-breaks, incomplete entries, advancement."""

from decimal import Decimal

import pytest

from app.scoring import Criterion, Score, ScoringError, Stage, advancing, evaluate, rank

D = Decimal


def measured(stage_spec, entries):
    """Evaluate entries on stages made of one measurement criterion each.

    stage_spec: [(code, weight, max_mark)]; entries: {entry_id: {code: "value" or None}}.
    """
    stages = [Stage(code, D(weight), (Criterion(code, D(max_mark), "measurement"),)) for code, weight, max_mark in stage_spec]
    scores = [
        Score(entry, code, None, D(value))
        for entry, values in entries.items()
        for code, value in values.items()
        if value is not None
    ]
    return evaluate(stages, scores, {entry: frozenset() for entry in entries})


def single(finals):
    """One stage worth 100 with max 100: each entry's final is its value."""
    return measured([("s", "100", "100")], {entry: {"s": value} for entry, value in finals.items()})


def ranks(ranked):
    return [(r.entry_id, r.rank) for r in ranked]


def test_ranked_best_first():
    ranked = rank(single({"a": "70", "b": "90", "c": "80"}))
    assert ranks(ranked) == [("b", 1), ("c", 2), ("a", 3)]
    assert [r.final for r in ranked] == [D("90"), D("80"), D("70")]


def test_finals_differing_beyond_two_decimals_tie():
    # Theory 30 / practical 70: 24.003 + 56 = 80.003 vs 24 + 56 = 80.000.
    results = measured(
        [("theory", "30", "100"), ("practical", "70", "100")],
        {"a": {"theory": "80.01", "practical": "80"}, "b": {"theory": "80", "practical": "80"}},
    )
    assert results[0].final_exact > results[1].final_exact
    assert results[0].final == results[1].final == D("80.00")
    assert ranks(rank(results)) == [("a", 1), ("b", 1)]


def two_stage(entries):
    return measured([("theory", "50", "100"), ("practical", "50", "100")], entries)


def test_first_tie_break_stage_decides():
    results = two_stage({"a": {"theory": "90", "practical": "80"}, "b": {"theory": "80", "practical": "90"}})
    assert results[0].final == results[1].final == D("85.00")
    assert ranks(rank(results, ["practical", "theory"])) == [("b", 1), ("a", 2)]
    assert ranks(rank(results, ["theory", "practical"])) == [("a", 1), ("b", 2)]


def test_second_tie_break_stage_decides_when_first_is_equal():
    stages = [("a", "40", "100"), ("b", "30", "100"), ("c", "30", "100")]
    results = measured(
        stages,
        {
            "x": {"a": "80", "b": "90", "c": "70"},  # 32 + 27 + 21 = 80
            "y": {"a": "80", "b": "70", "c": "90"},  # 32 + 21 + 27 = 80
        },
    )
    assert ranks(rank(results, ["a", "b", "c"])) == [("x", 1), ("y", 2)]
    assert ranks(rank(results, ["a", "c"])) == [("y", 1), ("x", 2)]


def test_tie_break_compares_stage_percents_rounded_to_two_decimals():
    # Max 1000 gives percents with 3 decimals. Practical: 80.004 vs 80.000 -> both 80.00,
    # so theory (70.00 vs 70.01) decides, though x's exact practical percent is higher.
    results = measured(
        [("practical", "50", "1000"), ("theory", "50", "1000")],
        {
            "x": {"practical": "800.04", "theory": "700.00"},  # final 75.002
            "y": {"practical": "800.00", "theory": "700.08"},  # final 75.004
        },
    )
    assert results[0].final == results[1].final == D("75.00")
    assert results[0].stages["practical"].percent > results[1].stages["practical"].percent
    assert ranks(rank(results, ["practical", "theory"])) == [("y", 1), ("x", 2)]


def test_entries_equal_after_all_tie_breaks_share_rank_and_skip_next():
    results = two_stage(
        {
            "w": {"theory": "90", "practical": "90"},
            "y": {"theory": "80", "practical": "80"},
            "x": {"theory": "80", "practical": "80"},
            "z": {"theory": "70", "practical": "70"},
        }
    )
    ranked = rank(results, ["practical", "theory"])
    assert [r.rank for r in ranked] == [1, 2, 2, 4]
    assert ranks(ranked) == [("w", 1), ("x", 2), ("y", 2), ("z", 4)]  # ties listed by entry id


def test_equal_entries_are_listed_by_sort_key():
    results = single({"x": "80", "y": "80", "z": "80"})
    bib = {"x": 30, "y": 10, "z": 20}
    ranked = rank(results, sort_key=bib.__getitem__)
    assert ranks(ranked) == [("y", 1), ("z", 1), ("x", 1)]


def test_empty_tie_break_list_leaves_equal_finals_tied():
    results = two_stage({"a": {"theory": "90", "practical": "80"}, "b": {"theory": "80", "practical": "90"}})
    assert ranks(rank(results, [])) == [("a", 1), ("b", 1)]


def test_incomplete_entries_unranked_and_listed_last():
    results = two_stage(
        {
            "n2": {"theory": "99", "practical": None},
            "a": {"theory": "60", "practical": "60"},
            "n1": {"theory": None, "practical": "99"},
            "b": {"theory": "70", "practical": "70"},
        }
    )
    ranked = rank(results, ["practical"], sort_key=lambda entry: entry)
    assert ranks(ranked) == [("b", 1), ("a", 2), ("n1", None), ("n2", None)]
    assert ranked[2].result.missing and ranked[2].final is None


def test_rank_rejects_duplicate_entries():
    results = single({"a": "80"})
    with pytest.raises(ScoringError, match="entry 'a' is listed twice"):
        rank(results + results)


def test_rank_rejects_unknown_tie_break_stage():
    with pytest.raises(ScoringError, match="tie-break stage 'final' is not a stage of entry 'a'"):
        rank(single({"a": "80"}), ["final"])


def test_rank_of_nothing():
    assert rank([]) == []


# --- advancement ---------------------------------------------------------------------


def field():
    # Ranks: a1 1, b2 2, c2 2, d4 4, e5 5, f5 5, g7 7; x incomplete.
    return rank(
        single(
            {"a1": "95", "b2": "90", "c2": "90", "d4": "85", "e5": "80", "f5": "80", "g7": "70", "x": None}
        )
    )


def test_advancing_top_n_without_tie_at_boundary():
    assert advancing(field(), 1) == ["a1"]
    assert advancing(field(), 4) == ["a1", "b2", "c2", "d4"]


def test_advancing_includes_entries_tied_with_the_nth():
    assert advancing(field(), 2) == ["a1", "b2", "c2"]
    assert advancing(field(), 5) == ["a1", "b2", "c2", "d4", "e5", "f5"]


def test_advancing_more_than_the_field_takes_every_ranked_entry():
    assert advancing(field(), 50) == ["a1", "b2", "c2", "d4", "e5", "f5", "g7"]


def test_advancing_zero_and_negative():
    assert advancing(field(), 0) == []
    with pytest.raises(ScoringError, match="non-negative integer"):
        advancing(field(), -1)


# --- which tie-break decided ----------------------------------------------------------


def decided(ranked):
    return [(r.entry_id, r.rank, r.decided_by, r.shares_rank) for r in ranked]


def test_a_rank_decided_by_the_final_names_no_tie_break():
    ranked = rank(two_stage({"a": {"theory": "90", "practical": "90"}, "b": {"theory": "80", "practical": "80"}}),
                  ["practical", "theory"])
    assert decided(ranked) == [("a", 1, (), False), ("b", 2, (), False)]


def test_the_first_tie_break_stage_is_named_when_it_decided():
    results = two_stage({"a": {"theory": "90", "practical": "80"}, "b": {"theory": "80", "practical": "90"},
                         "c": {"theory": "50", "practical": "50"}})
    ranked = rank(results, ["practical", "theory"])
    assert decided(ranked) == [("b", 1, ("practical",), False), ("a", 2, ("practical",), False),
                               ("c", 3, (), False)]


def test_every_stage_compared_is_named_when_a_later_one_decided():
    stages = [("a", "40", "100"), ("b", "30", "100"), ("c", "30", "100")]
    results = measured(stages, {
        "x": {"a": "80", "b": "90", "c": "70"},  # 80, first tie-break a equal, b decides
        "y": {"a": "80", "b": "70", "c": "90"},  # 80
        "z": {"a": "90", "b": "70", "c": "70"},  # 36 + 21 + 21 = 78: no tie
    })
    ranked = rank(results, ["a", "b", "c"])
    assert decided(ranked) == [("x", 1, ("a", "b"), False), ("y", 2, ("a", "b"), False), ("z", 3, (), False)]


def test_an_entry_between_two_ties_names_the_deeper_comparison():
    # Same final 80 for all three: stage a puts w ahead; x and y are equal on a, and b separates them.
    results = measured([("a", "50", "100"), ("b", "25", "100"), ("c", "25", "100")], {
        "w": {"a": "90", "b": "70", "c": "70"},
        "x": {"a": "80", "b": "90", "c": "70"},
        "y": {"a": "80", "b": "70", "c": "90"},
    })
    assert {r.final for r in results} == {D("80.00")}
    ranked = rank(results, ["a", "b", "c"])
    assert decided(ranked) == [("w", 1, ("a",), False), ("x", 2, ("a", "b"), False), ("y", 3, ("a", "b"), False)]
    # With c before b, c decides between x and y instead (y ahead).
    ranked = rank(results, ["a", "c"])
    assert decided(ranked) == [("w", 1, ("a",), False), ("y", 2, ("a", "c"), False), ("x", 3, ("a", "c"), False)]


def test_a_tie_no_stage_could_break_shares_the_rank_and_says_so():
    results = two_stage({
        "w": {"theory": "80", "practical": "90"},  # 85, practical higher
        "x": {"theory": "90", "practical": "80"},  # 85
        "y": {"theory": "90", "practical": "80"},  # 85, identical to x
        "z": {"theory": "70", "practical": "70"},
    })
    ranked = rank(results, ["practical", "theory"])
    assert decided(ranked) == [("w", 1, ("practical",), False), ("x", 2, ("practical",), True),
                               ("y", 2, ("practical",), True), ("z", 4, (), False)]
    # Without tie-break stages, equal finals simply share the rank.
    assert decided(rank(results)) == [("w", 1, (), True), ("x", 1, (), True), ("y", 1, (), True),
                                      ("z", 4, (), False)]


def test_incomplete_entries_have_no_tie_break_note():
    ranked = rank(two_stage({"a": {"theory": "80", "practical": None}, "b": {"theory": "80", "practical": "80"}}),
                  ["practical"])
    assert decided(ranked) == [("b", 1, (), False), ("a", None, (), False)]
