"""The compact award-spec string used by the Excel import.

    一等奖:1;二等奖:2;三等奖:3      counts
    一等奖:10%;二等奖:20%           percentages of the ranked entries
    优秀奖:230>=60                  count 230, minimum final score 60
    一等奖:5%>=85.5                 percentage with a minimum

Full-width ：；％ (and ≥, ＞＝, full-width digits) are accepted, since the
string is typed in Chinese spreadsheets. Prizes are not part of the spec.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from .decimals import HUNDRED, has_at_most_two_decimals
from .types import AwardTier, ScoringError

_FULL_WIDTH = str.maketrans(
    {
        "：": ":",
        "；": ";",
        "％": "%",
        "≥": ">=",
        "＞": ">",
        "＝": "=",
        "．": ".",
        "\u3000": " ",
        **{chr(0xFF10 + d): str(d) for d in range(10)},
    }
)
_COUNT = re.compile(r"\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_award_spec(text: str) -> tuple[AwardTier, ...]:
    """Parse a spec string into award tiers; a blank string means no awards."""
    normalised = text.translate(_FULL_WIDTH)
    tiers: list[AwardTier] = []
    for part in normalised.split(";"):
        part = part.strip()
        if not part:  # tolerate "a:1;;b:2" and a trailing ";"
            continue
        tier = _parse_part(part)
        if any(t.name == tier.name for t in tiers):
            raise ScoringError(f"award spec: tier {tier.name!r} appears twice")
        tiers.append(tier)
    return tuple(tiers)


def _parse_part(part: str) -> AwardTier:
    name, colon, rest = part.partition(":")
    name = name.strip()
    if not colon:
        raise ScoringError(f"award spec part {part!r}: expected 'name:quantity', e.g. '一等奖:1'")
    if not name:
        raise ScoringError(f"award spec part {part!r}: tier name is empty")
    quantity, has_minimum, minimum_text = (s.strip() for s in rest.partition(">="))
    if not quantity:
        raise ScoringError(f"award spec part {part!r}: quantity is missing")

    count = percent = minimum = None
    if quantity.endswith("%"):
        number = quantity[:-1].strip()
        if not _NUMBER.fullmatch(number):
            raise ScoringError(f"award spec part {part!r}: {quantity!r} is not a percentage like '10%'")
        percent = Decimal(number)
        if not 0 < percent <= HUNDRED:
            raise ScoringError(f"award spec part {part!r}: percentage must be above 0 and at most 100")
    elif _COUNT.fullmatch(quantity):
        count = int(quantity)
        if count < 1:
            raise ScoringError(f"award spec part {part!r}: count must be at least 1")
    else:
        raise ScoringError(
            f"award spec part {part!r}: {quantity!r} is neither a whole count like '3' nor a percentage like '10%'"
        )

    if has_minimum:
        if not _NUMBER.fullmatch(minimum_text):
            raise ScoringError(f"award spec part {part!r}: minimum {minimum_text!r} is not a number like '60' or '85.5'")
        minimum = Decimal(minimum_text)
        if minimum > HUNDRED or not has_at_most_two_decimals(minimum):
            raise ScoringError(
                f"award spec part {part!r}: minimum {minimum_text} must be at most 100 with at most 2 decimals"
            )
    return AwardTier(name=name, count=count, percent=percent, minimum=minimum)


def format_award_spec(tiers: Sequence[AwardTier]) -> str:
    """Inverse of parse_award_spec (ASCII punctuation; prizes are not included)."""
    parts = []
    for tier in tiers:
        if any(mark in tier.name.translate(_FULL_WIDTH) for mark in (":", ";")):
            raise ScoringError(f"award tier name {tier.name!r} cannot contain ':' or ';' in a spec string")
        quantity = str(tier.count) if tier.count is not None else f"{_plain(tier.percent)}%"  # type: ignore[arg-type]
        minimum = f">={_plain(tier.minimum)}" if tier.minimum is not None else ""
        parts.append(f"{tier.name}:{quantity}{minimum}")
    return ";".join(parts)


def _plain(value: Decimal) -> str:
    """'85.50' -> '85.5', '10' -> '10' (never '1E+1')."""
    return format(value.normalize(), "f")
