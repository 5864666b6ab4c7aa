"""Parsing and formatting of the Excel award-spec string."""

from decimal import Decimal

import pytest

from app.scoring import AwardTier, ScoringError, format_award_spec, parse_award_spec

D = Decimal


def test_counts():
    assert parse_award_spec("一等奖:1;二等奖:2;三等奖:3") == (
        AwardTier("一等奖", count=1),
        AwardTier("二等奖", count=2),
        AwardTier("三等奖", count=3),
    )


def test_percentages():
    tiers = parse_award_spec("一等奖:10%;二等奖:20%")
    assert tiers == (AwardTier("一等奖", percent=D("10")), AwardTier("二等奖", percent=D("20")))
    assert all(t.count is None for t in tiers)


def test_count_with_minimum():
    [tier] = parse_award_spec("优秀奖:230>=60")
    assert (tier.name, tier.count, tier.percent, tier.minimum) == ("优秀奖", 230, None, D("60"))


def test_percentage_with_decimal_minimum():
    [tier] = parse_award_spec("一等奖:5%>=85.5")
    assert (tier.percent, tier.minimum) == (D("5"), D("85.5"))


def test_decimal_percentage():
    [tier] = parse_award_spec("一等奖:12.5%")
    assert tier.percent == D("12.5")


def test_full_width_punctuation():
    assert parse_award_spec("一等奖：5％≥85.5；二等奖：10％；优秀奖：230≥60") == (
        AwardTier("一等奖", percent=D("5"), minimum=D("85.5")),
        AwardTier("二等奖", percent=D("10")),
        AwardTier("优秀奖", count=230, minimum=D("60")),
    )


def test_full_width_digits_and_greater_equal_pair():
    assert parse_award_spec("一等奖：１０＞＝８０") == (AwardTier("一等奖", count=10, minimum=D("80")),)


def test_whitespace_and_empty_parts_tolerated():
    assert parse_award_spec("  一等奖 : 1 ;\u3000二等奖 ：2 % >= 60 ;; ") == (
        AwardTier("一等奖", count=1),
        AwardTier("二等奖", percent=D("2"), minimum=D("60")),
    )


@pytest.mark.parametrize("text", ["", "   ", ";"])
def test_blank_spec_means_no_awards(text):
    assert parse_award_spec(text) == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("一等奖1", r"part '一等奖1': expected 'name:quantity'"),
        (":1", r"part ':1': tier name is empty"),
        ("一等奖:", r"part '一等奖:': quantity is missing"),
        ("一等奖:>=60", r"part '一等奖:>=60': quantity is missing"),
        ("一等奖:一", r"part '一等奖:一': '一' is neither a whole count"),
        ("一等奖:1.5", r"'1.5' is neither a whole count"),
        ("一等奖:-1", r"'-1' is neither a whole count"),
        ("一等奖:0", r"part '一等奖:0': count must be at least 1"),
        ("一等奖:abc%", r"'abc%' is not a percentage"),
        ("一等奖:0%", r"percentage must be above 0 and at most 100"),
        ("一等奖:101%", r"percentage must be above 0 and at most 100"),
        ("优秀奖:230>=", r"part '优秀奖:230>=': minimum '' is not a number"),
        ("优秀奖:230>=sixty", r"minimum 'sixty' is not a number"),
        ("优秀奖:230>=100.5", r"minimum 100.5 must be at most 100"),
        ("优秀奖:230>=60.125", r"minimum 60.125 must be at most 100 with at most 2 decimals"),
        ("优秀奖:230>60", r"'230>60' is neither a whole count"),
        ("一等奖:1:2", r"'1:2' is neither a whole count"),
        ("一等奖:1;二等奖:2;一等奖:3", r"tier '一等奖' appears twice"),
    ],
)
def test_errors_name_the_bad_part(text, message):
    with pytest.raises(ScoringError, match=message):
        parse_award_spec(text)


def test_error_in_later_part_names_that_part():
    with pytest.raises(ScoringError, match=r"part '二等奖:x'"):
        parse_award_spec("一等奖:1;二等奖:x;三等奖:3")


def test_format_is_the_inverse_of_parse():
    text = "一等奖:1;二等奖:10%;三等奖:12.5%>=85.5;优秀奖:230>=60"
    tiers = parse_award_spec(text)
    assert format_award_spec(tiers) == text
    assert parse_award_spec(format_award_spec(tiers)) == tiers


def test_format_normalises_numbers_and_punctuation():
    tiers = (
        AwardTier("一等奖", percent=D("10.0"), minimum=D("85.50")),
        AwardTier("二等奖", percent=D("1E+1")),
        AwardTier("三等奖", count=3, minimum=D("60"), prize=D("100")),
    )
    # Never scientific notation; prizes are not part of the spec string.
    assert format_award_spec(tiers) == "一等奖:10%>=85.5;二等奖:10%;三等奖:3>=60"
    assert format_award_spec(parse_award_spec("一等奖：5％≥85.5")) == "一等奖:5%>=85.5"


def test_format_of_no_tiers_is_empty():
    assert format_award_spec(()) == ""


def test_format_refuses_names_that_would_not_parse_back():
    with pytest.raises(ScoringError, match=r"award tier name 'A;B' cannot contain"):
        format_award_spec((AwardTier("A;B", count=1),))
    with pytest.raises(ScoringError, match=r"cannot contain"):
        format_award_spec((AwardTier("A：B", count=1),))
