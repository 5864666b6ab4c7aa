"""Criterion, stage and final scores of every entry of an event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from .decimals import HUNDRED, divide, has_at_most_two_decimals, id_key, round_half_up
from .types import (
    JUDGEMENT,
    Criterion,
    CriterionId,
    CriterionResult,
    EntryId,
    EntryResult,
    JudgeId,
    Missing,
    Score,
    ScoringError,
    Stage,
    StageResult,
    as_decimal,
)

DEFAULT_TRIM_AT = 5


def validate_stages(stages: Sequence[Stage]) -> dict[CriterionId, Criterion]:
    """Check the marking scheme and index its criteria by id."""
    if not stages:
        raise ScoringError("an event needs at least one stage")
    criteria: dict[CriterionId, Criterion] = {}
    codes: set[str] = set()
    for stage in stages:
        if stage.code in codes:
            raise ScoringError(f"stage code {stage.code!r} is used twice")
        codes.add(stage.code)
        for criterion in stage.criteria:
            if criterion.id in criteria:
                raise ScoringError(f"criterion {criterion.id!r} appears more than once")
            criteria[criterion.id] = criterion
    total = sum((stage.weight for stage in stages), Decimal(0))
    if total != HUNDRED:
        raise ScoringError(f"stage weights must add up to 100, got {total}")
    return criteria


def trimmed_mean(
    scores: Mapping[JudgeId, Decimal], trim_at: int
) -> tuple[Decimal, tuple[JudgeId, ...], tuple[JudgeId, ...]]:
    """Mean of a panel's scores -> (mean, used judge ids, dropped judge ids).

    From `trim_at` judges on, exactly one highest and one lowest score are
    dropped even when several judges share an extreme. Among equal extremes
    the choice is made by judge id (lowest id's low, highest id's high) so
    it is stable across runs; which of the equal scores goes does not change
    the mean.
    """
    ordered = sorted(scores.items(), key=lambda item: (item[1], id_key(item[0])))
    dropped: tuple[JudgeId, ...] = ()
    if len(ordered) >= trim_at:
        dropped = (ordered[0][0], ordered[-1][0])
        ordered = ordered[1:-1]
    total = sum((value for _, value in ordered), Decimal(0))
    used = tuple(sorted((judge for judge, _ in ordered), key=id_key))
    return divide(total, len(ordered)), used, dropped


def evaluate(
    stages: Sequence[Stage],
    scores: Iterable[Score],
    expected_judges: Mapping[EntryId, Iterable[JudgeId]],
    trim_at: int = DEFAULT_TRIM_AT,
) -> list[EntryResult]:
    """Evaluate every entry listed in `expected_judges`, in that order.

    `expected_judges[entry]` is the panel that must score the entry's
    judgement criteria (conflicted judges already removed by the caller).
    A score from a judge outside that panel is an error rather than being
    silently ignored, so a stale conflicted score cannot slip in unnoticed.
    """
    if isinstance(trim_at, bool) or not isinstance(trim_at, int) or trim_at < 3:
        raise ScoringError(f"trim_at must be an integer of at least 3, got {trim_at!r}")
    criteria = validate_stages(stages)
    panels = {entry: frozenset(judges) for entry, judges in expected_judges.items()}
    judged, measured = _group_scores(scores, criteria, panels)
    return [
        _evaluate_entry(entry, stages, panels[entry], judged.get(entry, {}), measured.get(entry, {}), trim_at)
        for entry in panels
    ]


def _group_scores(
    scores: Iterable[Score],
    criteria: Mapping[CriterionId, Criterion],
    panels: Mapping[EntryId, frozenset[JudgeId]],
) -> tuple[
    dict[EntryId, dict[CriterionId, dict[JudgeId, Decimal]]],
    dict[EntryId, dict[CriterionId, Decimal]],
]:
    """Validate every score once and group them by entry and criterion."""
    judged: dict[EntryId, dict[CriterionId, dict[JudgeId, Decimal]]] = {}
    measured: dict[EntryId, dict[CriterionId, Decimal]] = {}
    for score in scores:
        entry, criterion_id, judge = score.entry_id, score.criterion_id, score.judge_id
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ScoringError(f"{_where(score)}: unknown criterion")
        if entry not in panels:
            raise ScoringError(f"{_where(score)}: unknown entry (not in expected judges)")
        value = _checked_value(score, criterion)

        if criterion.kind == JUDGEMENT:
            if judge is None:
                raise ScoringError(f"{_where(score)}: a judgement score needs a judge")
            if judge not in panels[entry]:
                raise ScoringError(f"{_where(score)}: judge {judge!r} is not expected to score this entry")
            by_judge = judged.setdefault(entry, {}).setdefault(criterion_id, {})
            previous = by_judge.setdefault(judge, value)
            if previous != value:
                raise ScoringError(
                    f"{_where(score)}: judge {judge!r} has two different scores ({previous} and {value})"
                )
        else:
            by_criterion = measured.setdefault(entry, {})
            previous = by_criterion.setdefault(criterion_id, value)
            if previous != value:
                raise ScoringError(
                    f"{_where(score)}: measurement has two different values ({previous} and {value})"
                )
    return judged, measured


def _where(score: Score) -> str:
    # Built only on error: formatting it for all 70,000 scores was the main cost.
    return f"entry {score.entry_id!r}, criterion {score.criterion_id!r}"


def _checked_value(score: Score, criterion: Criterion) -> Decimal:
    raw = score.value
    if isinstance(raw, Decimal) and raw.is_finite():
        value = raw
    else:  # slow path for odd input: converts ints, explains floats/NaN
        value = as_decimal(raw, f"{_where(score)}: score")
    if value < 0 or value > criterion.max_mark:
        raise ScoringError(f"{_where(score)}: score {value} is outside 0..{criterion.max_mark}")
    if not has_at_most_two_decimals(value):
        raise ScoringError(f"{_where(score)}: score {value} has more than 2 decimal places")
    return value


def _evaluate_entry(
    entry: EntryId,
    stages: Sequence[Stage],
    panel: frozenset[JudgeId],
    judged: Mapping[CriterionId, Mapping[JudgeId, Decimal]],
    measured: Mapping[CriterionId, Decimal],
    trim_at: int,
) -> EntryResult:
    panel_in_order = sorted(panel, key=id_key)
    criterion_results: dict[CriterionId, CriterionResult] = {}
    stage_results: dict[str, StageResult] = {}
    missing: list[Missing] = []

    for stage in stages:
        for criterion in stage.criteria:
            if criterion.kind == JUDGEMENT:
                result, gaps = _judgement_result(criterion, panel_in_order, judged.get(criterion.id, {}), trim_at)
            else:
                result, gaps = _measurement_result(criterion, measured.get(criterion.id))
            criterion_results[criterion.id] = result
            missing.extend(gaps)
        stage_results[stage.code] = stage_result(stage, criterion_results)
    return finish_entry(entry, stages, criterion_results, stage_results, missing)


def finish_entry(
    entry: EntryId,
    stages: Sequence[Stage],
    criterion_results: Mapping[CriterionId, CriterionResult],
    stage_results: Mapping[str, StageResult],
    missing: Sequence[Missing],
) -> EntryResult:
    """Weighted final of a complete entry; shared by the raw and the summary paths."""
    final_exact = final = None
    if not missing:
        weighted = sum(
            (stage.weight * stage_results[stage.code].percent for stage in stages),  # type: ignore[operator]
            Decimal(0),
        )
        final_exact = divide(weighted, HUNDRED)
        final = round_half_up(final_exact)
    return EntryResult(
        entry_id=entry,
        criteria=criterion_results,
        stages=stage_results,
        final_exact=final_exact,
        final=final,
        missing=tuple(missing),
    )


def _judgement_result(
    criterion: Criterion,
    panel_in_order: Sequence[JudgeId],
    by_judge: Mapping[JudgeId, Decimal],
    trim_at: int,
) -> tuple[CriterionResult, list[Missing]]:
    if not panel_in_order:  # nobody can ever score it: say so, don't divide by zero
        return CriterionResult(criterion.id, criterion.kind, None), [Missing(criterion.id, None)]
    gaps = [Missing(criterion.id, judge) for judge in panel_in_order if judge not in by_judge]
    if gaps:
        return CriterionResult(criterion.id, criterion.kind, None), gaps
    mean, used, dropped = trimmed_mean(by_judge, trim_at)
    return CriterionResult(criterion.id, criterion.kind, mean, used, dropped), []


def _measurement_result(
    criterion: Criterion, value: Decimal | None
) -> tuple[CriterionResult, list[Missing]]:
    if value is None:
        return CriterionResult(criterion.id, criterion.kind, None), [Missing(criterion.id, None)]
    return CriterionResult(criterion.id, criterion.kind, value), []


def stage_result(stage: Stage, criterion_results: Mapping[CriterionId, CriterionResult]) -> StageResult:
    maximum = stage.maximum
    values = [criterion_results[c.id].value for c in stage.criteria]
    if any(value is None for value in values):
        return StageResult(stage.code, None, maximum, None, None)
    score = sum(values, Decimal(0))  # type: ignore[arg-type]
    percent = divide(score * HUNDRED, maximum)
    return StageResult(stage.code, score, maximum, percent, round_half_up(percent))
