"""Award tiers, prize amounts and honours for ranked entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, localcontext

from .decimals import HUNDRED, PRECISION
from .types import AwardedEntry, AwardTier, Honour, RankedEntry


def tier_size(tier: AwardTier, ranked_count: int) -> int:
    """Number of places of a tier: its count, or its percent of the ranked
    entries floored but never below 1 (10% of 7 entries -> 1)."""
    if tier.count is not None:
        return tier.count
    with localcontext() as ctx:
        ctx.prec = PRECISION
        share = (tier.percent * ranked_count / HUNDRED).to_integral_value(rounding=ROUND_FLOOR)  # type: ignore[operator]
    return max(1, int(share))


def assign_awards(
    ranked: Sequence[RankedEntry],
    tiers: Sequence[AwardTier],
    honours: Iterable[Honour] = (),
) -> list[AwardedEntry]:
    """Give every ranked entry its tier, prize and honours, keeping the order.

    With C_k the cumulative size of tiers 1..k, an entry of rank r gets the
    first tier k with r <= C_k whose minimum it meets. Ties at a boundary are
    therefore never split: they all take the higher tier and the later tiers
    shrink by the overflow. Incomplete (unranked) entries get nothing.
    """
    honours = tuple(honours)
    ranked_count = sum(1 for entry in ranked if entry.rank is not None)
    cumulative: list[int] = []
    total = 0
    for tier in tiers:
        total += tier_size(tier, ranked_count)
        cumulative.append(total)

    awarded: list[AwardedEntry] = []
    for entry in ranked:
        if entry.rank is None:
            awarded.append(AwardedEntry(entry))
            continue
        tier = _tier_for(entry, tiers, cumulative)
        prize = None if tier is None else tier.prizes_by_rank.get(entry.rank, tier.prize)
        earned = tuple(h.name for h in honours if entry.rank <= h.max_rank)
        awarded.append(AwardedEntry(entry, tier.name if tier else None, prize, earned))
    return awarded


def _tier_for(entry: RankedEntry, tiers: Sequence[AwardTier], cumulative: Sequence[int]) -> AwardTier | None:
    for tier, limit in zip(tiers, cumulative):
        if entry.rank > limit:  # type: ignore[operator]
            continue
        if tier.minimum is None or entry.final >= tier.minimum:  # type: ignore[operator]
            return tier
        # Below this tier's minimum: a later tier with a lower bar may still apply.
    return None


def reachable_ranks(tiers: Sequence[AwardTier]) -> list[tuple[int, int] | None]:
    """For each tier, the best and the worst rank that can receive it: (low, high).

    A tier of count c after tiers of C places in all goes to ranks C+1..C+c;
    after a tier with a minimum score it can also go to better ranks that missed
    that minimum, so its range starts at 1. None where the range depends on how
    many entries are ranked (a percentage tier, and every tier after one).
    """
    ranges: list[tuple[int, int] | None] = []
    total = 0
    known = True
    minimum_before = False
    for tier in tiers:
        known = known and tier.count is not None
        if known:
            low = 1 if minimum_before else total + 1
            total += tier.count  # type: ignore[operator]
            ranges.append((low, total))
        else:
            ranges.append(None)
        minimum_before = minimum_before or tier.minimum is not None
    return ranges
