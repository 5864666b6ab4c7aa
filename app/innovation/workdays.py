"""Working-day arithmetic for 公示 periods: weekends skipped, public holidays and 调休 working weekends
from a staff-kept list. Pure: plain dates in, a date out."""
from datetime import date, timedelta


def is_working_day(day: date, holidays=frozenset(), working_weekends=frozenset()) -> bool:
    """A weekday that is not a holiday, or a weekend day declared a working day (调休)."""
    if day in working_weekends:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays=frozenset(), working_weekends=frozenset()) -> date:
    """The last day of a period of `n` working days that starts on `start` when it is a working day,
    else on the next working day."""
    if n < 1:
        raise ValueError("a period lasts at least one working day")
    holidays, working_weekends = frozenset(holidays), frozenset(working_weekends)
    day, counted = start, 0
    while True:
        if is_working_day(day, holidays, working_weekends):
            counted += 1
            if counted == n:
                return day
        day += timedelta(days=1)


def first_working_day(start: date, holidays=frozenset(), working_weekends=frozenset()) -> date:
    return add_working_days(start, 1, holidays, working_weekends)
