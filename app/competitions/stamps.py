"""The one place that says "this event's standings may have changed".

Each event has a `results_stamp`; cached standings are keyed by it. It is bumped
here only:
- for ORM changes, by a flush listener that sees every new, changed or deleted
  row of the tables standings read (events, stages, criteria, award tiers,
  entries, panel seats, sheets, marks);
- for marks written by Core statements (the grid's upsert, workbook imports),
  by `marks_changed`, which the review save paths call.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.competitions.models import (
    AwardTier,
    Criterion,
    Entry,
    Event,
    Measurement,
    PanelMember,
    Score,
    Sheet,
    Stage,
)
from app.extensions import db

_BY_EVENT = (Stage, Criterion, AwardTier, Entry, PanelMember)


def _bump(connection, event_ids=(), member_ids=(), entry_ids=()):
    table = Event.__table__
    conditions = []
    if event_ids:
        conditions.append(table.c.id.in_(sorted(event_ids)))
    if member_ids:
        conditions.append(table.c.id.in_(sa.select(PanelMember.event_id).where(PanelMember.id.in_(sorted(member_ids)))
                                         .scalar_subquery()))
    if entry_ids:
        conditions.append(table.c.id.in_(sa.select(Entry.event_id).where(Entry.id.in_(sorted(entry_ids)))
                                         .scalar_subquery()))
    if conditions:
        connection.execute(sa.update(table).where(sa.or_(*conditions))
                           .values(results_stamp=table.c.results_stamp + 1))


def marks_changed(*event_ids):
    """Marks of these events were written outside the ORM's unit of work."""
    _bump(db.session.connection(), event_ids=set(event_ids))


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session, _context):
    events, members, entries = set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Event):
            if obj.id is not None:
                events.add(obj.id)
        elif isinstance(obj, _BY_EVENT):
            if obj.event_id is not None:
                events.add(obj.event_id)
        elif isinstance(obj, Sheet):
            members.add(obj.member_id)
        elif isinstance(obj, (Score, Measurement)):
            entries.add(obj.entry_id)
    if events or members or entries:
        _bump(session.connection(), events, members, entries)
