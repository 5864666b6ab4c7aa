"""Plain data types of the judging engine.

Everything here is a frozen dataclass holding Decimals and caller-given ids
(ints or strings). Nothing knows about Flask or the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

EntryId = Hashable
JudgeId = Hashable
CriterionId = Hashable

CriterionKind = Literal["judgement", "measurement"]
JUDGEMENT: CriterionKind = "judgement"
MEASUREMENT: CriterionKind = "measurement"


class ScoringError(ValueError):
    """Invalid scoring input; the message names the entry/criterion at fault."""


def as_decimal(value: object, what: str) -> Decimal:
    """Return `value` as a finite Decimal, refusing floats outright.

    Ints are accepted (they are exact); floats are not, because the whole
    point of this engine is that no binary rounding ever creeps in.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ScoringError(f"{what} must be a finite number, got {value}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise ScoringError(
        f"{what} must be a Decimal (e.g. Decimal('8.5')), got {type(value).__name__} {value!r}"
    )


# --- Input -----------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One line of the marking scheme.

    `judgement`: every judge of the entry's panel scores it.
    `measurement`: one objective value (time, accuracy...) entered once.
    """

    id: CriterionId
    max_mark: Decimal
    kind: CriterionKind = JUDGEMENT

    def __post_init__(self) -> None:
        max_mark = as_decimal(self.max_mark, f"max mark of criterion {self.id!r}")
        if max_mark <= 0:
            raise ScoringError(f"max mark of criterion {self.id!r} must be positive, got {max_mark}")
        object.__setattr__(self, "max_mark", max_mark)
        if self.kind not in (JUDGEMENT, MEASUREMENT):
            raise ScoringError(
                f"criterion {self.id!r} has kind {self.kind!r}; expected 'judgement' or 'measurement'"
            )


@dataclass(frozen=True)
class Stage:
    """A stage (e.g. theory, practical) with its weight in percent of the final."""

    code: str
    weight: Decimal
    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        weight = as_decimal(self.weight, f"weight of stage {self.code!r}")
        if weight < 0:
            raise ScoringError(f"weight of stage {self.code!r} must not be negative, got {weight}")
        object.__setattr__(self, "weight", weight)
        criteria = tuple(self.criteria)  # accept lists, store immutably
        if not criteria:
            raise ScoringError(f"stage {self.code!r} has no criteria")
        object.__setattr__(self, "criteria", criteria)

    @cached_property
    def maximum(self) -> Decimal:
        # Cached: a 3,000-entry event asks it for every entry and stage.
        return sum((c.max_mark for c in self.criteria), Decimal(0))


@dataclass(frozen=True, slots=True)
class Score:
    """One recorded mark. `judge_id` may be None for a measurement."""

    entry_id: EntryId
    criterion_id: CriterionId
    judge_id: JudgeId | None
    value: Decimal


# --- Evaluation output -----------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """Something an entry still needs before it can be ranked.

    `judge_id` is the judge whose score is missing; it is None for a
    measurement with no value, and for a judgement criterion of an entry that
    has no expected judges at all.
    """

    criterion_id: CriterionId
    judge_id: JudgeId | None = None


@dataclass(frozen=True)
class CriterionResult:
    """Result of one criterion for one entry.

    `value` is None while the criterion is incomplete. `dropped_judge_ids`
    lets a contestant see which scores were trimmed without seeing names.
    """

    criterion_id: CriterionId
    kind: CriterionKind
    value: Decimal | None
    used_judge_ids: tuple[JudgeId, ...] = ()
    dropped_judge_ids: tuple[JudgeId, ...] = ()

    @property
    def complete(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class StageResult:
    """Stage score and percentage; None values while the stage is incomplete."""

    code: str
    score: Decimal | None
    maximum: Decimal
    percent: Decimal | None  # full precision
    percent_rounded: Decimal | None  # half-up to 2 decimals: display and tie-breaks

    @property
    def complete(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class EntryResult:
    entry_id: EntryId
    criteria: Mapping[CriterionId, CriterionResult]
    stages: Mapping[str, StageResult]
    final_exact: Decimal | None  # full precision, before display rounding
    final: Decimal | None  # half-up to 2 decimals; what ranking uses
    missing: tuple[Missing, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


# --- Ranking and awards ------------------------------------------------------


@dataclass(frozen=True)
class RankedEntry:
    """An evaluated entry with its rank; rank is None when incomplete.

    `decided_by` says how a tie on the final score was settled: the tie-break
    stage codes, in order, that were compared to separate this entry from the
    entries with the same final (empty when the final alone decided its
    place). `shares_rank` is True when another entry stayed equal through
    every tie-break, so both hold the same rank.
    """

    result: EntryResult
    rank: int | None
    decided_by: tuple[str, ...] = ()
    shares_rank: bool = False

    @property
    def entry_id(self) -> EntryId:
        return self.result.entry_id

    @property
    def final(self) -> Decimal | None:
        return self.result.final


@dataclass(frozen=True)
class AwardTier:
    """One award level (e.g. 一等奖).

    Size is either `count` entries or `percent` of the ranked entries
    (floored, at least 1). `prize` is the default amount; `prizes_by_rank`
    overrides it per overall rank (tied entries share their rank's amount).
    """

    name: str
    count: int | None = None
    percent: Decimal | None = None
    minimum: Decimal | None = None
    prize: Decimal | None = None
    prizes_by_rank: Mapping[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScoringError(f"award tier name must be a non-empty string, got {self.name!r}")
        if (self.count is None) == (self.percent is None):
            raise ScoringError(f"award tier {self.name!r} needs exactly one of count or percent")
        if self.count is not None:
            if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
                raise ScoringError(f"award tier {self.name!r}: count must be a positive integer, got {self.count!r}")
        else:
            percent = as_decimal(self.percent, f"percent of award tier {self.name!r}")
            if not 0 < percent <= 100:
                raise ScoringError(f"award tier {self.name!r}: percent must be in (0, 100], got {percent}")
            object.__setattr__(self, "percent", percent)
        if self.minimum is not None:
            minimum = as_decimal(self.minimum, f"minimum of award tier {self.name!r}")
            if minimum < 0:
                raise ScoringError(f"award tier {self.name!r}: minimum must not be negative, got {minimum}")
            object.__setattr__(self, "minimum", minimum)
        if self.prize is not None:
            prize = as_decimal(self.prize, f"prize of award tier {self.name!r}")
            if prize < 0:
                raise ScoringError(f"award tier {self.name!r}: prize must not be negative, got {prize}")
            object.__setattr__(self, "prize", prize)
        by_rank: dict[int, Decimal] = {}
        for rank, amount in dict(self.prizes_by_rank).items():
            if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
                raise ScoringError(f"award tier {self.name!r}: prize rank must be a positive integer, got {rank!r}")
            amount = as_decimal(amount, f"prize for rank {rank} of award tier {self.name!r}")
            if amount < 0:
                raise ScoringError(f"award tier {self.name!r}: prize for rank {rank} must not be negative")
            by_rank[rank] = amount
        object.__setattr__(self, "prizes_by_rank", by_rank)


@dataclass(frozen=True)
class Honour:
    """A distinction for every entry ranked at or above `max_rank`
    (e.g. 推荐五一劳动奖章 for rank 1, shared by entries tied at rank 1)."""

    name: str
    max_rank: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScoringError(f"honour name must be a non-empty string, got {self.name!r}")
        if isinstance(self.max_rank, bool) or not isinstance(self.max_rank, int) or self.max_rank < 1:
            raise ScoringError(f"honour {self.name!r}: max_rank must be a positive integer, got {self.max_rank!r}")


@dataclass(frozen=True)
class AwardedEntry:
    ranked: RankedEntry
    tier: str | None = None
    prize: Decimal | None = None
    honours: tuple[str, ...] = ()

    @property
    def entry_id(self) -> EntryId:
        return self.ranked.entry_id

    @property
    def rank(self) -> int | None:
        return self.ranked.rank


# --- Judge consistency -----------------------------------------------------


@dataclass(frozen=True)
class Outlier:
    """A score far from what the other judges gave the same entry/criterion."""

    entry_id: EntryId
    criterion_id: CriterionId
    score: Decimal
    others_mean: Decimal
    others_stdev: Decimal


@dataclass(frozen=True)
class JudgeConsistency:
    """How one judge scored one criterion compared with the panels.

    Deviations are judge score minus the panel mean (the panel includes the
    judge), averaged over the entries the judge scored; full precision.
    """

    judge_id: JudgeId
    criterion_id: CriterionId
    scored: int
    mean_deviation: Decimal
    mean_absolute_deviation: Decimal
    outliers: tuple[Outlier, ...] = ()
