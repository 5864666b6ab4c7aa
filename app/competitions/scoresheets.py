"""Judges' score entry: one cell at a time, signing, and the chief judge's unlock.

The rules of marks and sheets belong to the review layer (`app.review`): mark
parsing, conflict of interest, the sheet lock, signing and unlocking. What is
competition-specific lives here, for every save:
- only a scoring judge of the event's panel saves judgement marks, only the
  chief judge saves measurements;
- never for an entry that stopped at an earlier stage;
- scoring is open only while the competition is running or results are
  provisional (closed phases: unlocked sheets only).
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.competitions import stamps
from app.competitions.models import (
    CompetitionStatus as S,
    CriterionKind,
    Entry,
    Measurement,
    PanelMember,
    Score,
    Sheet,
)
from app.errors import DomainError
from app.extensions import db
from app.review import sheets as review_sheets
from app.review.marks import parse_mark, store_mark

SCORING_OPEN = {S.RUNNING, S.SCORING_CLOSED, S.PROVISIONAL}


def membership(event_id, user):
    return db.session.scalar(
        sa.select(PanelMember).where(PanelMember.event_id == event_id, PanelMember.user_id == user.id)
    )


def require_chief(event_id, user, message):
    """The user's seat on this event's panel, which must be the chief judge's."""
    seat = membership(event_id, user)
    review_sheets.require_chief(seat, message)
    return seat


# The reasons a mark is refused, shared by the grid and the workbook import.
WRONG_SHEET = _l("Measurements are entered by the chief judge; judgement marks by the judges.")
CONFLICT = _l("A judge cannot score an entry from their own unit or a unit below it.")
NOT_REACHED = _l("This entry did not advance to this stage.")


def refusal(*, enters, conflicted, reached):
    """Why this seat may not mark this cell (None when it may): the one statement of the rule."""
    if not enters:
        return WRONG_SHEET
    if conflicted:
        return CONFLICT
    if not reached:
        return NOT_REACHED
    return None


def stopped_before(stopped_position, stage_position):
    """An entry that stopped at the stage in position `stopped_position` has no marks after it."""
    return stopped_position is not None and stage_position > stopped_position


def stage_reached(entry, stage):
    """False when the entry stopped at a stage before this one."""
    if entry.eliminated_stage_id is None:
        return True
    stopped = next(s for s in entry.event.stages if s.id == entry.eliminated_stage_id)
    return not stopped_before(stopped.position, stage.position)


def lock_sheet(member, stage):
    return review_sheets.lock_sheet(Sheet, member_id=member.id, stage_id=stage.id)


def _check_can_score(member, entry, criterion):
    event = member.event
    if event.competition.status not in SCORING_OPEN:
        raise DomainError(_l("Scoring is not open for this competition."))
    if entry.event_id != event.id or criterion.event_id != event.id:
        raise DomainError(_l("This entry or criterion is not part of your event."))
    reason = refusal(enters=member.enters(criterion), conflicted=not member.can_score(entry),
                     reached=stage_reached(entry, criterion.stage))
    if reason is not None:
        raise DomainError(reason)


def save_mark(actor, member, entry, criterion, raw):
    """Save one cell of the grid; returns the stored value (None when cleared)."""
    _check_can_score(member, entry, criterion)
    value = parse_mark(raw, criterion.max_mark)
    sheet = lock_sheet(member, criterion.stage)
    review_sheets.require_open(sheet)
    if criterion.kind == CriterionKind.MEASUREMENT:
        table, key, extra = Measurement.__table__, dict(entry_id=entry.id, criterion_id=criterion.id), \
            {"entered_by_id": actor.id}
    else:
        table, key, extra = Score.__table__, dict(judge_id=actor.id, entry_id=entry.id, criterion_id=criterion.id), {}
    store_mark(actor, table, key, value, extra=extra, subject=("Entry", entry.id),
               details={"criterion": criterion.code}, changed=lambda: stamps.marks_changed(entry.event_id))
    return value


def sheet_gaps(member, stage, entries):
    """(entry, criterion) cells of this sheet that still have no mark."""
    criteria = [c for c in stage.criteria if member.enters(c)]
    wanted = [e for e in entries if stage_reached(e, stage) and member.can_score(e)]
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
    return review_sheets.sign(actor, sheet, len(sheet_gaps(member, stage, entries)),
                              {"member_id": member.id, "stage": stage.code})


def unlock(actor, sheet, reason):
    """The chief judge reopens one signed sheet, with a written reason."""
    require_chief(sheet.member.event_id, actor, _l("Only the chief judge of this event can unlock a sheet."))
    if sheet.member.event.competition.status == S.PUBLISHED:
        raise DomainError(_l("Results are published: unpublish them before correcting scores."))
    sheet = lock_sheet(sheet.member, sheet.stage)
    return review_sheets.unlock(actor, sheet, reason, {"member_id": sheet.member_id})
