"""Judges' score entry: one cell at a time, signing, and the chief judge's unlock.

Rules enforced here, for every save:
- only a scoring judge of the event's panel saves judgement scores, only the
  chief judge saves measurements;
- never for an entry of the judge's own unit or a unit below it (conflict of
  interest), nor for an entry that stopped at an earlier stage;
- 0 ≤ value ≤ the criterion's maximum, at most 2 decimals;
- never on a signed sheet. The sheet row is locked (SELECT ... FOR UPDATE on
  PostgreSQL) while saving or signing, so a save cannot slip past a signature;
- one row per judge × entry × criterion, written by an upsert.
"""
import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.competitions import standings
from app.competitions.models import (
    CompetitionStatus as S,
    Criterion,
    CriterionKind,
    Entry,
    Measurement,
    PanelMember,
    Score,
    Sheet,
)
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db

SCORING_OPEN = {S.RUNNING, S.SCORING_CLOSED, S.PROVISIONAL}  # closed phases: unlocked sheets only
NUMBER = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_mark(raw, maximum):
    """A typed mark → Decimal, or DomainError with the reason; "" → None (clear the cell)."""
    text = (raw or "").strip().replace("。", ".").replace("．", ".")
    if text == "":
        return None
    if not NUMBER.match(text):
        try:
            Decimal(text)
        except InvalidOperation:
            raise DomainError(_l("Enter a number.")) from None
        if text.startswith("-"):
            raise DomainError(_l("The mark cannot be negative."))
        raise DomainError(_l("At most 2 decimal places."))
    value = Decimal(text)
    if value > maximum:
        raise DomainError(_l("The maximum is %(max)s.", max=maximum))
    return value


def membership(event_id, user):
    return db.session.scalar(
        sa.select(PanelMember).where(PanelMember.event_id == event_id, PanelMember.user_id == user.id)
    )


def stage_reached(entry, stage):
    """False when the entry stopped at a stage before this one."""
    if entry.eliminated_stage_id is None:
        return True
    stopped = next(s for s in entry.event.stages if s.id == entry.eliminated_stage_id)
    return stage.position <= stopped.position


def lock_sheet(member, stage):
    """The (member, stage) sheet, created if needed, locked for this transaction."""
    query = sa.select(Sheet).where(Sheet.member_id == member.id, Sheet.stage_id == stage.id).with_for_update()
    sheet = db.session.scalar(query)
    if sheet is None:
        try:
            with db.session.begin_nested():
                db.session.add(Sheet(member_id=member.id, stage_id=stage.id))
        except IntegrityError:
            pass  # created by a concurrent request of the same judge: lock that one
        sheet = db.session.scalar(query.execution_options(populate_existing=True))
    return sheet


def _check_can_score(member, entry, criterion):
    event = member.event
    if event.competition.status not in SCORING_OPEN:
        raise DomainError(_l("Scoring is not open for this competition."))
    if entry.event_id != event.id or criterion.event_id != event.id:
        raise DomainError(_l("This entry or criterion is not part of your event."))
    if member.is_chief != (criterion.kind == CriterionKind.MEASUREMENT):
        raise DomainError(_l("Measurements are entered by the chief judge; judgement marks by the judges."))
    if not member.is_chief and member.conflicts_with(entry):
        raise DomainError(_l("You cannot score an entry from your own unit."))
    if not stage_reached(entry, criterion.stage):
        raise DomainError(_l("This entry did not advance to this stage."))


def save_mark(actor, member, entry, criterion, raw):
    """Save one cell of the grid; returns the stored value (None when cleared)."""
    _check_can_score(member, entry, criterion)
    value = parse_mark(raw, criterion.max_mark)
    sheet = lock_sheet(member, criterion.stage)
    if sheet.signed_at is not None:
        raise DomainError(_l("This sheet is signed and locked."))
    if criterion.kind == CriterionKind.MEASUREMENT:
        table, key = Measurement, dict(entry_id=entry.id, criterion_id=criterion.id)
        row_filter = sa.and_(Measurement.entry_id == entry.id, Measurement.criterion_id == criterion.id)
    else:
        table, key = Score, dict(judge_id=actor.id, entry_id=entry.id, criterion_id=criterion.id)
        row_filter = sa.and_(Score.judge_id == actor.id, Score.entry_id == entry.id, Score.criterion_id == criterion.id)
    before = db.session.scalar(sa.select(table.value).where(row_filter))
    if value == before:
        return value
    if value is None:
        db.session.execute(sa.delete(table).where(row_filter))
    elif table is Measurement:
        upsert(db.session, Measurement.__table__, {**key, "value": value, "entered_by_id": actor.id,
                                                   "updated_at": utcnow()},
               ["entry_id", "criterion_id"], ["value", "entered_by_id", "updated_at"])
    else:
        upsert(db.session, Score.__table__, {**key, "value": value, "updated_at": utcnow()},
               ["judge_id", "entry_id", "criterion_id"], ["value", "updated_at"])
    standings.touch(entry.event_id)
    audit.record(actor, "score.save", ("Entry", entry.id),
                 before={"criterion": criterion.code, "value": before},
                 after={"criterion": criterion.code, "value": value, "judge_id": actor.id})
    return value


def sheet_gaps(member, stage, entries):
    """(entry, criterion) cells of this sheet that still have no mark."""
    criteria = [c for c in stage.criteria if (c.kind == CriterionKind.MEASUREMENT) == member.is_chief]
    wanted = [e for e in entries if stage_reached(e, stage) and (member.is_chief or not member.conflicts_with(e))]
    if not criteria or not wanted:
        return []
    ids = [c.id for c in criteria]
    if member.is_chief:
        done = set(db.session.execute(sa.select(Measurement.entry_id, Measurement.criterion_id).where(
            Measurement.criterion_id.in_(ids))).tuples())
    else:
        done = set(db.session.execute(sa.select(Score.entry_id, Score.criterion_id).where(
            Score.judge_id == member.user_id, Score.criterion_id.in_(ids))).tuples())
    return [(e, c) for e in wanted for c in criteria if (e.id, c.id) not in done]


def sign(actor, member, stage):
    if member.event.competition.status not in SCORING_OPEN:
        raise DomainError(_l("Scoring is not open for this competition."))
    sheet = lock_sheet(member, stage)
    if sheet.signed_at is not None:
        return sheet
    entries = db.session.scalars(sa.select(Entry).where(Entry.event_id == member.event_id)).all()
    gaps = sheet_gaps(member, stage, entries)
    if gaps:
        raise DomainError(_l("%(n)s cells are still empty; fill them before signing.", n=len(gaps)))
    sheet.signed_at = utcnow()
    db.session.flush()
    standings.touch(member.event_id)
    audit.record(actor, "sheet.sign", sheet, after={"member_id": member.id, "stage": stage.code})
    return sheet


def unlock(actor, sheet, reason):
    """The chief judge reopens one signed sheet, with a written reason."""
    chief = membership(sheet.member.event_id, actor)
    if chief is None or not chief.is_chief:
        raise DomainError(_l("Only the chief judge of this event can unlock a sheet."))
    if sheet.member.event.competition.status == S.PUBLISHED:
        raise DomainError(_l("Results are published: unpublish them before correcting scores."))
    if not (reason or "").strip():
        raise DomainError(_l("Write why the sheet is unlocked."), "reason")
    if sheet.signed_at is None:
        raise DomainError(_l("This sheet is not signed."))
    sheet = lock_sheet(sheet.member, sheet.stage)
    sheet.signed_at, sheet.unlock_reason = None, reason.strip()
    db.session.flush()
    standings.touch(sheet.member.event_id)
    audit.record(actor, "sheet.unlock", sheet, after={"member_id": sheet.member_id, "reason": reason.strip()})
    return sheet
