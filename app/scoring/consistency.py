"""Judge consistency report for the chief judge (a warning, never a block)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext

from .decimals import PRECISION, divide, id_key
from .types import (
    CriterionId,
    EntryId,
    JudgeConsistency,
    JudgeId,
    Outlier,
    Score,
    ScoringError,
    as_decimal,
)

OUTLIER_STDEVS = Decimal(2)
# With identical other scores the stdev is 0 and any difference would be "infinite";
# only flag a gap bigger than this share of the criterion's max mark.
ZERO_STDEV_SHARE = Decimal("0.10")


def consistency_report(
    scores: Iterable[Score],
    max_marks: Mapping[CriterionId, Decimal],
) -> list[JudgeConsistency]:
    """Per judge and criterion: mean signed and absolute deviation from the
    panel mean, plus the scores that stand out from the other judges.

    A score is an outlier when |score - others' mean| > 2 x the sample
    standard deviation of the other judges' scores (at least 2 others);
    when that deviation is 0, when the gap exceeds 10% of the max mark.
    Rows are ordered by judge id, then criterion id.
    """
    panels = _group(scores, max_marks)
    deviations: dict[tuple[JudgeId, CriterionId], list[Decimal]] = {}
    outliers: dict[tuple[JudgeId, CriterionId], list[Outlier]] = {}

    for (entry, criterion), by_judge in panels.items():
        count = len(by_judge)
        total = sum(by_judge.values(), Decimal(0))
        total_sq = sum((v * v for v in by_judge.values()), Decimal(0))
        panel_mean = divide(total, count)
        for judge, value in by_judge.items():
            key = (judge, criterion)
            deviations.setdefault(key, []).append(value - panel_mean)
            outlier = _outlier(entry, criterion, value, count - 1, total - value, total_sq - value * value, max_marks[criterion])
            if outlier is not None:
                outliers.setdefault(key, []).append(outlier)

    report = []
    for (judge, criterion), devs in sorted(deviations.items(), key=lambda kv: (id_key(kv[0][0]), id_key(kv[0][1]))):
        flagged = sorted(outliers.get((judge, criterion), []), key=lambda o: id_key(o.entry_id))
        report.append(
            JudgeConsistency(
                judge_id=judge,
                criterion_id=criterion,
                scored=len(devs),
                mean_deviation=divide(sum(devs, Decimal(0)), len(devs)),
                mean_absolute_deviation=divide(sum((abs(d) for d in devs), Decimal(0)), len(devs)),
                outliers=tuple(flagged),
            )
        )
    return report


def _group(
    scores: Iterable[Score], max_marks: Mapping[CriterionId, Decimal]
) -> dict[tuple[EntryId, CriterionId], dict[JudgeId, Decimal]]:
    panels: dict[tuple[EntryId, CriterionId], dict[JudgeId, Decimal]] = {}
    for score in scores:
        if score.criterion_id not in max_marks:
            raise ScoringError(f"{_where(score)}: no max mark given for this criterion")
        if score.judge_id is None:
            raise ScoringError(f"{_where(score)}: a judgement score needs a judge")
        value = score.value
        if not (isinstance(value, Decimal) and value.is_finite()):
            value = as_decimal(value, f"{_where(score)}: score")
        by_judge = panels.setdefault((score.entry_id, score.criterion_id), {})
        previous = by_judge.setdefault(score.judge_id, value)
        if previous != value:
            raise ScoringError(
                f"{_where(score)}: judge {score.judge_id!r} has two different scores ({previous} and {value})"
            )
    return panels


def _where(score: Score) -> str:
    return f"entry {score.entry_id!r}, criterion {score.criterion_id!r}"


def _outlier(
    entry: EntryId,
    criterion: CriterionId,
    value: Decimal,
    others: int,
    others_sum: Decimal,
    others_sum_sq: Decimal,
    max_mark: Decimal,
) -> Outlier | None:
    if others < 2:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        mean = others_sum / others
        # k*sum(x^2) - sum(x)^2 is exact for 2-decimal scores, so equal scores
        # give a true 0 (not a rounding crumb) and the zero-stdev rule applies.
        spread = others * others_sum_sq - others_sum * others_sum
        stdev = (spread / (others * (others - 1))).sqrt()
        gap = abs(value - mean)
        if stdev == 0:
            is_outlier = gap > ZERO_STDEV_SHARE * as_decimal(max_mark, f"max mark of criterion {criterion!r}")
        else:
            is_outlier = gap > OUTLIER_STDEVS * stdev
    if not is_outlier:
        return None
    return Outlier(entry, criterion, value, mean, stdev)
