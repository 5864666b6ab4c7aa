"""Judge consistency report: deviations from the panel and outlier scores."""

from decimal import Decimal

import pytest

from app.scoring import Outlier, Score, ScoringError, consistency_report

D = Decimal
MAX = {"c": D("10"), "d": D("20")}


def panel(entry, criterion, by_judge):
    return [Score(entry, criterion, judge, D(value)) for judge, value in by_judge.items()]


def row(report, judge, criterion="c"):
    [found] = [r for r in report if r.judge_id == judge and r.criterion_id == criterion]
    return found


def hand_checked_scores():
    # e1: judge 4 is far off. Panel mean (8 + 8.2 + 7.8 + 3) / 4 = 6.75.
    # For judge 4 the others are 8, 8.2, 7.8: mean 8, sample stdev sqrt(0.08 / 2) = 0.2,
    # and |3 - 8| = 5 > 2 x 0.2. For judge 1 the others are 8.2, 7.8, 3: mean 6.333...,
    # stdev 2.89, |8 - 6.333| = 1.67 < 5.78 -> not an outlier (likewise judges 2, 3).
    # e2: everyone gives 6.
    return panel("e1", "c", {1: "8", 2: "8.2", 3: "7.8", 4: "3"}) + panel("e2", "c", {1: "6", 2: "6", 3: "6", 4: "6"})


def test_hand_checked_outlier():
    report = consistency_report(hand_checked_scores(), MAX)
    assert row(report, 4).outliers == (Outlier("e1", "c", D("3"), D("8"), D("0.2")),)
    for judge in (1, 2, 3):
        assert row(report, judge).outliers == ()


def test_mean_signed_and_absolute_deviation():
    report = consistency_report(hand_checked_scores(), MAX)
    # Deviations on e1 from 6.75: +1.25, +1.45, +1.05, -3.75; on e2 all 0.
    expected = {1: D("0.625"), 2: D("0.725"), 3: D("0.525"), 4: D("-1.875")}
    for judge, mean_deviation in expected.items():
        r = row(report, judge)
        assert r.scored == 2
        assert r.mean_deviation == mean_deviation
        assert r.mean_absolute_deviation == abs(mean_deviation)


def test_signed_and_absolute_deviation_differ_when_errors_cancel():
    scores = panel("e1", "c", {1: "8", 2: "6"}) + panel("e2", "c", {1: "6", 2: "8"})
    r = row(consistency_report(scores, MAX), 1)
    assert r.mean_deviation == D("0")  # +1 then -1
    assert r.mean_absolute_deviation == D("1")


def test_rows_ordered_by_judge_then_criterion():
    scores = panel("e1", "d", {2: "5", 1: "6"}) + panel("e1", "c", {2: "5", 1: "6"})
    report = consistency_report(scores, MAX)
    assert [(r.judge_id, r.criterion_id) for r in report] == [(1, "c"), (1, "d"), (2, "c"), (2, "d")]


def test_two_standard_deviation_boundary():
    # Others 6 and 8: mean 7, sample stdev sqrt(2) = 1.41421356..., 2 sd = 2.8284...
    flagged = consistency_report(panel("e1", "c", {1: "6", 2: "8", 3: "9.83"}), MAX)
    not_flagged = consistency_report(panel("e1", "c", {1: "6", 2: "8", 3: "9.82"}), MAX)
    [outlier] = row(flagged, 3).outliers
    assert outlier.others_mean == D("7")
    assert outlier.others_stdev == D("2").sqrt()
    assert row(not_flagged, 3).outliers == ()


def test_zero_stdev_outlier_only_beyond_ten_percent_of_max_mark():
    # Others all 7: stdev 0. Max 10 -> threshold 1.0 (must be exceeded).
    at_threshold = consistency_report(panel("e1", "c", {1: "7", 2: "7", 3: "7", 4: "8"}), MAX)
    beyond = consistency_report(panel("e1", "c", {1: "7", 2: "7", 3: "7", 4: "8.01"}), MAX)
    small_gap_below = consistency_report(panel("e1", "c", {1: "7", 2: "7", 3: "7", 4: "6.5"}), MAX)
    assert row(at_threshold, 4).outliers == ()
    assert row(beyond, 4).outliers == (Outlier("e1", "c", D("8.01"), D("7"), D("0")),)
    assert row(small_gap_below, 4).outliers == ()


def test_zero_stdev_threshold_scales_with_the_criterion_maximum():
    # Same gap of 1.5 on criterion "d" (max 20, threshold 2): not an outlier; on "c" it is.
    on_d = consistency_report(panel("e1", "d", {1: "7", 2: "7", 3: "8.5"}), MAX)
    on_c = consistency_report(panel("e1", "c", {1: "7", 2: "7", 3: "8.5"}), MAX)
    assert row(on_d, 3, "d").outliers == ()
    assert len(row(on_c, 3, "c").outliers) == 1


def test_needs_at_least_two_other_judges():
    report = consistency_report(panel("e1", "c", {1: "0", 2: "10"}), MAX)
    assert all(r.outliers == () for r in report)
    assert row(report, 1).mean_deviation == D("-5")


def test_outliers_listed_per_entry():
    scores = (
        panel("e2", "c", {1: "5", 2: "5.1", 3: "4.9", 4: "9"})
        + panel("e1", "c", {1: "5", 2: "5.1", 3: "4.9", 4: "1"})
        + panel("e3", "c", {1: "5", 2: "5.1", 3: "4.9", 4: "5"})
    )
    r = row(consistency_report(scores, MAX), 4)
    assert [(o.entry_id, o.score) for o in r.outliers] == [("e1", D("1")), ("e2", D("9"))]
    assert r.scored == 3


def test_empty_input_gives_empty_report():
    assert consistency_report([], MAX) == []


def test_missing_max_mark_is_an_error():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'x': no max mark"):
        consistency_report(panel("e1", "x", {1: "5"}), MAX)


def test_score_without_judge_is_an_error():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'c': a judgement score needs a judge"):
        consistency_report([Score("e1", "c", None, D("5"))], MAX)


def test_conflicting_duplicate_is_an_error():
    scores = [Score("e1", "c", 1, D("5")), Score("e1", "c", 1, D("6"))]
    with pytest.raises(ScoringError, match=r"judge 1 has two different scores"):
        consistency_report(scores, MAX)


def test_float_score_is_rejected():
    with pytest.raises(ScoringError, match="must be a Decimal"):
        consistency_report([Score("e1", "c", 1, 5.0)], MAX)
