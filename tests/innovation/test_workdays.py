"""Working-day arithmetic for 公示 periods (pure, no database)."""
from datetime import date, timedelta

import pytest

from app.innovation.workdays import add_working_days, first_working_day, is_working_day

# 2026 National Day: 1–7 October off; Saturday 10 October is a working day (调休).
NATIONAL_DAY = {date(2026, 10, 1) + timedelta(days=i) for i in range(7)}
MAKEUP = {date(2026, 10, 10)}


def test_five_working_days_from_a_monday_end_on_friday():
    assert add_working_days(date(2026, 12, 7), 5) == date(2026, 12, 11)


def test_a_period_crossing_a_weekend_skips_it():
    # Thursday + 5 working days: Thu, Fri, Mon, Tue, Wed.
    assert add_working_days(date(2026, 12, 10), 5) == date(2026, 12, 16)


def test_a_period_starting_on_a_weekend_starts_on_monday():
    assert add_working_days(date(2026, 12, 12), 1) == date(2026, 12, 14)
    assert first_working_day(date(2026, 12, 13)) == date(2026, 12, 14)


def test_the_national_day_week_is_skipped_and_the_makeup_saturday_counts():
    # Opened Wednesday 30 September: 30 Sep, then 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, 调休), 12 Oct (Mon).
    assert add_working_days(date(2026, 9, 30), 5, NATIONAL_DAY, MAKEUP) == date(2026, 10, 12)
    # Without the 调休 Saturday the period ends a day later.
    assert add_working_days(date(2026, 9, 30), 5, NATIONAL_DAY) == date(2026, 10, 13)
    # Opened during the holiday: starts on the first working day after it.
    assert add_working_days(date(2026, 10, 3), 1, NATIONAL_DAY, MAKEUP) == date(2026, 10, 8)


def test_working_day_rules():
    assert is_working_day(date(2026, 10, 10), NATIONAL_DAY, MAKEUP)
    assert not is_working_day(date(2026, 10, 5), NATIONAL_DAY, MAKEUP)
    assert not is_working_day(date(2026, 10, 11), NATIONAL_DAY, MAKEUP)


def test_a_period_needs_at_least_one_day():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 7), 0)
