"""Assessment rounds (中期考核, 出师考核) on the shared review layer.

Staff create a round for a programme and kind, add agreements (final: those awaiting assessment;
mid-term: those in force) and appoint assessors. Assessors score every criterion 0–100 on the
tablet grid (`app.score_grid`), marks parsed and stored by `review.marks` under the assessor's
locked sheet (`review.sheets`), and sign. Conflict of interest: an assessor never scores an
agreement whose apprentice's or master's unit lies within the assessor's organisation (the review
layer's rule, applied to both units), nor one where the assessor is the master or the apprentice;
those cells are greyed and refused.

Scores: each criterion is one scoring stage weighted by its weight (max 100), the mean of the
assessors' marks (no trimming), evaluated by `app.scoring`; final = Σ mean × weight / 100,
Decimal, half-up to 2 places. Grades by the programme's thresholds (`Programme.grade_for`).

Closing a round records each subject's score and grade. A final round also sets the agreement's
grade and moves it awaiting_assessment → completed (优秀 / 合格) or failed (不合格) through
`agreements.transition`, and settles its stipend (`stipends.settle`).
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from flask import url_for

from app import audit, notifications, scoring
from app.accounts.models import User
from app.apprenticeship import agreements, stipends
from app.apprenticeship.models import ApprenticeProfile, Master, Programme
from app.apprenticeship.models_agreements import Agreement, AgreementGrade, AgreementStatus
from app.apprenticeship.models_assessment import (
    ASSESSMENT_KIND_LABELS,
    MAX_MARK,
    AssessmentCriterion,
    AssessmentKind,
    AssessmentRound,
    AssessmentScore,
    AssessmentSeat,
    AssessmentSheet,
    AssessmentStatus,
    AssessmentSubject,
)
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.review import marks as review_marks
from app.review import sheets as review_sheets
from app.review import standings as review_standings
from app.review.conflict import conflicts
from app.review.progress import Progress

NO_TRIM = 10**6  # the engine trims from `trim_at` marks; apprenticeship panels take the plain mean
ASSESSOR_ROLES = ("judge", "chief_judge", "mentor", "staff")

# Which agreements each kind of round assesses.
ELIGIBLE = {
    AssessmentKind.FINAL: (AgreementStatus.AWAITING_ASSESSMENT,),
    AssessmentKind.MIDTERM: (AgreementStatus.ACTIVE,),
}


def _agreement_loads():
    return (joinedload(AssessmentSubject.agreement).joinedload(Agreement.master).joinedload(Master.user),
            joinedload(AssessmentSubject.agreement).joinedload(Agreement.master).joinedload(Master.unit),
            joinedload(AssessmentSubject.agreement).joinedload(Agreement.apprentice)
            .joinedload(ApprenticeProfile.user),
            joinedload(AssessmentSubject.agreement).joinedload(Agreement.apprentice)
            .joinedload(ApprenticeProfile.unit))


# ---------------------------------------------------------------- set-up

def create_round(actor, programme, kind, name=""):
    """A round with a frozen copy of the programme's criteria (their weights must add up to 100)."""
    kind = AssessmentKind(kind)
    rows = list(programme.criteria or [])
    if not rows:
        raise DomainError(_l("The programme has no assessment criteria."))
    try:
        weights = [Decimal(str(row["weight"])) for row in rows]
    except (KeyError, ArithmeticError, ValueError):
        raise DomainError(_l("The programme's assessment criteria are not valid.")) from None
    if sum(weights) != 100:
        raise DomainError(_l("The weights of the programme's criteria add up to %(total)s, not 100.",
                             total=sum(weights)))
    name = (name or "").strip() or f"{programme.name} · {ASSESSMENT_KIND_LABELS[kind]}"
    round_ = AssessmentRound(programme=programme, kind=kind, name=name[:160])
    for position, (row, weight) in enumerate(zip(rows, weights, strict=True)):
        round_.criteria.append(AssessmentCriterion(code=str(row["code"])[:20], name=str(row["name"])[:120],
                                                   weight=weight, position=position))
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "apprenticeship.assessment.create", round_,
                 after={"name": round_.name, "kind": kind.value, "programme": programme.code})
    return round_


def _require_open(round_):
    if round_.status != AssessmentStatus.OPEN:
        raise DomainError(_l("This assessment round is closed."))


def eligible_agreements(round_):
    """Agreements of the round's programme it may take and does not hold yet (a select)."""
    taken = sa.select(AssessmentSubject.agreement_id).where(AssessmentSubject.round_id == round_.id)
    return (sa.select(Agreement).where(Agreement.programme_id == round_.programme_id,
                                       Agreement.status.in_(ELIGIBLE[round_.kind]), Agreement.id.not_in(taken))
            .options(joinedload(Agreement.master).joinedload(Master.user),
                     joinedload(Agreement.apprentice).joinedload(ApprenticeProfile.user))
            .order_by(Agreement.id))


def add_agreements(actor, round_, agreement_ids=None):
    """Add the chosen eligible agreements (all eligible ones when `agreement_ids` is None)."""
    _require_open(round_)
    query = eligible_agreements(round_)
    if agreement_ids is not None:
        query = query.where(Agreement.id.in_(list(agreement_ids)))
    added = 0
    for agreement in db.session.scalars(query).unique():
        db.session.add(AssessmentSubject(round_id=round_.id, agreement_id=agreement.id))
        added += 1
    db.session.flush()
    if added:
        audit.record(actor, "apprenticeship.assessment.subjects", round_, after={"added": added})
    return added


def add_seat(actor, round_, user, is_chief=False):
    _require_open(round_)
    if not user.has_role(*ASSESSOR_ROLES):
        raise DomainError(_l("%(name)s cannot assess (an expert, master or staff account is needed).",
                             name=user.name), "who")
    if round_.seat_of(user) is not None:
        raise DomainError(_l("%(name)s already assesses this round.", name=user.name), "who")
    if is_chief and any(seat.is_chief for seat in round_.seats):
        raise DomainError(_l("The round already has a chief assessor."), "is_chief")
    seat = AssessmentSeat(round=round_, user=user, is_chief=bool(is_chief))
    db.session.add(seat)
    db.session.flush()
    audit.record(actor, "apprenticeship.assessment.seat", round_,
                 after={"assessor": user.name, "is_chief": bool(is_chief)})
    return seat


# ---------------------------------------------------------------- conflict of interest

def conflicted(user, agreement):
    """The assessor is the master or the apprentice, or their organisation covers either unit."""
    if user.id in (agreement.master.user_id, agreement.apprentice.user_id):
        return True
    organization = user.organization
    return conflicts(organization, agreement.apprentice.unit) or conflicts(organization, agreement.master.unit)


# ---------------------------------------------------------------- the assessor's grid

def seat_for(round_id, user):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(AssessmentSeat).where(AssessmentSeat.round_id == round_id, AssessmentSeat.user_id == user.id)
        .options(joinedload(AssessmentSeat.round), joinedload(AssessmentSeat.user).joinedload(User.organization)))


def my_seats(user):
    return db.session.scalars(
        sa.select(AssessmentSeat).where(AssessmentSeat.user_id == user.id)
        .options(joinedload(AssessmentSeat.round)).order_by(AssessmentSeat.id.desc())).all()


def _criteria(round_id):
    return db.session.scalars(sa.select(AssessmentCriterion).where(AssessmentCriterion.round_id == round_id)
                              .order_by(AssessmentCriterion.position)).all()


def _subjects(round_id):
    return db.session.scalars(sa.select(AssessmentSubject).where(AssessmentSubject.round_id == round_id)
                              .options(*_agreement_loads()).order_by(AssessmentSubject.id)).unique().all()


def grid(seat):
    """Subjects, criteria, this assessor's marks, the greyed subjects and the sheet."""
    round_ = seat.round
    criteria, subjects = _criteria(round_.id), _subjects(round_.id)
    values = {(s, c): v for s, c, v in db.session.execute(
        sa.select(AssessmentScore.subject_id, AssessmentScore.criterion_id, AssessmentScore.value)
        .join(AssessmentSubject, AssessmentSubject.id == AssessmentScore.subject_id)
        .where(AssessmentSubject.round_id == round_.id, AssessmentScore.judge_id == seat.user_id))}
    blocked = {s.id for s in subjects if conflicted(seat.user, s.agreement)}
    sheet = db.session.scalar(sa.select(AssessmentSheet).where(AssessmentSheet.seat_id == seat.id))
    total = (len(subjects) - len(blocked)) * len(criteria)
    filled = sum(1 for (s, _c) in values if s not in blocked)
    return {"round": round_, "criteria": criteria, "subjects": subjects, "values": values,
            "conflicted": blocked, "sheet": sheet, "progress": Progress(filled, total)}


def _details(seat, subject=None, criterion=None):
    details = {"round": seat.round.name}
    if subject is not None:
        details["agreement"] = subject.agreement_id
    if criterion is not None:
        details["criterion"] = criterion.code
    return details


def save_mark(actor, seat, subject, criterion, raw):
    """Save one typed mark 0–100 (empty clears it); returns the stored value or None."""
    round_ = seat.round
    if subject.round_id != round_.id or criterion.round_id != round_.id or seat.user_id != actor.id:
        raise DomainError(_l("This cell is not on your sheet."))
    _require_open(round_)
    if conflicted(seat.user, subject.agreement):
        raise DomainError(_l("Conflict of interest: you cannot assess this pair."))
    value = review_marks.parse_mark(raw, MAX_MARK)
    sheet = review_sheets.lock_sheet(AssessmentSheet, seat_id=seat.id)
    review_sheets.require_open(sheet)
    review_marks.store_mark(actor, AssessmentScore.__table__,
                            {"judge_id": actor.id, "subject_id": subject.id, "criterion_id": criterion.id},
                            value, subject=subject, details=_details(seat, subject, criterion))
    return value


def sign(actor, seat):
    if seat.user_id != actor.id:
        raise DomainError(_l("Only the assessor signs their own sheet."))
    _require_open(seat.round)
    sheet = review_sheets.lock_sheet(AssessmentSheet, seat_id=seat.id)
    data = grid(seat)
    gaps = data["progress"].expected - data["progress"].done
    return review_sheets.sign(actor, sheet, gaps, _details(seat))


def unlock(actor, sheet, reason):
    """The round's chief assessor or staff reopen a signed sheet, with a reason."""
    round_ = sheet.seat.round
    _require_open(round_)
    if not actor.has_role("staff", "admin"):
        review_sheets.require_chief(round_.seat_of(actor), _l("Only the chief assessor or staff unlock a sheet."))
    sheet = review_sheets.lock_sheet(AssessmentSheet, seat_id=sheet.seat_id)
    return review_sheets.unlock(actor, sheet, reason, _details(sheet.seat))


# ---------------------------------------------------------------- standings

@dataclass
class Row:
    subject: AssessmentSubject
    result: scoring.EntryResult
    reviews: Progress = field(default_factory=lambda: Progress(0, 0))
    grade: str | None = None

    @property
    def final(self):
        return self.result.final


@dataclass
class Standings:
    round: AssessmentRound
    criteria: list
    seats: list
    sheets: dict  # seat id → sheet
    rows: list
    marks: dict  # (subject id, criterion id) → {assessor user id: mark}

    def sheets_progress(self):
        signed = sum(1 for seat in self.seats if (s := self.sheets.get(seat.id)) is not None and s.is_signed)
        return Progress(signed, len(self.seats))

    @property
    def complete(self):
        return bool(self.rows) and all(row.result.complete for row in self.rows)

    def consistency(self):
        return review_standings.consistency(self.marks, {c.id: MAX_MARK for c in self.criteria})


def scheme(criteria):
    """One stage per criterion, weighted by its weight, each out of 100: final = Σ mark × weight / 100."""
    return [scoring.Stage(code=c.code, weight=Decimal(c.weight),
                          criteria=(scoring.Criterion(id=c.id, max_mark=MAX_MARK),)) for c in criteria]


def compute(round_id):
    """The round's scores and grades so far, in a fixed number of queries."""
    round_ = db.session.scalar(sa.select(AssessmentRound).where(AssessmentRound.id == round_id)
                               .options(joinedload(AssessmentRound.programme)))
    if round_ is None:
        return None
    criteria = _criteria(round_id)
    seats = db.session.scalars(
        sa.select(AssessmentSeat).where(AssessmentSeat.round_id == round_id)
        .options(joinedload(AssessmentSeat.user).joinedload(User.organization))
        .order_by(AssessmentSeat.id)).unique().all()
    subjects = _subjects(round_id)
    sheets = {s.seat_id: s for s in db.session.scalars(
        sa.select(AssessmentSheet).join(AssessmentSeat).where(AssessmentSeat.round_id == round_id))}
    expected = {s.id: frozenset(seat.user_id for seat in seats if not conflicted(seat.user, s.agreement))
                for s in subjects}
    marks, scores = {}, []
    for subject_id, criterion_id, judge_id, value in db.session.execute(
            sa.select(AssessmentScore.subject_id, AssessmentScore.criterion_id, AssessmentScore.judge_id,
                      AssessmentScore.value)
            .join(AssessmentSubject, AssessmentSubject.id == AssessmentScore.subject_id)
            .where(AssessmentSubject.round_id == round_id)):
        if judge_id not in expected.get(subject_id, ()):
            continue  # a mark from an assessor in conflict (or no longer seated) never counts
        marks.setdefault((subject_id, criterion_id), {})[judge_id] = value
        scores.append(scoring.Score(subject_id, criterion_id, judge_id, value))
    rows = []
    if criteria and subjects:
        results = scoring.evaluate(scheme(criteria), scores, {s.id: expected[s.id] for s in subjects}, NO_TRIM)
        done = {}
        for (subject_id, _criterion), by_judge in marks.items():
            for judge in by_judge:
                done[(subject_id, judge)] = done.get((subject_id, judge), 0) + 1
        for subject, result in zip(subjects, results, strict=True):
            finished = sum(1 for judge in expected[subject.id] if done.get((subject.id, judge), 0) >= len(criteria))
            grade = round_.programme.grade_for(result.final) if result.complete and expected[subject.id] else None
            rows.append(Row(subject, result, Progress(finished, len(expected[subject.id])), grade))
    return Standings(round_, criteria, seats, sheets, rows, marks)


# ---------------------------------------------------------------- closing

def close(actor, round_):
    """Record every subject's score and grade; a final round completes or fails each agreement and
    settles its stipend. Every sheet must be signed and every subject fully scored."""
    _require_open(round_)
    round_ = db.session.scalar(sa.select(AssessmentRound).where(AssessmentRound.id == round_.id)
                               .with_for_update())
    standings = compute(round_.id)
    if not standings.rows:
        raise DomainError(_l("The round has no agreements to assess."))
    progress = standings.sheets_progress()
    if not progress.complete:
        raise DomainError(_l("Only %(p)s sheets are signed; every assessor signs before the round closes.",
                             p=str(progress)))
    if not standings.complete or any(row.reviews.expected == 0 for row in standings.rows):
        raise DomainError(_l("Some agreements are not fully scored (or have no assessor without a conflict)."))
    moved = db.session.execute(
        sa.update(AssessmentRound).where(AssessmentRound.id == round_.id,
                                         AssessmentRound.status == AssessmentStatus.OPEN)
        .values(status=AssessmentStatus.CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else closed this round a moment ago. Reload the page."))
    round_.status = AssessmentStatus.CLOSED
    for row in standings.rows:
        subject, grade = row.subject, AgreementGrade(row.grade)
        subject.score, subject.grade = row.final, grade
        if round_.is_final:
            agreement = subject.agreement
            to = AgreementStatus.FAILED if grade == AgreementGrade.FAIL else AgreementStatus.COMPLETED
            agreement.grade = grade
            agreements.transition(actor, agreement, to, reason=f"{round_.name}: {row.final}")
            stipends.settle(actor, agreement)
    db.session.flush()
    audit.record(actor, "apprenticeship.assessment.close", round_,
                 after={"grades": {str(row.subject.agreement_id): row.grade for row in standings.rows}})
    return standings


# ---------------------------------------------------------------- who sees which result

def results_of(user):
    """Closed-round results of agreements where `user` is the master or the apprentice: their own only."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(
        sa.select(AssessmentSubject)
        .join(AssessmentRound, AssessmentRound.id == AssessmentSubject.round_id)
        .join(Agreement, Agreement.id == AssessmentSubject.agreement_id)
        .join(Master, Master.id == Agreement.master_id)
        .join(ApprenticeProfile, ApprenticeProfile.id == Agreement.apprentice_id)
        .where(AssessmentRound.status == AssessmentStatus.CLOSED,
               sa.or_(Master.user_id == user.id, ApprenticeProfile.user_id == user.id))
        .options(joinedload(AssessmentSubject.round), *_agreement_loads())
        .order_by(AssessmentSubject.id.desc())).unique().all()


def failed_subjects(round_):
    """Subjects of a closed final round whose agreement failed: staff may change the master or renew."""
    if not round_.is_final or round_.is_open:
        return []
    return [s for s in _subjects(round_.id) if s.grade == AgreementGrade.FAIL]


def renew_failed(actor, agreement, master=None):
    """The remedy after a failed final: a one-year renewal, with the same or another master."""
    if agreement.status != AgreementStatus.FAILED:
        raise DomainError(_l("Only a failed agreement is renewed this way."))
    return agreements.renew(actor, agreement, 12, master=master)


def programmes():
    return db.session.scalars(sa.select(Programme).order_by(Programme.id.desc())).all()


def unsigned_sheets(user):
    """Seats of this assessor on open rounds whose sheet is not signed (one query)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AssessmentSeat)
        .join(AssessmentRound, AssessmentRound.id == AssessmentSeat.round_id)
        .outerjoin(AssessmentSheet, AssessmentSheet.seat_id == AssessmentSeat.id)
        .where(AssessmentSeat.user_id == user.id, AssessmentRound.status == AssessmentStatus.OPEN,
               AssessmentSheet.signed_at.is_(None)))


@notifications.todos
def assessment_todo_counts(user):
    """An assessor's sheets still to sign, on the home page's to-do list."""
    if not user.has_role(*ASSESSOR_ROLES):
        return []
    return [notifications.Todo(_l("Assessment sheets to sign"), unsigned_sheets(user),
                               url_for("apprenticeship.my_assessing"))]
