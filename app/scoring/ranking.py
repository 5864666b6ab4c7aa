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

    Each ranked entry also says how a tie on its final was settled:
    `decided_by` lists the tie-break stages compared to separate it from the
    entries with the same final, and `shares_rank` whether some entry stayed
    equal through all of them.
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

    # Blocks of entries with identical merits share a rank (1, 2, 2, 4).
    blocks: list[list[EntryResult]] = []
    for result in complete:
        if blocks and merits[result.entry_id] == merits[blocks[-1][0].entry_id]:
            blocks[-1].append(result)
        else:
            blocks.append([result])

    ranked: list[RankedEntry] = []
    position = 1
    for index, block in enumerate(blocks):
        merit = merits[block[0].entry_id]
        neighbours = [blocks[i] for i in (index - 1, index + 1) if 0 <= i < len(blocks)]
        depth = max((_separated_at(merit, merits[other[0].entry_id]) for other in neighbours), default=0)
        decided_by = tuple(tie_break[:depth])
        for result in block:
            ranked.append(RankedEntry(result, position, decided_by, len(block) > 1))
        position += len(block)
    incomplete.sort(key=lambda r: order_key(r.entry_id))
    ranked.extend(RankedEntry(result, None) for result in incomplete)
    return ranked


def _separated_at(merit: tuple[Decimal, ...], other: tuple[Decimal, ...]) -> int:
    """How many tie-break keys it took to tell two different merits apart: 0 when the
    finals differ, k when the k-th tie-break stage was the first to differ."""
    if merit[0] != other[0]:
        return 0
    return next(k for k in range(1, len(merit)) if merit[k] != other[k])


def advancing(ranked: Iterable[RankedEntry], n: int) -> list[EntryId]:
    """Entry ids of the top `n` plus everyone tied with the n-th.

    With competition ranking (1, 2, 2, 4) that is exactly the entries whose
    rank is at most n. If n exceeds the field, every ranked entry advances;
    incomplete entries never do.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ScoringError(f"number of advancing entries must be a non-negative integer, got {n!r}")
    return [entry.entry_id for entry in ranked if entry.rank is not None and entry.rank <= n]
