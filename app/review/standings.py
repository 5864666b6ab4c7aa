"""Standings of a panel's work: marks summarised in SQL, evaluated by `app.scoring`.

The database reduces each (subject, criterion)'s marks to count, sum, lowest
and highest; `scoring.evaluate_summaries` turns those into exactly what the
mark-by-mark evaluation gives (trimmed means included), so a page costs a fixed
number of queries whatever the number of marks. Marks from reviewers with a
conflict of interest never count: `without_conflicts` adds the rule's SQL form.
"""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app import scoring
from app.accounts.models import Organization, User
from app.review.conflict import conflict_free


def without_conflicts(query, reviewer_user_id, subject_unit_id):
    """`query` restricted to marks whose reviewer may score the subject (joins the two organisations)."""
    reviewer, reviewer_unit, subject_unit = aliased(User), aliased(Organization), aliased(Organization)
    return (query.join(reviewer, reviewer.id == reviewer_user_id)
            .outerjoin(reviewer_unit, reviewer_unit.id == reviewer.organization_id)
            .join(subject_unit, subject_unit.id == subject_unit_id)
            .where(conflict_free(subject_unit.path, reviewer_unit.path)))


def summary_columns(value):
    """count, sum in hundredths, lowest, highest — sums as integers, exact on SQLite's REAL too."""
    return (sa.func.count(), sa.func.sum(sa.func.round(value * 100)), sa.func.min(value), sa.func.max(value))


def read_summaries(rows):
    """Rows of (subject id, criterion id, *summary_columns) → {(subject, criterion): PanelSummary}."""
    return {
        (subject, criterion): scoring.PanelSummary(count, Decimal(int(total)).scaleb(-2), low, high)
        for subject, criterion, count, total, low, high in rows
    }


def rank_and_award(results, *, tie_break=(), sort_key=None, tiers=(), honours=()):
    """Evaluated results → awarded entries: ranks with tie-breaks and shared ranks, award tiers, honours."""
    ranked = scoring.rank(results, tie_break=list(tie_break), sort_key=sort_key)
    return scoring.assign_awards(ranked, list(tiers), list(honours))


def consistency(marks, maxima):
    """The panel's consistency report from {(subject, criterion): {reviewer: mark}}."""
    scores = [scoring.Score(subject, criterion, reviewer, value)
              for (subject, criterion), by_reviewer in marks.items() for reviewer, value in by_reviewer.items()]
    return scoring.consistency_report(scores, maxima)
