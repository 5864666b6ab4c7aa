"""Plain data types of the matching engine.

Frozen dataclasses holding caller-given ids (ints or strings, any hashable that
orders against ids of the same kind). Nothing here knows about Flask or the database.

Levels are integers numbered the way vocational qualification grades are: 5 = 五级 (初级工),
4 = 四级, 3 = 三级, 2 = 二级 (技师), 1 = 一级 (高级技师). A smaller number is the more senior
grade. The level gap of a pair is measured from the apprentice down to the master:

    level_gap = apprentice.level - master.level

so it is positive when the master is more senior (a 四级 apprentice with a 二级 master has a gap
of 2), zero at the same grade and negative when the master is junior to the apprentice.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Literal

MasterId = Hashable
ApprenticeId = Hashable
UnitId = Hashable
DistrictId = Hashable

MAX_PREFERENCES = 5

SameUnit = Literal["any", "required", "forbidden"]
SAME_UNIT_CHOICES = ("any", "required", "forbidden")

Scope = Literal["unit", "industry", "system"]
UNIT: Scope = "unit"
INDUSTRY: Scope = "industry"
SYSTEM: Scope = "system"
SCOPES = (UNIT, INDUSTRY, SYSTEM)

# Why an apprentice was left without a master (codes; the caller translates them).
NO_MASTER_IN_TRADE = "no_master_in_trade"  # no master of the apprentice's trade at all
RULES = "rules"  # every master of the trade is excluded by the rules or the avoid list
MASTERS_FULL = "masters_full"  # eligible masters exist but their places went to others
UNMATCHED_REASONS = (NO_MASTER_IN_TRADE, RULES, MASTERS_FULL)


class MatchingError(ValueError):
    """Invalid matching input; the message names the record at fault."""


# --- Input -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Master:
    """A master who can take `capacity` more apprentices (free places, not the total).

    `district` is the id of the unit's district or industry union (the unit's parent
    organisation), or None for a unit directly under the city federation.
    """

    id: MasterId
    trade: Hashable
    unit: UnitId
    district: DistrictId | None
    level: int
    capacity: int

    def __post_init__(self) -> None:
        if not _is_int(self.level):
            raise MatchingError(f"master {self.id!r}: level must be an integer, got {self.level!r}")
        if not _is_int(self.capacity) or self.capacity < 0:
            raise MatchingError(f"master {self.id!r}: capacity must be an integer >= 0, got {self.capacity!r}")


@dataclass(frozen=True, slots=True)
class Apprentice:
    """An apprentice to place. `preferences`: master ids, best first, at most five;
    `avoid`: master ids the apprentice must never be paired with."""

    id: ApprenticeId
    trade: Hashable
    unit: UnitId
    district: DistrictId | None
    level: int
    preferences: tuple[MasterId, ...] = ()
    avoid: frozenset[MasterId] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not _is_int(self.level):
            raise MatchingError(f"apprentice {self.id!r}: level must be an integer, got {self.level!r}")
        preferences = tuple(self.preferences)
        object.__setattr__(self, "preferences", preferences)
        object.__setattr__(self, "avoid", frozenset(self.avoid))
        if len(preferences) > MAX_PREFERENCES:
            raise MatchingError(
                f"apprentice {self.id!r}: at most {MAX_PREFERENCES} preferred masters, got {len(preferences)}"
            )
        if len(set(preferences)) != len(preferences):
            raise MatchingError(f"apprentice {self.id!r}: a master is ranked twice in the preferences")
        both = self.avoid.intersection(preferences)
        if both:
            raise MatchingError(f"apprentice {self.id!r}: master {sorted(both, key=repr)[0]!r} is both preferred and avoided")


@dataclass(frozen=True, slots=True)
class Rules:
    """Hard rules of a programme, on top of the fixed one (same trade).

    `max_level_gap`: the largest allowed `apprentice.level - master.level` (None: no limit).
    `min_level_gap`: the smallest allowed gap; the default 0 means a master is at least at the
    apprentice's grade; None allows masters junior to the apprentice (the tie-break then
    prefers the smallest absolute gap).
    `same_unit`: "any", "required" (master from the apprentice's own unit only) or
    "forbidden" (never from the apprentice's own unit).
    """

    max_level_gap: int | None = None
    same_unit: SameUnit = "any"
    min_level_gap: int | None = 0

    def __post_init__(self) -> None:
        if self.same_unit not in SAME_UNIT_CHOICES:
            raise MatchingError(f"same_unit must be one of {', '.join(SAME_UNIT_CHOICES)}, got {self.same_unit!r}")
        for name in ("max_level_gap", "min_level_gap"):
            value = getattr(self, name)
            if value is not None and not _is_int(value):
                raise MatchingError(f"{name} must be an integer or None, got {value!r}")
        if (self.max_level_gap is not None and self.min_level_gap is not None
                and self.max_level_gap < self.min_level_gap):
            raise MatchingError(
                f"max_level_gap {self.max_level_gap} is below min_level_gap {self.min_level_gap}"
            )

    def allows_gap(self, gap: int) -> bool:
        if self.min_level_gap is not None and gap < self.min_level_gap:
            return False
        return self.max_level_gap is None or gap <= self.max_level_gap

    def allows(self, master: Master, apprentice: Apprentice) -> bool:
        """Whether the pair passes the hard rules (trade, level gap, same unit, avoid list)."""
        if master.trade != apprentice.trade or master.id in apprentice.avoid:
            return False
        if not self.allows_gap(apprentice.level - master.level):
            return False
        same = master.unit == apprentice.unit
        if self.same_unit == "required":
            return same
        if self.same_unit == "forbidden":
            return not same
        return True


# --- Output ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """A proposed pairing and why: how far the search had to widen (`scope`), the trade,
    the master's place on the apprentice's list (1 = first choice; None: not on the list)
    and the level gap (see the module docstring for its sign)."""

    master: MasterId
    apprentice: ApprenticeId
    trade: Hashable
    scope: Scope
    preference_rank: int | None
    level_gap: int


@dataclass(frozen=True, slots=True)
class Unmatched:
    """An apprentice left without a master; `reason` is one of UNMATCHED_REASONS."""

    apprentice: ApprenticeId
    trade: Hashable
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """Pairs ordered by (trade, apprentice id); unmatched apprentices by the same order."""

    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]

    def counts(self) -> dict[str, int]:
        """Pairs per scope and the number unmatched: a summary for a job's result page."""
        result = {scope: 0 for scope in SCOPES}
        for pair in self.pairs:
            result[pair.scope] += 1
        result["unmatched"] = len(self.unmatched)
        return result


def scope_of(master: Master, apprentice: Apprentice) -> Scope:
    """How far from the apprentice the master is: the same unit, the same district or
    industry union (only when the apprentice's unit has one), or anywhere else."""
    if master.unit == apprentice.unit:
        return UNIT
    if apprentice.district is not None and master.district == apprentice.district:
        return INDUSTRY
    return SYSTEM


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
