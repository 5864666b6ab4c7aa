"""The attendance rule, once: the assessment and the dashboard both ask it."""
from decimal import Decimal

from app.scoring import round_half_up


def attendance_percent(attended, lessons):
    """Percent of lessons attended, rounded half-up to 2 places; None without lessons."""
    if not lessons:
        return None
    return round_half_up(Decimal(attended) * 100 / lessons)


def attendance_met(minimum, rate):
    """A course without a minimum admits everyone; otherwise the (rounded) rate must reach it."""
    return minimum == 0 or (rate is not None and rate >= minimum)


def attended_enough(minimum, lessons, attended):
    """The rule on raw counts, as the dashboard groups them."""
    return attendance_met(minimum, attendance_percent(attended, lessons))
