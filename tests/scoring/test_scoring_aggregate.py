"""Criterion results (plain/trimmed mean, measurement), stage and final scores."""

from decimal import Decimal, localcontext

import pytest

from app.scoring import Criterion, Missing, Score, ScoringError, Stage, evaluate, trimmed_mean

D = Decimal


def judge_scores(entry, criterion, by_judge):
    """{judge_id: "score"} -> Score list."""
    return [Score(entry, criterion, judge, D(value)) for judge, value in by_judge.items()]


def one_criterion(max_mark="10"):
    return [Stage("s", D("100"), (Criterion("c", D(max_mark)),))]


def evaluate_one(by_judge, trim_at=5, max_mark="10"):
    """Evaluate one entry "e" on a single judgement criterion "c"."""
    [result] = evaluate(
        one_criterion(max_mark), judge_scores("e", "c", by_judge), {"e": frozenset(by_judge)}, trim_at=trim_at
    )
    return result


# --- judgement criteria -------------------------------------------------------


def test_plain_mean_below_trim_at():
    result = evaluate_one({1: "6", 2: "7", 3: "8", 4: "10"})  # 4 judges < 5
    criterion = result.criteria["c"]
    assert criterion.value == D("7.75")
    assert criterion.used_judge_ids == (1, 2, 3, 4)
    assert criterion.dropped_judge_ids == ()


def test_trimmed_mean_at_exactly_trim_at_reports_dropped_judges():
    # Judge 2 gave the lowest, judge 1 the highest: both dropped.
    result = evaluate_one({1: "10", 2: "5", 3: "7", 4: "6", 5: "8"})
    criterion = result.criteria["c"]
    assert criterion.value == D("7")  # (7 + 6 + 8) / 3
    assert criterion.dropped_judge_ids == (2, 1)  # (lowest, highest)
    assert criterion.used_judge_ids == (3, 4, 5)


def test_trimmed_mean_above_trim_at():
    result = evaluate_one({1: "9.5", 2: "2", 3: "7", 4: "8", 5: "7.5", 6: "6.5", 7: "8.5"})
    criterion = result.criteria["c"]
    assert criterion.value == D("7.5")  # (7 + 8 + 7.5 + 6.5 + 8.5) / 5
    assert set(criterion.dropped_judge_ids) == {1, 2}
    assert len(criterion.used_judge_ids) == 5


def test_trim_at_is_configurable_per_event():
    scores = {1: "4", 2: "6", 3: "9"}
    assert evaluate_one(scores, trim_at=3).criteria["c"].value == D("6")
    assert evaluate_one(scores, trim_at=4).criteria["c"].value == D("19") / D("3")


def test_duplicate_extremes_drop_only_one_score_each_side():
    result = evaluate_one({1: "9", 2: "5", 3: "9", 4: "7", 5: "5"})
    criterion = result.criteria["c"]
    # One 9 and one 5 go; the other 9 and 5 still count: (9 + 7 + 5) / 3.
    assert criterion.value == D("7")
    assert len(criterion.dropped_judge_ids) == 2
    assert len(criterion.used_judge_ids) == 3
    # Deterministic choice: lowest id among the lows, highest id among the highs.
    assert criterion.dropped_judge_ids == (2, 3)
    assert criterion.used_judge_ids == (1, 4, 5)


def test_all_equal_scores_still_drop_two_different_judges():
    result = evaluate_one({"a": "8", "b": "8", "c": "8", "d": "8", "e": "8"})
    criterion = result.criteria["c"]
    assert criterion.value == D("8")
    assert criterion.dropped_judge_ids == ("a", "e")
    assert criterion.used_judge_ids == ("b", "c", "d")


def test_trimmed_mean_function_directly():
    mean, used, dropped = trimmed_mean({10: D("1"), 11: D("2"), 12: D("3"), 13: D("4"), 14: D("100")}, 5)
    assert (mean, used, dropped) == (D("3"), (11, 12, 13), (10, 14))


def test_non_terminating_mean_keeps_full_precision():
    result = evaluate_one({1: "7", 2: "7", 3: "8"})
    with localcontext() as ctx:
        ctx.prec = 28
        expected = D("22") / D("3")
    assert result.criteria["c"].value == expected
    assert result.final_exact == expected * 10  # 7.333.../10 of the stage, in percent
    assert result.final == D("73.33")


# --- measurement criteria ------------------------------------------------------


def measurement_stages():
    return [Stage("m", D("100"), (Criterion("time", D("20"), "measurement"),))]


def test_measurement_single_value_without_judge():
    [result] = evaluate(measurement_stages(), [Score("e", "time", None, D("17.25"))], {"e": frozenset()})
    criterion = result.criteria["time"]
    assert criterion.value == D("17.25")
    assert criterion.kind == "measurement"
    assert criterion.dropped_judge_ids == ()
    assert result.complete
    assert result.final == D("86.25")


def test_measurement_identical_duplicates_are_fine():
    scores = [Score("e", "time", None, D("15")), Score("e", "time", 7, D("15.00"))]
    [result] = evaluate(measurement_stages(), scores, {"e": frozenset({7})})
    assert result.criteria["time"].value == D("15")


def test_measurement_conflicting_values_are_an_error():
    scores = [Score("e", "time", None, D("15")), Score("e", "time", None, D("16"))]
    with pytest.raises(ScoringError, match=r"entry 'e', criterion 'time'.*different values"):
        evaluate(measurement_stages(), scores, {"e": frozenset()})


def test_measurement_is_not_trimmed_or_averaged_with_judges():
    stages = [
        Stage(
            "s",
            D("100"),
            (Criterion("time", D("10"), "measurement"), Criterion("form", D("10"))),
        )
    ]
    panel = {1, 2, 3, 4, 5}
    scores = [Score("e", "time", None, D("3"))] + judge_scores("e", "form", {j: "6" for j in panel})
    [result] = evaluate(stages, scores, {"e": frozenset(panel)})
    assert result.criteria["time"].value == D("3")
    assert result.stages["s"].score == D("9")


# --- stages and final ------------------------------------------------------------


def test_stage_score_is_sum_and_percent_of_maximum():
    stages = [
        Stage(
            "practical",
            D("100"),
            (
                Criterion("a", D("10")),
                Criterion("b", D("20")),
                Criterion("c", D("30"), "measurement"),
            ),
        )
    ]
    scores = (
        judge_scores("e", "a", {1: "8", 2: "9"})  # 8.5
        + judge_scores("e", "b", {1: "15", 2: "16"})  # 15.5
        + [Score("e", "c", None, D("21"))]
    )
    [result] = evaluate(stages, scores, {"e": frozenset({1, 2})})
    stage = result.stages["practical"]
    assert stage.score == D("45")
    assert stage.maximum == D("60")
    assert stage.percent == D("75")
    assert stage.percent_rounded == D("75.00")
    assert stage.complete


def weighted_stages():
    # Theory 30 %, practical 70 %.
    return [
        Stage("theory", D("30"), (Criterion("exam", D("100"), "measurement"),)),
        Stage("practical", D("70"), (Criterion("quality", D("40")), Criterion("process", D("60")))),
    ]


def test_weighted_final_hand_computed():
    scores = (
        [Score("e", "exam", None, D("80"))]
        + judge_scores("e", "quality", {1: "30", 2: "32", 3: "34"})  # 32
        + judge_scores("e", "process", {1: "42", 2: "45", 3: "48"})  # 45
    )
    [result] = evaluate(weighted_stages(), scores, {"e": frozenset({1, 2, 3})})
    assert result.stages["theory"].percent == D("80")
    assert result.stages["practical"].score == D("77")
    assert result.stages["practical"].percent == D("77")
    # 30 % x 80 + 70 % x 77 = 24 + 53.9
    assert result.final == D("77.90")
    assert str(result.final) == "77.90"


def test_weighted_final_with_repeating_percent():
    stages = [
        Stage("theory", D("30"), (Criterion("exam", D("100"), "measurement"),)),
        Stage("practical", D("70"), (Criterion("task", D("60"), "measurement"),)),
    ]
    scores = [Score("e", "exam", None, D("85.5")), Score("e", "task", None, D("50"))]
    [result] = evaluate(stages, scores, {"e": frozenset()})
    assert result.stages["practical"].percent_rounded == D("83.33")
    # 0.3 x 85.5 + 0.7 x 83.333... = 25.65 + 58.333... = 83.98333...
    assert D("83.9833") < result.final_exact < D("83.9834")
    assert result.final == D("83.98")


def test_half_up_rounding_where_binary_floats_round_down():
    # Mean 2.675: a float holds 2.67499999..., so float rounding says 2.67.
    assert round((2.67 + 2.68) / 2, 2) == 2.67
    result = evaluate_one({1: "2.67", 2: "2.68"}, max_mark="100")
    assert result.stages["s"].percent_rounded == D("2.68")
    assert result.final_exact == D("2.675")
    assert result.final == D("2.68")


def test_half_up_rounds_x_xx5_up_not_to_even():
    # 0.125 would round to 0.12 under banker's rounding.
    result = evaluate_one({1: "0.12", 2: "0.13"}, max_mark="100")
    assert result.final == D("0.13")
    result = evaluate_one({1: "0.11", 2: "0.12"}, max_mark="100")
    assert result.final == D("0.12")  # 0.115 -> 0.12


def test_exact_half_reached_through_repeating_divisions_rounds_up():
    # 35 x 1.46/12 + 65 x 5.36/15 = 4.258333... + 23.226666... = 27.485 exactly,
    # but each term is cut at 28 digits, so naive rounding would give 27.48.
    stages = [
        Stage("a", D("35"), (Criterion("x", D("12"), "measurement"),)),
        Stage("b", D("65"), (Criterion("y", D("15"), "measurement"),)),
    ]
    scores = [Score(1, "x", None, D("1.46")), Score(1, "y", None, D("5.36"))]
    [result] = evaluate(stages, scores, {1: frozenset()})
    assert abs(result.final_exact - D("27.485")) < D("1E-20")
    assert result.final == D("27.49")


def test_stage_weight_can_be_zero_when_others_make_100():
    stages = [
        Stage("warmup", D("0"), (Criterion("w", D("10"), "measurement"),)),
        Stage("main", D("100"), (Criterion("m", D("10"), "measurement"),)),
    ]
    scores = [Score(1, "w", None, D("1")), Score(1, "m", None, D("9"))]
    [result] = evaluate(stages, scores, {1: frozenset()})
    assert result.final == D("90.00")
    assert result.stages["warmup"].percent_rounded == D("10.00")


# --- completeness -----------------------------------------------------------------


def test_missing_judge_score_makes_entry_incomplete():
    scores = (
        [Score("e", "exam", None, D("80"))]
        + judge_scores("e", "quality", {1: "30", 2: "32"})  # judge 3 missing
        + judge_scores("e", "process", {1: "42", 2: "45", 3: "48"})
    )
    [result] = evaluate(weighted_stages(), scores, {"e": frozenset({1, 2, 3})})
    assert not result.complete
    assert result.missing == (Missing("quality", 3),)
    assert result.final is None and result.final_exact is None
    assert result.criteria["quality"].value is None
    assert not result.criteria["quality"].complete
    assert result.criteria["process"].value == D("45")
    assert not result.stages["practical"].complete
    assert result.stages["practical"].score is None
    assert result.stages["practical"].percent_rounded is None
    # A finished stage still shows its result.
    assert result.stages["theory"].percent == D("80")


def test_missing_measurement_makes_entry_incomplete():
    scores = judge_scores("e", "quality", {1: "30"}) + judge_scores("e", "process", {1: "40"})
    [result] = evaluate(weighted_stages(), scores, {"e": frozenset({1})})
    assert result.missing == (Missing("exam", None),)
    assert result.final is None
    assert result.stages["practical"].percent == D("70")


def test_entry_without_any_scores_lists_everything_missing():
    [result] = evaluate(weighted_stages(), [], {"e": frozenset({2, 1})})
    assert result.missing == (
        Missing("exam", None),
        Missing("quality", 1),
        Missing("quality", 2),
        Missing("process", 1),
        Missing("process", 2),
    )


def test_entry_with_no_expected_judges_cannot_complete_judgement():
    scores = [Score("e", "exam", None, D("80"))]
    [result] = evaluate(weighted_stages(), scores, {"e": frozenset()})
    assert result.missing == (Missing("quality", None), Missing("process", None))
    assert result.final is None


def test_conflicted_judge_is_not_expected_so_entry_is_complete():
    # Judge 4 sits on the panel but is conflicted for entry "e": the caller leaves them out.
    scores = judge_scores("e", "c", {1: "6", 2: "7", 3: "8"}) + judge_scores("f", "c", {1: "5", 2: "5", 3: "5", 4: "9"})
    results = evaluate(one_criterion(), scores, {"e": frozenset({1, 2, 3}), "f": frozenset({1, 2, 3, 4})})
    assert [r.complete for r in results] == [True, True]
    assert results[0].criteria["c"].value == D("7")
    assert results[1].criteria["c"].value == D("6")


def test_results_follow_expected_judges_order():
    expected = {"z": frozenset({1}), "a": frozenset({1}), "m": frozenset({1})}
    scores = [Score(entry, "c", 1, D("5")) for entry in ("a", "m", "z")]
    assert [r.entry_id for r in evaluate(one_criterion(), scores, expected)] == ["z", "a", "m"]
