"""Evaluate entries from per-criterion summaries instead of every single mark.

A trimmed mean drops exactly one highest and one lowest mark, so it only needs
the count, the sum and the two extremes: (sum − low − high) / (count − 2).
A leaderboard of 1,000 entries × 7 judges × 10 criteria can therefore let the
database reduce 70,000 marks to 10,000 summaries and evaluate those, with
results identical to `evaluate` (a test checks this on random data). Which
judge's mark was dropped is not known here: use `evaluate` for one entry's
breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .aggregate import finish_entry, stage_result, validate_stages
from .decimals import divide
from .types import (
    JUDGEMENT,
    CriterionId,
    CriterionResult,
    EntryId,
    EntryResult,
    Missing,
    ScoringError,
    Stage,
)


@dataclass(frozen=True, slots=True)
class PanelSummary:
    """The marks of one entry on one judgement criterion, summarised."""

    count: int
    total: Decimal
    low: Decimal
    high: Decimal


def summary_mean(summary: PanelSummary, trim_at: int) -> Decimal:
    if summary.count >= trim_at:
        return divide(summary.total - summary.low - summary.high, summary.count - 2)
    return divide(summary.total, summary.count)


def evaluate_summaries(
    stages: Sequence[Stage],
    judged: Mapping[tuple[EntryId, CriterionId], PanelSummary],
    measured: Mapping[tuple[EntryId, CriterionId], Decimal],
    panel_sizes: Mapping[EntryId, int],
    trim_at: int,
) -> list[EntryResult]:
    """Like `evaluate`, for every entry of `panel_sizes` (its number of expected judges)."""
    if isinstance(trim_at, bool) or not isinstance(trim_at, int) or trim_at < 3:
        raise ScoringError(f"trim_at must be an integer of at least 3, got {trim_at!r}")
    validate_stages(stages)
    results = []
    for entry, panel_size in panel_sizes.items():
        criterion_results: dict[CriterionId, CriterionResult] = {}
        stage_results = {}
        missing: list[Missing] = []
        for stage in stages:
            for criterion in stage.criteria:
                key = (entry, criterion.id)
                value = None
                if criterion.kind == JUDGEMENT:
                    summary = judged.get(key)
                    if summary is not None and summary.count > panel_size:
                        raise ScoringError(f"entry {entry!r}, criterion {criterion.id!r}: more marks than judges")
                    if panel_size and summary is not None and summary.count == panel_size:
                        value = summary_mean(summary, trim_at)
                else:
                    value = measured.get(key)
                if value is None:
                    missing.append(Missing(criterion.id, None))
                criterion_results[criterion.id] = CriterionResult(criterion.id, criterion.kind, value)
            stage_results[stage.code] = stage_result(stage, criterion_results)
        results.append(finish_entry(entry, stages, criterion_results, stage_results, missing))
    return results
