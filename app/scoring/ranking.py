"""Ranking with tie-breaks, and advancement to the next round."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from .decimals import id_key
from .types import EntryId, EntryResult, RankedEntry, ScoringError


def rank(
    results: Iterable[EntryResult],
    tie_break: Sequence[str] = (),
    sort_key: Callable[[EntryId], Any] | None = None,
) -> list[RankedEntry]:
    """Rank complete entries by rounded final score, best first.

    Equal finals are separated by the rounded percent of the stages in
    `tie_break`, in order. Entries still equal share a rank and the next
    rank is skipped (1, 2, 2, 4); among them `sort_key(entry_id)` (e.g. the
    bib number; entry id by default) fixes the listing order. Incomplete
    entries follow with rank None, in `sort_key` order.
    """
    order_key = sort_key if sort_key is not None else id_key
    complete: list[EntryResult] = []
    incomplete: list[EntryResult] = []
    seen: set[EntryId] = set()
    for result in results:
        if result.entry_id in seen:
            raise ScoringError(f"entry {result.entry_id!r} is listed twice")
        seen.add(result.entry_id)
        (complete if result.complete else incomplete).append(result)

    def merit(result: EntryResult) -> tuple[Decimal, ...]:
        values = [result.final]
        for code in tie_break:
            stage = result.stages.get(code)
            if stage is None:
                raise ScoringError(f"tie-break stage {code!r} is not a stage of entry {result.entry_id!r}")
            values.append(stage.percent_rounded)
        return tuple(values)  # type: ignore[arg-type]

    merits = {result.entry_id: merit(result) for result in complete}
    # Negate so one ascending sort gives best merit first, then sort_key order.
    complete.sort(key=lambda r: (tuple(-v for v in merits[r.entry_id]), order_key(r.entry_id)))

    ranked: list[RankedEntry] = []
    for position, result in enumerate(complete, start=1):
        if ranked and merits[result.entry_id] == merits[ranked[-1].entry_id]:
            current = ranked[-1].rank
        else:
            current = position
        ranked.append(RankedEntry(result, current))
    incomplete.sort(key=lambda r: order_key(r.entry_id))
    ranked.extend(RankedEntry(result, None) for result in incomplete)
    return ranked


def advancing(ranked: Iterable[RankedEntry], n: int) -> list[EntryId]:
    """Entry ids of the top `n` plus everyone tied with the n-th.

    With competition ranking (1, 2, 2, 4) that is exactly the entries whose
    rank is at most n. If n exceeds the field, every ranked entry advances;
    incomplete entries never do.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ScoringError(f"number of advancing entries must be a non-negative integer, got {n!r}")
    return [entry.entry_id for entry in ranked if entry.rank is not None and entry.rank <= n]
