"""Expert evaluation rounds: set-up, the experts' grid (save, sign, unlock) and standings.

Built on the review layer: marks parsed with `review.marks.parse_mark` and stored
with `store_mark` under the expert's locked sheet (`review.sheets.lock_sheet`);
a sheet is signed once every cell the expert may fill is filled, and only the
round's chief (组长) or staff unlock it, with a reason. An expert never scores a
studio hosted by their own organisation or one below it (the review layer's
conflict rule): those cells are shown greyed and refused here.

Standings: each criterion is one scoring stage weighted by its weight (the
scheme of `ranking.scheme`), marks summarised in SQL with conflicts excluded,
evaluated by `app.scoring.evaluate_summaries` (trimmed mean from `trim_at`
experts) and ranked by `scoring.rank`; the final is out of 100.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app import audit, scoring
from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.innovation.models import Studio
from app.innovation.models_evaluation import (
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    EvaluationSeat,
    EvaluationSheet,
    EvaluationSubject,
    RoundKind,
    RoundStatus,
)
from app.innovation.models_reports import ReportKind, ReportStatus, StudioReport
from app.innovation.ranking import scheme
from app.review import marks as review_marks
from app.review import sheets as review_sheets
from app.review import standings as review_standings
from app.review.conflict import conflicts
from app.review.progress import Progress

# Which report a report evaluation looks at.
REPORT_OF_ROUND = {RoundKind.MIDTERM: ReportKind.MIDTERM, RoundKind.PERFORMANCE: ReportKind.FINAL}


# ---------------------------------------------------------------- set-up

def _decimal(raw, field, message):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(message, field) from None
    if not value.is_finite():
        raise DomainError(message, field)
    return value


def parse_criteria(text):
    """Lines "code | name | max | weight" → list of dicts; the weights must add up to 100."""
    rows, codes = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) != 4 or not parts[0] or not parts[1]:
            raise DomainError(_l("Line %(n)s: write code | name | maximum | weight.", n=number), "criteria")
        code, name, maximum, weight = parts
        if len(code) > 20 or len(name) > 120:
            raise DomainError(_l("Line %(n)s: the code or name is too long.", n=number), "criteria")
        if code in codes:
            raise DomainError(_l("Line %(n)s: the code %(code)s is used twice.", n=number, code=code), "criteria")
        codes.add(code)
        maximum = _decimal(maximum, "criteria", _l("Line %(n)s: the maximum must be a number.", n=number))
        weight = _decimal(weight, "criteria", _l("Line %(n)s: the weight must be a number.", n=number))
        if maximum <= 0 or maximum >= 100000 or maximum != maximum.quantize(Decimal("0.01")):
            raise DomainError(_l("Line %(n)s: the maximum must be above 0.", n=number), "criteria")
        if weight < 0 or weight > 100 or weight != weight.quantize(Decimal("0.01")):
            raise DomainError(_l("Line %(n)s: the weight is a percentage from 0 to 100.", n=number), "criteria")
        rows.append({"code": code, "name": name, "max_mark": maximum, "weight": weight})
    if not rows:
        raise DomainError(_l("Add at least one criterion."), "criteria")
    if sum(r["weight"] for r in rows) != 100:
        raise DomainError(_l("The weights add up to %(total)s; they must add up to 100.",
                             total=sum(r["weight"] for r in rows)), "criteria")
    return rows


def create_round(actor, *, name, kind, year, criteria, programme=None, trim_at=5, excellent_cap_percent=20,
                 pass_mark=60, excellent_mark=85):
    """A new round with its criteria (`criteria`: the text `parse_criteria` reads, or its rows)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the round a name."), "name")
    kind = RoundKind(kind)
    rows = parse_criteria(criteria) if isinstance(criteria, str) else criteria
    if trim_at is None or int(trim_at) < 3:
        raise DomainError(_l("Trimming starts at 3 experts or more."), "trim_at")
    cap = Decimal(excellent_cap_percent)
    if not 0 <= cap <= 100:
        raise DomainError(_l("The cap is a percentage from 0 to 100."), "excellent_cap_percent")
    pass_mark, excellent_mark = Decimal(pass_mark), Decimal(excellent_mark)
    if pass_mark < 0 or excellent_mark < pass_mark or excellent_mark > 100:
        raise DomainError(_l("The excellent mark must lie between the pass mark and 100."), "excellent_mark")
    if kind in REPORT_OF_ROUND and programme is None:
        raise DomainError(_l("Choose the programme whose reports are evaluated."), "programme_id")
    round_ = EvaluationRound(name=name, kind=kind, year=int(year), programme=programme, trim_at=int(trim_at),
                             excellent_cap_percent=cap, pass_mark=pass_mark, excellent_mark=excellent_mark)
    for position, row in enumerate(rows):
        round_.criteria.append(EvaluationCriterion(position=position, **row))
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "innovation.round.create", round_,
                 after={"name": name, "kind": kind, "year": round_.year,
                        "criteria": [f"{r['code']} {r['name']} {r['max_mark']} {r['weight']}" for r in rows]})
    return round_


def _require_open(round_):
    if round_.status != RoundStatus.OPEN:
        raise DomainError(_l("This round is closed."))


def add_seat(actor, round_, user, is_chief=False):
    _require_open(round_)
    if not user.has_role("judge", "chief_judge"):
        raise DomainError(_l("%(name)s is not an expert (judge role).", name=user.name), "user")
    if round_.seat_of(user) is not None:
        raise DomainError(_l("%(name)s is already on this round's panel.", name=user.name), "user")
    if is_chief and any(seat.is_chief for seat in round_.seats):
        raise DomainError(_l("The round already has a chief expert."), "is_chief")
    seat = EvaluationSeat(round=round_, user=user, is_chief=bool(is_chief))
    db.session.add(seat)
    db.session.flush()
    audit.record(actor, "innovation.round.seat", round_, after={"expert": user.name, "is_chief": bool(is_chief)})
    return seat


def add_subject(actor, round_, studio, report=None):
    _require_open(round_)
    if any(s.studio_id == studio.id for s in round_.subjects):
        raise DomainError(_l("%(name)s is already in this round.", name=studio.name))
    subject = EvaluationSubject(round=round_, studio=studio, report=report, unit_id=studio.host_unit_id)
    db.session.add(subject)
    db.session.flush()
    audit.record(actor, "innovation.round.subject", round_, after={"studio": studio.name})
    return subject


def add_report_subjects(actor, round_):
    """A report evaluation takes every submitted or accepted report of its kind from its programme."""
    kind = REPORT_OF_ROUND.get(round_.kind)
    if kind is None or round_.programme_id is None:
        raise DomainError(_l("This round does not evaluate reports."))
    present = {s.studio_id for s in round_.subjects}
    reports = db.session.scalars(
        sa.select(StudioReport).where(StudioReport.programme_id == round_.programme_id, StudioReport.kind == kind,
                                      StudioReport.status.in_((ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)))
        .options(joinedload(StudioReport.studio)).order_by(StudioReport.id)).all()
    added = 0
    for report in reports:
        if report.studio_id not in present:
            add_subject(actor, round_, report.studio, report)
            present.add(report.studio_id)
            added += 1
    return added


# ---------------------------------------------------------------- the expert's grid

def seat_for(round_id, user):
    """The user's seat on the round (with the round), or None."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(EvaluationSeat).where(EvaluationSeat.round_id == round_id, EvaluationSeat.user_id == user.id)
        .options(joinedload(EvaluationSeat.round), joinedload(EvaluationSeat.user).joinedload(User.organization)))


def my_seats(user):
    return db.session.scalars(
        sa.select(EvaluationSeat).where(EvaluationSeat.user_id == user.id)
        .options(joinedload(EvaluationSeat.round)).order_by(EvaluationSeat.id.desc())).all()


def may_score(seat, subject):
    """The conflict rule: never a studio of the expert's own organisation or one below it."""
    return not conflicts(seat.user.organization, subject.unit)


def grid(seat):
    """What the grid shows: subjects, criteria, this expert's marks, the greyed subjects, the sheet."""
    round_ = seat.round
    criteria = db.session.scalars(sa.select(EvaluationCriterion).where(EvaluationCriterion.round_id == round_.id)
                                  .order_by(EvaluationCriterion.position)).all()
    subjects = db.session.scalars(
        sa.select(EvaluationSubject).where(EvaluationSubject.round_id == round_.id)
        .options(joinedload(EvaluationSubject.studio), joinedload(EvaluationSubject.unit),
                 joinedload(EvaluationSubject.report))
        .order_by(EvaluationSubject.id)).all()
    values = {(s, c): v for s, c, v in db.session.execute(
        sa.select(EvaluationScore.subject_id, EvaluationScore.criterion_id, EvaluationScore.value)
        .join(EvaluationSubject, EvaluationSubject.id == EvaluationScore.subject_id)
        .where(EvaluationSubject.round_id == round_.id, EvaluationScore.judge_id == seat.user_id))}
    conflicted = {s.id for s in subjects if not may_score(seat, s)}
    sheet = db.session.scalar(sa.select(EvaluationSheet).where(EvaluationSheet.seat_id == seat.id))
    total = (len(subjects) - len(conflicted)) * len(criteria)
    filled = sum(1 for (s, _c) in values if s not in conflicted)
    return {"round": round_, "criteria": criteria, "subjects": subjects, "values": values,
            "conflicted": conflicted, "sheet": sheet, "progress": Progress(filled, total)}


def _details(seat, subject=None, criterion=None):
    details = {"round": seat.round.name}
    if subject is not None:
        details["studio"] = subject.studio.name
    if criterion is not None:
        details["criterion"] = criterion.code
    return details


def save_mark(actor, seat, subject, criterion, raw):
    """Save one typed mark (empty clears it); returns the stored value or None."""
    round_ = seat.round
    if subject.round_id != round_.id or criterion.round_id != round_.id or seat.user_id != actor.id:
        raise DomainError(_l("This cell is not on your sheet."))
    _require_open(round_)
    if not may_score(seat, subject):
        raise DomainError(_l("You cannot score a studio of your own organisation."))
    value = review_marks.parse_mark(raw, criterion.max_mark)
    sheet = review_sheets.lock_sheet(EvaluationSheet, seat_id=seat.id)
    review_sheets.require_open(sheet)
    review_marks.store_mark(actor, EvaluationScore.__table__,
                            {"judge_id": actor.id, "subject_id": subject.id, "criterion_id": criterion.id},
                            value, subject=subject, details=_details(seat, subject, criterion))
    return value


def sign(actor, seat):
    if seat.user_id != actor.id:
        raise DomainError(_l("Only the expert signs their own sheet."))
    _require_open(seat.round)
    sheet = review_sheets.lock_sheet(EvaluationSheet, seat_id=seat.id)
    data = grid(seat)
    gaps = data["progress"].expected - data["progress"].done
    return review_sheets.sign(actor, sheet, gaps, _details(seat))


def unlock(actor, sheet, reason):
    """The round's chief expert or staff reopen a signed sheet, with a reason."""
    round_ = sheet.seat.round
    _require_open(round_)
    if not actor.has_role("staff", "admin"):
        review_sheets.require_chief(round_.seat_of(actor), _l("Only the chief expert or staff unlock a sheet."))
    sheet = review_sheets.lock_sheet(EvaluationSheet, seat_id=sheet.seat_id)
    return review_sheets.unlock(actor, sheet, reason, _details(sheet.seat))


# ---------------------------------------------------------------- standings

@dataclass
class Row:
    subject: EvaluationSubject
    result: scoring.EntryResult
    rank: int | None = None
    shares_rank: bool = False
    reviews: Progress = field(default_factory=lambda: Progress(0, 0))

    @property
    def final(self):
        return self.result.final


@dataclass
class Standings:
    round: EvaluationRound
    criteria: list
    seats: list
    sheets: dict  # seat id → sheet
    rows: list  # ranked first, then incomplete

    def sheets_progress(self):
        signed = sum(1 for seat in self.seats if (s := self.sheets.get(seat.id)) is not None and s.is_signed)
        return Progress(signed, len(self.seats))

    @property
    def complete(self):
        return bool(self.rows) and all(row.result.complete for row in self.rows)


def compute(round_id):
    """The round's standings in a fixed number of queries."""
    round_ = db.session.scalars(sa.select(EvaluationRound).where(EvaluationRound.id == round_id)
                                .options(selectinload(EvaluationRound.criteria))).one_or_none()
    if round_ is None:
        return None
    criteria = list(round_.criteria)
    seats = db.session.scalars(
        sa.select(EvaluationSeat).where(EvaluationSeat.round_id == round_id)
        .options(joinedload(EvaluationSeat.user).joinedload(User.organization))).unique().all()
    subjects = db.session.scalars(
        sa.select(EvaluationSubject).where(EvaluationSubject.round_id == round_id)
        .options(joinedload(EvaluationSubject.studio).joinedload(Studio.host_unit),
                 joinedload(EvaluationSubject.unit), joinedload(EvaluationSubject.report))
        .order_by(EvaluationSubject.id)).unique().all()
    sheets = {s.seat_id: s for s in db.session.scalars(
        sa.select(EvaluationSheet).join(EvaluationSeat).where(EvaluationSeat.round_id == round_id))}
    expected = {}
    by_unit = {}
    for subject in subjects:
        if subject.unit_id not in by_unit:
            by_unit[subject.unit_id] = frozenset(
                seat.user_id for seat in seats if not conflicts(seat.user.organization, subject.unit))
        expected[subject.id] = by_unit[subject.unit_id]
    if not criteria or not subjects:
        return Standings(round_, criteria, seats, sheets, [])
    reviewer_ids = sa.select(EvaluationSeat.user_id).where(EvaluationSeat.round_id == round_id)
    unit_ids = sa.select(EvaluationSubject.unit_id).distinct().where(EvaluationSubject.round_id == round_id)
    query = (sa.select(EvaluationScore.subject_id, EvaluationScore.criterion_id,
                       *review_standings.summary_columns(EvaluationScore.value))
             .join(EvaluationSubject, EvaluationSubject.id == EvaluationScore.subject_id)
             .where(EvaluationSubject.round_id == round_id)
             .group_by(EvaluationScore.subject_id, EvaluationScore.criterion_id))
    query = review_standings.without_conflicts(query, EvaluationScore.judge_id, EvaluationSubject.unit_id,
                                               reviewer_ids, unit_ids)
    judged = review_standings.read_summaries(db.session.execute(query))
    results = scoring.evaluate_summaries(scheme(criteria), judged, {},
                                         {s.id: len(expected[s.id]) for s in subjects}, round_.trim_at)
    names = {s.id: s.studio.name for s in subjects}
    ranked = scoring.rank(results, sort_key=names.get)
    done = dict(((subject, judge), count) for subject, judge, count in db.session.execute(
        sa.select(EvaluationScore.subject_id, EvaluationScore.judge_id, sa.func.count())
        .join(EvaluationSubject, EvaluationSubject.id == EvaluationScore.subject_id)
        .where(EvaluationSubject.round_id == round_id)
        .group_by(EvaluationScore.subject_id, EvaluationScore.judge_id)))
    by_id = {s.id: s for s in subjects}
    rows = []
    for item in ranked:
        subject = by_id[item.result.entry_id]
        finished = sum(1 for judge in expected[subject.id] if done.get((subject.id, judge), 0) >= len(criteria))
        rows.append(Row(subject, item.result, rank=item.rank, shares_rank=item.shares_rank,
                        reviews=Progress(finished, len(expected[subject.id]))))
    return Standings(round_, criteria, seats, sheets, rows)


def unsigned_sheets(user):
    """Seats of this expert on open rounds whose sheet is not signed (one query)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(EvaluationSeat)
        .join(EvaluationRound, EvaluationRound.id == EvaluationSeat.round_id)
        .outerjoin(EvaluationSheet, EvaluationSheet.seat_id == EvaluationSeat.id)
        .where(EvaluationSeat.user_id == user.id, EvaluationRound.status == RoundStatus.OPEN,
               EvaluationSheet.signed_at.is_(None)))
