"""Decimal helpers shared by the scoring modules."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PRECISION = 28

# Divisions are carried at 28 significant digits, so a value whose exact
# rational lands on a half (e.g. 85.125) can come out as 85.12499...9.
# Snapping to 20 decimal places first removes that tail; a genuine value
# cannot lie that close to a half without being on it, since scores have 2
# decimals and the denominators (judge counts, max marks) are small.
_NOISE = Decimal("1E-20")


# Explicit contexts: cheaper than entering localcontext() for each of 10,000s of calls.
_DIVIDE = Context(prec=PRECISION)
_SNAP = Context(prec=60, rounding=ROUND_HALF_EVEN)  # room for the snap below on large values
_HALF_UP = Context(prec=60, rounding=ROUND_HALF_UP)


def divide(numerator: Decimal, denominator: Decimal | int) -> Decimal:
    return _DIVIDE.divide(numerator, Decimal(denominator))


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Display rounding (half-up, 2 decimals by default) of a full-precision value."""
    snapped = value.quantize(_NOISE, context=_SNAP)
    return snapped.quantize(places, context=_HALF_UP)


def has_at_most_two_decimals(value: Decimal) -> bool:
    # Fast path on the exponent; "1.500" still counts as two decimals.
    if value.as_tuple().exponent >= -2:  # type: ignore[operator]
        return True
    with localcontext() as ctx:
        ctx.prec = 60
        return value == value.quantize(CENT)


def id_key(value: object) -> tuple[str, object]:
    """Sort key for caller ids that tolerates a mix of ints and strings."""
    return (type(value).__name__, value)
