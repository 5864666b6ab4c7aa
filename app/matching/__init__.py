"""Apprenticeship matching engine (名师带高徒): plain data in, proposed pairs out.

Typical flow (in a background job run by staff for a programme):
    result = match(masters, apprentices, Rules(max_level_gap=2, same_unit="any"), on_progress=job.step)
    for pair in result.pairs: ...        # pair.scope / pair.trade / pair.preference_rank say why
    for left in result.unmatched: ...    # left.reason is a code, translated by the caller

Hard rules: the same trade; a master's free places (`capacity`); the programme's `Rules` (level
gap range, same unit required or forbidden); the apprentice's avoid list. Within them the result
pairs as many apprentices as possible, then (lexicographically) as many as possible inside their
own unit, then inside their district/industry union, then breaks the fewest preferences, then has
the smallest level gaps; solved exactly as a min-cost max-flow per trade (see engine.py and
weights.py). No Flask, no database: callers convert rows to these types.
"""

from .engine import match
from .types import (
    INDUSTRY,
    MASTERS_FULL,
    MAX_PREFERENCES,
    NO_MASTER_IN_TRADE,
    RULES,
    SCOPES,
    SYSTEM,
    UNIT,
    UNMATCHED_REASONS,
    Apprentice,
    Master,
    MatchingError,
    MatchResult,
    Pair,
    Rules,
    Unmatched,
    scope_of,
)
from .weights import BROKEN_OFF_LIST

__all__ = [
    "BROKEN_OFF_LIST",
    "INDUSTRY",
    "MASTERS_FULL",
    "MAX_PREFERENCES",
    "NO_MASTER_IN_TRADE",
    "RULES",
    "SCOPES",
    "SYSTEM",
    "UNIT",
    "UNMATCHED_REASONS",
    "Apprentice",
    "Master",
    "MatchResult",
    "MatchingError",
    "Pair",
    "Rules",
    "Unmatched",
    "match",
    "scope_of",
]
