"""Judging engine: pure functions on plain data (Decimals and ids).

Typical flow:
    results = evaluate(stages, scores, expected_judges, trim_at=event.trim_at)
    ranked = rank(results, tie_break=["practical", "theory"], sort_key=bib_of)
    awarded = assign_awards(ranked, parse_award_spec(event.award_spec), honours)
    finalists = advancing(ranked, 10)

No Flask, no database, no floats: callers convert rows to these types.
"""

from .aggregate import DEFAULT_TRIM_AT, evaluate, trimmed_mean, validate_stages
from .award_spec import format_award_spec, parse_award_spec
from .awards import assign_awards, reachable_ranks, tier_size
from .consistency import consistency_report
from .decimals import round_half_up
from .ranking import advancing, rank
from .summary import PanelSummary, evaluate_summaries, summary_mean
from .types import (
    JUDGEMENT,
    MEASUREMENT,
    AwardedEntry,
    AwardTier,
    Criterion,
    CriterionResult,
    EntryResult,
    Honour,
    JudgeConsistency,
    Missing,
    Outlier,
    RankedEntry,
    Score,
    ScoringError,
    Stage,
    StageResult,
)

__all__ = [
    "DEFAULT_TRIM_AT",
    "JUDGEMENT",
    "MEASUREMENT",
    "AwardTier",
    "AwardedEntry",
    "Criterion",
    "CriterionResult",
    "EntryResult",
    "Honour",
    "JudgeConsistency",
    "Missing",
    "Outlier",
    "PanelSummary",
    "RankedEntry",
    "Score",
    "ScoringError",
    "Stage",
    "StageResult",
    "advancing",
    "assign_awards",
    "consistency_report",
    "evaluate",
    "evaluate_summaries",
    "format_award_spec",
    "parse_award_spec",
    "rank",
    "reachable_ranks",
    "round_half_up",
    "summary_mean",
    "tier_size",
    "trimmed_mean",
    "validate_stages",
]
