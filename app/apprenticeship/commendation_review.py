"""Expert review of a commendation cycle on the review layer: seats, one grid per expert, marks,
signing (locks the sheet), unlocking by the chief or staff, and the panel's consistency.

The rules of marks, sheets and conflicts are `app.review`'s: an expert never scores a nomination
from their own organisation or one below it.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.models import User
from app.apprenticeship.commendation import can_manage, nominations
from app.apprenticeship.models_commendation import (
    CommendationCriterion,
    CommendationCycle,
    CommendationScore,
    CommendationSeat,
    CommendationSheet,
    CycleStage,
    Nomination,
    NominationStatus,
)
from app.errors import DomainError
from app.extensions import db
from app.review import sheets as review_sheets
from app.review import standings as review_standings
from app.review.conflict import conflicts
from app.review.marks import parse_mark, store_mark

CONFLICT = _l("An expert cannot score a nomination from their own organisation or one below it.")
EXPERT_ROLES = ("judge", "chief_judge")


def add_seat(actor, cycle, user, is_chief=False):
    if not can_manage(actor, cycle):
        raise DomainError(_l("Only staff running this programme seat its experts."))
    if cycle.stage == CycleStage.PUBLISHED:
        raise DomainError(_l("The results are published."))
    if user is None or not user.has_role(*EXPERT_ROLES):
        raise DomainError(_l("Choose a user with the judge or chief judge role."), "username")
    seat = CommendationSeat(cycle_id=cycle.id, user_id=user.id, is_chief=bool(is_chief))
    db.session.add(seat)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This expert is already on the panel."), "username") from None
    audit.record(actor, "apprenticeship.commendation.seat", seat,
                 after={"cycle": cycle.code, "user": user.username, "chief": seat.is_chief})
    return seat


def seat_of(cycle, user):
    return db.session.scalar(sa.select(CommendationSeat).where(CommendationSeat.cycle_id == cycle.id,
                                                               CommendationSeat.user_id == user.id))


def my_seats(user):
    return db.session.scalars(sa.select(CommendationSeat).where(CommendationSeat.user_id == user.id)
                              .options(joinedload(CommendationSeat.cycle).joinedload(CommendationCycle.programme))
                              .order_by(CommendationSeat.id.desc())).all()


def lock_sheet(seat):
    return review_sheets.lock_sheet(CommendationSheet, seat_id=seat.id)


def conflicted(seat, nomination):
    return conflicts(seat.user.organization, nomination.unit)


def save_mark(actor, seat, nomination, criterion, raw):
    """One cell of the expert's grid; returns the stored value (None when cleared)."""
    cycle = seat.cycle
    if seat.user_id != actor.id:
        raise DomainError(_l("This is not your seat."))
    if cycle.stage != CycleStage.REVIEWING:
        raise DomainError(_l("Expert review is not open for this cycle."))
    if nomination.cycle_id != cycle.id or criterion.cycle_id != cycle.id:
        raise DomainError(_l("This nomination or criterion is not part of your cycle."))
    if nomination.status != NominationStatus.ACCEPTED:
        raise DomainError(_l("This nomination is not in expert review."))
    if conflicted(seat, nomination):
        raise DomainError(CONFLICT)
    value = parse_mark(raw, criterion.max_mark)
    sheet = lock_sheet(seat)
    review_sheets.require_open(sheet)
    store_mark(actor, CommendationScore.__table__,
               dict(judge_id=actor.id, nomination_id=nomination.id, criterion_id=criterion.id), value,
               subject=("Nomination", nomination.id), details={"criterion": criterion.code})
    return value


def grid(seat):
    """The expert's grid: accepted nominations, criteria, their own marks, the sheet and the progress."""
    cycle = seat.cycle
    rows = nominations(cycle, statuses=[NominationStatus.ACCEPTED])
    values = {(n, c): v for n, c, v in db.session.execute(
        sa.select(CommendationScore.nomination_id, CommendationScore.criterion_id, CommendationScore.value)
        .join(Nomination, Nomination.id == CommendationScore.nomination_id)
        .where(Nomination.cycle_id == cycle.id, CommendationScore.judge_id == seat.user_id))}
    blocked = {n.id for n in rows if conflicted(seat, n)}
    sheet = db.session.scalar(sa.select(CommendationSheet).where(CommendationSheet.seat_id == seat.id))
    criteria = list(cycle.criteria)
    expected = (len(rows) - len(blocked)) * len(criteria)
    filled = sum(1 for (n, _c) in values if n not in blocked and n in {r.id for r in rows})
    return {"nominations": rows, "criteria": criteria, "values": values, "blocked": blocked, "sheet": sheet,
            "filled": filled, "expected": expected}


def sign(actor, seat):
    if seat.cycle.stage != CycleStage.REVIEWING:
        raise DomainError(_l("Expert review is not open for this cycle."))
    sheet = lock_sheet(seat)
    if sheet.signed_at is not None:
        return sheet
    data = grid(seat)
    return review_sheets.sign(actor, sheet, data["expected"] - data["filled"],
                              {"seat_id": seat.id, "cycle": seat.cycle.code})


def unlock(actor, sheet, reason):
    """The panel's chief (or staff running the programme) reopens a signed sheet, with a reason."""
    seat = sheet.seat
    cycle = seat.cycle
    if not can_manage(actor, cycle):
        review_sheets.require_chief(seat_of(cycle, actor), _l("Only the panel's chief can unlock a sheet."))
    if cycle.stage != CycleStage.REVIEWING:
        raise DomainError(_l("Sheets are unlocked only during the expert review."))
    sheet = lock_sheet(seat)
    return review_sheets.unlock(actor, sheet, reason, {"seat_id": seat.id})


def sheets(cycle):
    """{seat id: sheet} of the cycle's panel."""
    return {s.seat_id: s for s in db.session.scalars(
        sa.select(CommendationSheet).join(CommendationSeat).where(CommendationSeat.cycle_id == cycle.id))}


def consistency(cycle, seats):
    """The panel's consistency report over the marks that count."""
    accepted = nominations(cycle, statuses=[NominationStatus.ACCEPTED])
    by_id = {n.id: n for n in accepted}
    allowed = {n.id: {s.user_id for s in seats if not conflicts(s.user.organization, n.unit)} for n in accepted}
    marks = {}
    for n, c, j, v in db.session.execute(
            sa.select(CommendationScore.nomination_id, CommendationScore.criterion_id, CommendationScore.judge_id,
                      CommendationScore.value).where(CommendationScore.nomination_id.in_(list(by_id)))):
        if j in allowed.get(n, ()):
            marks.setdefault((n, c), {})[j] = v
    criteria = {c.id: c for c in cycle.criteria}
    report = review_standings.consistency(marks, {c.id: c.max_mark for c in criteria.values()})
    return report, criteria, {n.id: n.label for n in accepted}


def find_user(username):
    return db.session.scalar(sa.select(User).where(User.username == (username or "").strip()))


def criterion(cycle, criterion_id):
    found = db.session.get(CommendationCriterion, criterion_id)
    return found if found is not None and found.cycle_id == cycle.id else None


def unsigned_count(user):
    """Cycles in expert review where this expert's sheet is not signed yet."""
    signed = sa.select(CommendationSheet.seat_id).where(CommendationSheet.signed_at.is_not(None))
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(CommendationSeat)
        .join(CommendationCycle, CommendationCycle.id == CommendationSeat.cycle_id)
        .where(CommendationSeat.user_id == user.id, CommendationCycle.stage == CycleStage.REVIEWING,
               CommendationSeat.id.not_in(signed)))
