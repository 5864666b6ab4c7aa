"""Invalid input raises ScoringError naming the entry/criterion at fault."""

from decimal import Decimal

import pytest

from app.scoring import AwardTier, Criterion, Honour, Score, ScoringError, Stage, evaluate

D = Decimal


def stages():
    return [
        Stage("theory", D("30"), (Criterion("exam", D("100"), "measurement"),)),
        Stage("practical", D("70"), (Criterion("weld", D("10")),)),
    ]


def run(scores, expected=None, **kwargs):
    return evaluate(stages(), scores, expected if expected is not None else {"e1": frozenset({1, 2})}, **kwargs)


def test_scoring_error_is_a_value_error():
    assert issubclass(ScoringError, ValueError)


@pytest.mark.parametrize("value", ["-0.01", "10.01", "11"])
def test_score_outside_range(value):
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'weld': score .* outside 0\.\.10"):
        run([Score("e1", "weld", 1, D(value))])


@pytest.mark.parametrize("value", ["0", "10", "0.00", "9.99"])
def test_score_at_range_edges_is_accepted(value):
    [result] = run([Score("e1", "weld", 1, D(value)), Score("e1", "weld", 2, D(value))])
    assert result.criteria["weld"].value == D(value)


def test_more_than_two_decimals_is_rejected():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'weld': score 8\.125 has more than 2 decimal"):
        run([Score("e1", "weld", 1, D("8.125"))])


def test_trailing_zeros_do_not_count_as_decimals():
    [result] = run([Score("e1", "weld", 1, D("8.500")), Score("e1", "weld", 2, D("7.5000"))])
    assert result.criteria["weld"].value == D("8")


def test_float_score_is_rejected():
    with pytest.raises(ScoringError, match=r"criterion 'weld'.*Decimal.*float"):
        run([Score("e1", "weld", 1, 8.5)])


def test_nan_score_is_rejected():
    with pytest.raises(ScoringError, match=r"criterion 'weld'.*finite"):
        run([Score("e1", "weld", 1, D("NaN"))])


def test_int_score_is_accepted_as_exact():
    [result] = run([Score("e1", "weld", 1, 8), Score("e1", "weld", 2, 9)])
    assert result.criteria["weld"].value == D("8.5")


def test_unknown_criterion():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'paint': unknown criterion"):
        run([Score("e1", "paint", 1, D("5"))])


def test_unknown_entry():
    with pytest.raises(ScoringError, match=r"entry 'e9', criterion 'weld': unknown entry"):
        run([Score("e9", "weld", 1, D("5"))])


def test_judge_not_expected_for_entry():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'weld': judge 3 is not expected"):
        run([Score("e1", "weld", 3, D("5"))])


def test_judgement_score_without_judge():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'weld': a judgement score needs a judge"):
        run([Score("e1", "weld", None, D("5"))])


def test_duplicate_judge_score_with_different_values():
    with pytest.raises(ScoringError, match=r"entry 'e1', criterion 'weld': judge 1 has two different scores"):
        run([Score("e1", "weld", 1, D("5")), Score("e1", "weld", 1, D("6"))])


def test_duplicate_judge_score_with_same_value_counts_once():
    scores = [Score("e1", "weld", 1, D("5")), Score("e1", "weld", 1, D("5.0")), Score("e1", "weld", 2, D("8"))]
    [result] = run(scores)
    assert result.criteria["weld"].value == D("6.5")


@pytest.mark.parametrize("weights", [("30", "69.99"), ("50", "60"), ("0", "0")])
def test_weights_must_sum_to_100(weights):
    bad = [
        Stage("theory", D(weights[0]), (Criterion("exam", D("100"), "measurement"),)),
        Stage("practical", D(weights[1]), (Criterion("weld", D("10")),)),
    ]
    with pytest.raises(ScoringError, match="weights must add up to 100"):
        evaluate(bad, [], {})


def test_negative_weight():
    with pytest.raises(ScoringError, match="weight of stage 'x' must not be negative"):
        Stage("x", D("-10"), (Criterion("c", D("1")),))


def test_duplicate_criterion_across_stages():
    bad = [
        Stage("a", D("50"), (Criterion("c", D("10")),)),
        Stage("b", D("50"), (Criterion("c", D("10")),)),
    ]
    with pytest.raises(ScoringError, match="criterion 'c' appears more than once"):
        evaluate(bad, [], {})


def test_duplicate_stage_code():
    bad = [
        Stage("a", D("50"), (Criterion("c1", D("10")),)),
        Stage("a", D("50"), (Criterion("c2", D("10")),)),
    ]
    with pytest.raises(ScoringError, match="stage code 'a' is used twice"):
        evaluate(bad, [], {})


def test_no_stages():
    with pytest.raises(ScoringError, match="at least one stage"):
        evaluate([], [], {})


def test_stage_without_criteria():
    with pytest.raises(ScoringError, match="stage 'x' has no criteria"):
        Stage("x", D("100"), ())


def test_stage_accepts_a_list_of_criteria_and_stores_a_tuple():
    stage = Stage("x", D("100"), [Criterion("c", D("10"))])
    assert stage.criteria == (Criterion("c", D("10")),)
    assert stage.maximum == D("10")


@pytest.mark.parametrize("max_mark", [D("0"), D("-1")])
def test_criterion_max_mark_must_be_positive(max_mark):
    with pytest.raises(ScoringError, match="max mark of criterion 'c' must be positive"):
        Criterion("c", max_mark)


def test_criterion_max_mark_float_rejected():
    with pytest.raises(ScoringError, match="max mark of criterion 'c' must be a Decimal"):
        Criterion("c", 10.0)


def test_criterion_kind_must_be_known():
    with pytest.raises(ScoringError, match="criterion 'c' has kind 'objective'"):
        Criterion("c", D("10"), "objective")


@pytest.mark.parametrize("trim_at", [2, 0, "5", True])
def test_trim_at_must_be_an_integer_of_at_least_3(trim_at):
    with pytest.raises(ScoringError, match="trim_at"):
        run([], trim_at=trim_at)


def test_award_tier_needs_exactly_one_size():
    with pytest.raises(ScoringError, match="exactly one of count or percent"):
        AwardTier("一等奖")
    with pytest.raises(ScoringError, match="exactly one of count or percent"):
        AwardTier("一等奖", count=1, percent=D("10"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"count": 0}, "count must be a positive integer"),
        ({"count": True}, "count must be a positive integer"),
        ({"percent": D("0")}, r"percent must be in \(0, 100\]"),
        ({"percent": D("100.01")}, r"percent must be in \(0, 100\]"),
        ({"count": 1, "minimum": D("-1")}, "minimum must not be negative"),
        ({"count": 1, "prize": D("-5")}, "prize must not be negative"),
        ({"count": 1, "prize": 100.0}, "must be a Decimal"),
        ({"count": 1, "prizes_by_rank": {0: D("5")}}, "prize rank must be a positive integer"),
        ({"count": 1, "prizes_by_rank": {1: D("-5")}}, "prize for rank 1 must not be negative"),
    ],
)
def test_award_tier_validation(kwargs, message):
    with pytest.raises(ScoringError, match=message):
        AwardTier("一等奖", **kwargs)


def test_honour_validation():
    with pytest.raises(ScoringError, match="max_rank must be a positive integer"):
        Honour("推荐五一劳动奖章", max_rank=0)
    with pytest.raises(ScoringError, match="honour name"):
        Honour("  ")
