"""Experts score applications on the programme's criteria: one sheet per expert, signed to lock.

The rules of marks and sheets are the review layer's (`app.review`): mark
parsing, the conflict-of-interest rule, the sheet lock, signing and unlocking.
What is programme-specific lives here: marks are entered while the programme is
under review, only for applications that passed screening, and only by a
seated expert without a conflict; the panel's chief unlocks a signed sheet.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.extensions import db
from app.innovation import ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeStatus,
    ReviewScore,
    ReviewSheet,
)
from app.review import sheets as review_sheets
from app.review.conflict import conflicts
from app.review.marks import parse_mark, store_mark

CONFLICT = _l("An expert cannot score an application from their own organisation or one below it.")


def lock_sheet(seat):
    return review_sheets.lock_sheet(ReviewSheet, seat_id=seat.id)


def conflicted(seat, application):
    return conflicts(seat.user.organization, application.unit)


def _check(seat, application, criterion):
    programme = seat.programme
    if programme.status != ProgrammeStatus.REVIEWING:
        raise DomainError(_l("Expert review is not open for this programme."))
    if application.programme_id != programme.id or criterion.programme_id != programme.id:
        raise DomainError(_l("This application or criterion is not part of your programme."))
    if application.stage != ApplicationStage.ACCEPTED:
        raise DomainError(_l("This application is not in expert review."))
    if conflicted(seat, application):
        raise DomainError(CONFLICT)


def save_mark(actor, seat, application, criterion, raw):
    """Save one cell of the expert's grid; returns the stored value (None when cleared)."""
    _check(seat, application, criterion)
    value = parse_mark(raw, criterion.max_mark)
    sheet = lock_sheet(seat)
    review_sheets.require_open(sheet)
    store_mark(actor, ReviewScore.__table__,
               dict(judge_id=actor.id, application_id=application.id, criterion_id=criterion.id), value,
               subject=("Application", application.id), details={"criterion": criterion.code},
               changed=lambda: ranking.bump(application.programme_id))
    return value


def grid(seat):
    """What the expert's grid shows: applications in review, criteria, their own marks and the sheet."""
    programme = seat.programme
    applications = db.session.scalars(
        sa.select(Application).where(Application.programme_id == programme.id,
                                     Application.stage == ApplicationStage.ACCEPTED)
        .order_by(Application.number)).all()
    values = dict(((a, c), v) for a, c, v in db.session.execute(
        sa.select(ReviewScore.application_id, ReviewScore.criterion_id, ReviewScore.value)
        .join(Application, Application.id == ReviewScore.application_id)
        .where(Application.programme_id == programme.id, ReviewScore.judge_id == seat.user_id)))
    blocked = {a.id for a in applications if conflicted(seat, a)}
    sheet = db.session.scalar(sa.select(ReviewSheet).where(ReviewSheet.seat_id == seat.id))
    expected = (len(applications) - len(blocked)) * len(programme.criteria)
    filled = sum(1 for (a, _c) in values if a not in blocked)
    return {"applications": applications, "criteria": list(programme.criteria), "values": values,
            "blocked": blocked, "sheet": sheet, "filled": filled, "expected": expected}


def gaps(seat):
    data = grid(seat)
    return data["expected"] - data["filled"]


def sign(actor, seat):
    if seat.programme.status != ProgrammeStatus.REVIEWING:
        raise DomainError(_l("Expert review is not open for this programme."))
    sheet = lock_sheet(seat)
    if sheet.signed_at is not None:
        return sheet
    return review_sheets.sign(actor, sheet, gaps(seat), {"seat_id": seat.id, "programme": seat.programme.code})


def unlock(actor, sheet, reason):
    """The panel's chief (or staff) reopens an expert's signed sheet, with a written reason."""
    seat = sheet.seat
    programme = seat.programme
    if not actor.has_role("staff", "admin"):
        review_sheets.require_chief(programme.seat_of(actor), _l("Only the panel's chief can unlock a sheet."))
    if programme.status != ProgrammeStatus.REVIEWING:
        raise DomainError(_l("Sheets are unlocked only while the programme is under review."))
    sheet = lock_sheet(seat)
    return review_sheets.unlock(actor, sheet, reason, {"seat_id": seat.id})


def my_seats(user):
    return db.session.scalars(sa.select(PanelSeat).where(PanelSeat.user_id == user.id)
                              .order_by(PanelSeat.id.desc())).all()


def unsigned_count(user):
    """Programmes under review where this expert's sheet is not signed yet."""
    signed = sa.select(ReviewSheet.seat_id).where(ReviewSheet.signed_at.is_not(None))
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PanelSeat).join(Programme, Programme.id == PanelSeat.programme_id)
        .where(PanelSeat.user_id == user.id, Programme.status == ProgrammeStatus.REVIEWING,
               PanelSeat.id.not_in(signed)))


def marks_by_expert(programme_id):
    """{(application, criterion): {judge: value}} of marks that count, for the consistency report."""
    seats = ranking.load_seats(programme_id)
    applications = ranking.load_applications(programme_id)
    expected = ranking.expected_experts(applications, seats)
    marks = {}
    for application_id, criterion_id, judge_id, value in db.session.execute(
            sa.select(ReviewScore.application_id, ReviewScore.criterion_id, ReviewScore.judge_id, ReviewScore.value)
            .join(Application, Application.id == ReviewScore.application_id)
            .where(Application.programme_id == programme_id, Application.stage == ApplicationStage.ACCEPTED)):
        if judge_id in expected.get(application_id, ()):
            marks.setdefault((application_id, criterion_id), {})[judge_id] = value
    return marks, seats
