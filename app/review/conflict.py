"""Conflict of interest: a reviewer never scores work from their own organisation
or from any organisation below it in the union tree.

Organisations carry a materialised path ("/1/4/17/"), so "below" is a prefix
test. The rule is written once, over paths, and `conflicted()` renders it for
Python values (grids, imports, signing) or for SQL columns (standings and
progress counts), so the two can never disagree.
"""
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.orm.attributes import QueryableAttribute


def _is_sql(value):
    return isinstance(value, (ColumnElement, QueryableAttribute))


def _sql(value):
    return value if _is_sql(value) else sa.literal(value, sa.String)


def conflicted(subject_path, reviewer_path):
    """True when the subject's organisation lies within the reviewer's.

    Takes two paths: strings (or None) give a bool; SQL expressions give a SQL
    condition (NULL-safe: a reviewer without an organisation conflicts with nobody).
    """
    if _is_sql(subject_path) or _is_sql(reviewer_path):
        subject_path, reviewer_path = _sql(subject_path), _sql(reviewer_path)
        return sa.and_(reviewer_path.is_not(None), reviewer_path != "", subject_path.startswith(reviewer_path))
    return bool(reviewer_path) and bool(subject_path) and subject_path.startswith(reviewer_path)


def unit_path(organization):
    return organization.path if organization is not None else None


def conflicts(reviewer_unit, subject_unit):
    """The rule on two organisations (either may be None)."""
    return conflicted(unit_path(subject_unit), unit_path(reviewer_unit))


def conflict_free(subject_path, reviewer_path):
    """SQL condition: the reviewer may score the subject."""
    return sa.not_(conflicted(subject_path, reviewer_path))
