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


def allowed_pairs(reviewer_ids, unit_ids):
    """SELECT (reviewer user id, unit id) of every pair without a conflict of interest.

    `reviewer_ids` and `unit_ids` are one-column selects (the panel's scoring
    reviewers, the subjects' units): a few hundred pairs at most.
    """
    reviewer, reviewer_unit, subject_unit = aliased(User), aliased(Organization), aliased(Organization)
    return (sa.select(reviewer.id, subject_unit.id)
            .outerjoin(reviewer_unit, reviewer_unit.id == reviewer.organization_id)
            .join(subject_unit, sa.true())
            .where(reviewer.id.in_(reviewer_ids), subject_unit.id.in_(unit_ids),
                   conflict_free(subject_unit.path, reviewer_unit.path)))


def without_conflicts(query, reviewer_user_id, subject_unit_id, reviewer_ids, unit_ids):
    """`query` restricted to marks whose reviewer may score the subject.

    A semi-join on the allowed (reviewer, unit) pairs rather than joining both
    organisations to every mark: half the time on 210,000 marks on PostgreSQL.
    """
    return query.where(sa.tuple_(reviewer_user_id, subject_unit_id).in_(allowed_pairs(reviewer_ids, unit_ids)))


def summary_columns(value):
    """count, then sum, lowest and highest in hundredths: integers, exact on SQLite's REAL too,
    and read without a Decimal conversion per row (30,000 rows at 3,000 entries)."""
    hundredths = sa.cast(sa.func.round(value * 100), sa.Integer)
    return (sa.func.count(), sa.cast(sa.func.sum(hundredths), sa.BigInteger), sa.func.min(hundredths),
            sa.func.max(hundredths))


def read_summaries(rows):
    """Rows of (subject id, criterion id, *summary_columns) → {(subject, criterion): PanelSummary}."""
    decimals = {}  # hundredths → Decimal: marks repeat, so most conversions are a lookup

    def decimal(hundredths):
        found = decimals.get(hundredths)
        if found is None:
            found = decimals[hundredths] = Decimal(int(hundredths)).scaleb(-2)
        return found

    return {
        (subject, criterion): scoring.PanelSummary(count, decimal(total), decimal(low), decimal(high))
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
