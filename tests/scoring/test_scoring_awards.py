"""Award tiers by count/percentage, minimum scores, ties at boundaries, prizes, honours."""

from decimal import Decimal

import pytest

from app.scoring import AwardTier, Criterion, Honour, Score, Stage, assign_awards, evaluate, rank, tier_size

D = Decimal


def ranked(finals):
    """{entry: "final" or None (incomplete)} -> ranked list, one stage worth 100 of max 100."""
    stages = [Stage("s", D("100"), (Criterion("s", D("100"), "measurement"),))]
    scores = [Score(entry, "s", None, D(value)) for entry, value in finals.items() if value is not None]
    return rank(evaluate(stages, scores, {entry: frozenset() for entry in finals}))


def tiers_of(awarded):
    return [(a.entry_id, a.rank, a.tier) for a in awarded]


FIRST_SECOND_THIRD = (
    AwardTier("一等奖", count=1),
    AwardTier("二等奖", count=2),
    AwardTier("三等奖", count=3),
)


def test_counts_without_ties():
    field = ranked({f"e{i}": str(100 - i) for i in range(1, 8)})
    awarded = assign_awards(field, FIRST_SECOND_THIRD)
    assert [a.tier for a in awarded] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", None]


def test_spec_example_tie_on_boundary_takes_higher_tier_and_shrinks_later_ones():
    # Ranks 1, 2, 2, 2, 5, 6, 7 with counts 1 / 2 / 3.
    field = ranked({"a": "90", "b": "80", "c": "80", "d": "80", "e": "70", "f": "60", "g": "50"})
    assert [e.rank for e in field] == [1, 2, 2, 2, 5, 6, 7]
    assert tiers_of(assign_awards(field, FIRST_SECOND_THIRD)) == [
        ("a", 1, "一等奖"),
        ("b", 2, "二等奖"),
        ("c", 2, "二等奖"),
        ("d", 2, "二等奖"),
        ("e", 5, "三等奖"),
        ("f", 6, "三等奖"),
        ("g", 7, None),
    ]


def test_tie_on_the_last_boundary_is_not_split():
    field = ranked({"a": "90", "b": "80", "c": "80", "d": "70"})
    tiers = (AwardTier("一等奖", count=1), AwardTier("二等奖", count=1))
    assert [a.tier for a in assign_awards(field, tiers)] == ["一等奖", "二等奖", "二等奖", None]


def test_tie_at_first_place_fills_first_tier_beyond_its_count():
    field = ranked({"a": "90", "b": "90", "c": "80", "d": "70", "e": "60"})
    # C = 1, 3, 6: both rank-1 entries take 一等奖; rank 3 still fits 二等奖.
    assert [a.tier for a in assign_awards(field, FIRST_SECOND_THIRD)] == ["一等奖", "一等奖", "二等奖", "三等奖", "三等奖"]


@pytest.mark.parametrize(
    "percent, ranked_count, expected",
    [
        ("10", 7, 1),  # 0.7 floored to 0, but at least 1
        ("20", 7, 1),  # 1.4
        ("50", 7, 3),  # 3.5 floored
        ("30", 10, 3),
        ("12.5", 16, 2),
        ("100", 7, 7),
    ],
)
def test_tier_size_by_percentage_is_floored_and_at_least_one(percent, ranked_count, expected):
    assert tier_size(AwardTier("x", percent=D(percent)), ranked_count) == expected


def test_tiers_by_percentage_of_ranked_entries_only():
    # 10 ranked entries: 10% -> 1, 20% -> 2, 30% -> 3. The 10 incomplete ones must
    # not count (out of 20 the tiers would be 2, 4, 6).
    finals = {f"e{i:02}": str(100 - i) for i in range(1, 11)}
    finals.update({f"n{i:02}": None for i in range(1, 11)})
    tiers = (
        AwardTier("一等奖", percent=D("10")),
        AwardTier("二等奖", percent=D("20")),
        AwardTier("三等奖", percent=D("30")),
    )
    awarded = assign_awards(ranked(finals), tiers)
    assert [a.tier for a in awarded] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"] + [None] * 14


def test_small_field_percentage_still_awards_one():
    field = ranked({f"e{i}": str(100 - i) for i in range(1, 8)})  # 7 entries
    tiers = (AwardTier("一等奖", percent=D("10")), AwardTier("二等奖", percent=D("20")))
    assert [a.tier for a in assign_awards(field, tiers)] == ["一等奖", "二等奖", None, None, None, None, None]


def test_failing_a_minimum_falls_to_a_later_tier_or_none():
    tiers = (
        AwardTier("一等奖", count=1, minimum=D("90")),
        AwardTier("二等奖", count=2, minimum=D("80")),
        AwardTier("三等奖", count=3, minimum=D("60")),
    )
    field = ranked({"a": "85", "b": "79.99", "c": "80", "d": "60", "e": "59.99", "f": "70", "g": "65"})
    # Order: a 85, c 80, b 79.99, f 70, g 65, d 60, e 59.99 (ranks 1..7).
    assert tiers_of(assign_awards(field, tiers)) == [
        ("a", 1, "二等奖"),  # below 90, within C_2 = 3 and >= 80
        ("c", 2, "二等奖"),
        ("b", 3, "三等奖"),  # below 80, falls to 三等奖
        ("f", 4, "三等奖"),
        ("g", 5, "三等奖"),
        ("d", 6, "三等奖"),  # exactly at the minimum
        ("e", 7, None),  # outside C_3 = 6 anyway
    ]


def test_failing_minimum_uses_a_later_tier_only_within_its_cumulative_count():
    tiers = (AwardTier("一等奖", count=1, minimum=D("90")), AwardTier("二等奖", count=1))
    # a misses the 一等奖 minimum but rank 1 <= C_2 = 2; b (rank 2) fits too.
    field = ranked({"a": "85", "b": "84", "c": "83"})
    assert [a.tier for a in assign_awards(field, tiers)] == ["二等奖", "二等奖", None]


def test_failing_minimum_with_no_later_tier_gets_nothing():
    tiers = (AwardTier("一等奖", count=1, minimum=D("90")),)
    assert [a.tier for a in assign_awards(ranked({"a": "89.99"}), tiers)] == [None]
    assert [a.tier for a in assign_awards(ranked({"a": "90"}), tiers)] == ["一等奖"]


def test_minimum_alone_can_leave_an_entry_without_award():
    tiers = (AwardTier("优秀奖", count=230, minimum=D("60")),)
    field = ranked({"a": "75", "b": "60", "c": "59.99"})
    assert [a.tier for a in assign_awards(field, tiers)] == ["优秀奖", "优秀奖", None]


def test_flat_prize():
    tiers = (AwardTier("一等奖", count=1, prize=D("5000")), AwardTier("二等奖", count=2, prize=D("2000.50")))
    field = ranked({"a": "90", "b": "80", "c": "70", "d": "60"})
    assert [a.prize for a in assign_awards(field, tiers)] == [D("5000"), D("2000.50"), D("2000.50"), None]


def test_per_rank_prizes_tied_entries_get_their_ranks_amount():
    tiers = (
        AwardTier("一等奖", count=3, prizes_by_rank={1: D("10000"), 2: D("6000"), 3: D("3000")}),
        AwardTier("二等奖", count=2, prize=D("1000"), prizes_by_rank={5: D("800")}),
    )
    field = ranked({"a": "95", "b": "90", "c": "90", "d": "85", "e": "80", "f": "70"})
    awarded = assign_awards(field, tiers)
    assert [(a.rank, a.tier, a.prize) for a in awarded] == [
        (1, "一等奖", D("10000")),
        (2, "一等奖", D("6000")),
        (2, "一等奖", D("6000")),
        (4, "二等奖", D("1000")),  # not in the rank map: the tier's flat prize
        (5, "二等奖", D("800")),
        (6, None, None),
    ]


def test_per_rank_prizes_without_flat_fallback_give_none_for_unlisted_rank():
    tiers = (AwardTier("一等奖", count=2, prizes_by_rank={1: D("500")}),)
    awarded = assign_awards(ranked({"a": "90", "b": "80"}), tiers)
    assert [(a.tier, a.prize) for a in awarded] == [("一等奖", D("500")), ("一等奖", None)]


def test_honour_for_rank_one_including_a_tie():
    medal = Honour("推荐五一劳动奖章")
    field = ranked({"a": "90", "b": "90", "c": "80"})
    awarded = assign_awards(field, FIRST_SECOND_THIRD, honours=[medal])
    assert [(a.entry_id, a.honours) for a in awarded] == [
        ("a", ("推荐五一劳动奖章",)),
        ("b", ("推荐五一劳动奖章",)),
        ("c", ()),
    ]


def test_several_honours_with_different_rank_limits():
    honours = (Honour("推荐五一劳动奖章", 1), Honour("技术能手", 3))
    field = ranked({"a": "90", "b": "85", "c": "80", "d": "75"})
    awarded = assign_awards(field, (), honours=honours)
    assert [a.honours for a in awarded] == [("推荐五一劳动奖章", "技术能手"), ("技术能手",), ("技术能手",), ()]
    assert [a.tier for a in awarded] == [None] * 4


def test_incomplete_entries_get_no_award_and_no_honour():
    field = ranked({"n": None, "a": "90"})
    awarded = assign_awards(field, FIRST_SECOND_THIRD, honours=[Honour("推荐五一劳动奖章")])
    assert [(a.entry_id, a.rank, a.tier, a.prize, a.honours) for a in awarded] == [
        ("a", 1, "一等奖", None, ("推荐五一劳动奖章",)),
        ("n", None, None, None, ()),
    ]


def test_awarded_keeps_link_to_ranked_result():
    field = ranked({"a": "90"})
    [awarded] = assign_awards(field, FIRST_SECOND_THIRD)
    assert awarded.ranked is field[0]
    assert awarded.ranked.result.final == D("90.00")


def test_reachable_ranks_of_count_tiers():
    from app.scoring import reachable_ranks

    tiers = [AwardTier("一等奖", count=1), AwardTier("二等奖", count=2), AwardTier("三等奖", count=3)]
    assert reachable_ranks(tiers) == [(1, 1), (2, 3), (4, 6)]


def test_reachable_ranks_after_a_minimum_or_a_percentage():
    from app.scoring import reachable_ranks

    tiers = [AwardTier("一等奖", count=1, minimum=D(90)), AwardTier("二等奖", count=2),
             AwardTier("优秀奖", percent=D(10)), AwardTier("鼓励奖", count=5)]
    # Rank 1 below 90 falls to 二等奖; the tiers from the percentage on depend on the field's size.
    assert reachable_ranks(tiers) == [(1, 1), (1, 3), None, None]
    assert reachable_ranks([]) == []
