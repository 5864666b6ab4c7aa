"""One mark parser for the grid, imports and every other panel."""
from decimal import Decimal

import pytest

from app.errors import DomainError
from app.review.marks import check_mark, parse_mark

MAX = Decimal("50")


@pytest.mark.parametrize("raw, expected", [
    ("42", Decimal("42")), (" 42.5 ", Decimal("42.5")), ("0", Decimal("0")), ("50.00", Decimal("50")),
    ("４２．５", Decimal("42.5")),  # full-width digits and point from a Chinese input method
    ("42。5", Decimal("42.5")), ("", None), ("   ", None),
])
def test_accepted_marks(raw, expected):
    assert parse_mark(raw, MAX) == expected


@pytest.mark.parametrize("raw, reason", [
    ("٣٠", "digits 0-9"), ("१०", "digits 0-9"), ("3٠", "digits 0-9"),  # other scripts' digits are refused
    ("abc", "Enter a number"), ("1e1", "Enter a number"), ("NaN", "Enter a number"),
    ("-1", "cannot be negative"), ("12.345", "At most 2 decimal places"), ("50.01", "maximum is 50"),
])
def test_refused_marks_say_why(app, english, raw, reason):
    with pytest.raises(DomainError) as error:
        parse_mark(raw, MAX)
    assert reason in str(error.value.message)


def test_imported_marks_follow_the_same_range_rule(app, english):
    assert check_mark(Decimal("12.50"), MAX) == Decimal("12.5")
    for value, reason in ((Decimal("-0.5"), "negative"), (Decimal("50.5"), "maximum"), (Decimal("1.005"), "decimal")):
        with pytest.raises(DomainError, match=reason):
            check_mark(value, MAX)
