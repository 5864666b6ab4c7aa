"""The annual assessment of studios (年度考核) and rectification (限期整改 → 复查 → 摘牌).

Staff open an annual round for a year with every studio that is active or
rectifying; each leader fills a self-assessment pre-filled from the platform's
own data; experts score on the round's grid (app.innovation.evaluation). Grades
from the evaluated finals:

- 不合格 (fail) below the round's pass mark;
- 优秀 (excellent) for finals ≥ the excellent mark, at most
  cap = floor(cap % × studios assessed), best first; when the studios at the
  cap's final do not all fit, they are flagged as tied and staff choose;
- 合格 (pass) for everyone else.

Staff confirm the grades (audited, closes the round). A failed studio is put
into rectification: tasks, a deadline and a public note; after the deadline
staff record the re-check: passed → active, failed → revoked (摘牌): every
designation gets `withdrawn_on` and the note becomes the public revocation note.
The local rule "no results within a year → rectification" is the staff list
`without_results`.
"""
import math
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import audit, studio_facts
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import evaluation
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    Designation,
    Programme,
    ProgrammeKind,
    Studio,
    StudioStatus,
)
from app.innovation.models_evaluation import (
    EvaluationRound,
    EvaluationSubject,
    Grade,
    Rectification,
    RectificationOutcome,
    RoundKind,
    RoundStatus,
)
from app.innovation.models_reports import ReportStatus, StudioReport

ASSESSED_STATUSES = (StudioStatus.ACTIVE, StudioStatus.RECTIFYING)
RESULTS_WINDOW_DAYS = 365  # "within a year"


def create_annual_round(actor, *, name, year, criteria, **settings):
    """An annual round with every active or rectifying studio as a subject."""
    round_ = evaluation.create_round(actor, name=name, kind=RoundKind.ANNUAL, year=year, criteria=criteria,
                                     **settings)
    studios = db.session.scalars(sa.select(Studio).where(Studio.status.in_(ASSESSED_STATUSES))
                                 .order_by(Studio.name)).all()
    for studio in studios:
        evaluation.add_subject(actor, round_, studio)
    return round_


# ---------------------------------------------------------------- self-assessment

def platform_facts(studio, year):
    """What the platform knows of the studio's year: awards, grants, accepted reports, other modules' facts."""
    in_year = sa.extract("year", Programme.decided_on) == year
    awarded = db.session.scalars(
        sa.select(Application.title).join(Programme, Programme.id == Application.programme_id)
        .where(Application.studio_id == studio.id, Application.outcome == ApplicationOutcome.APPROVED,
               Programme.kind == ProgrammeKind.ACHIEVEMENT, sa.or_(in_year, Programme.year == year))
        .order_by(Application.number)).all()
    grants = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Application.proposed_amount), 0))
        .join(Programme, Programme.id == Application.programme_id)
        .where(Application.studio_id == studio.id, Application.outcome == ApplicationOutcome.APPROVED,
               Programme.kind != ProgrammeKind.ACHIEVEMENT, Application.proposed_amount.is_not(None),
               Programme.year == year)).one()
    results = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(StudioReport.patents), 0),
                  sa.func.coalesce(sa.func.sum(StudioReport.projects), 0),
                  sa.func.coalesce(sa.func.sum(StudioReport.benefit_yuan), 0))
        .where(StudioReport.studio_id == studio.id, StudioReport.status == ReportStatus.ACCEPTED,
               sa.extract("year", StudioReport.due_on) == year)).one()
    ref = studio_facts.StudioRef(
        studio_id=studio.id, host_unit_id=studio.host_unit_id,
        host_unit_path=studio.host_unit.path if studio.host_unit else None,
        member_user_ids=tuple(m.user_id for m in studio.current_members if m.user_id), year=year)
    facts = {
        "awarded_achievements": len(awarded),
        "awarded_titles": list(awarded),
        "funded_grants": int(grants[0]),
        "funded_amount": str(Decimal(grants[1]).quantize(Decimal("0.01"))),
        "patents": int(results[0]),
        "projects": int(results[1]),
        "benefit_yuan": str(Decimal(results[2]).quantize(Decimal("0.01"))),
    }
    for name, value in studio_facts.collect(ref).items():
        facts[name] = value if isinstance(value, int) else str(value)
    return facts


def self_assessment(subject):
    """The form's starting values: what the leader saved, else the platform's facts."""
    saved = subject.self_assessment or {}
    return {"facts": saved.get("facts") or platform_facts(subject.studio, subject.round.year),
            "summary": saved.get("summary", "")}


def save_self_assessment(actor, subject, summary, submit=False):
    if not subject.studio.is_led_by(actor):
        raise DomainError(_l("Only the studio's leader fills its self-assessment."))
    if subject.round.kind != RoundKind.ANNUAL or subject.round.status != RoundStatus.OPEN:
        raise DomainError(_l("This assessment is closed."))
    if subject.self_submitted_at is not None:
        raise DomainError(_l("The self-assessment is already submitted."))
    summary = (summary or "").strip()
    if submit and len(summary) < 10:
        raise DomainError(_l("Describe the studio's year in a few sentences."), "summary")
    facts = platform_facts(subject.studio, subject.round.year)
    subject.self_assessment = {"facts": facts, "summary": summary}
    if submit:
        subject.self_submitted_at = utcnow()
    db.session.flush()
    audit.record(actor, "innovation.assessment.self", subject.studio,
                 after={"round": subject.round.name, "submitted": bool(submit)})
    return subject


# ---------------------------------------------------------------- grades

def excellent_cap(round_, assessed):
    return math.floor(Decimal(round_.excellent_cap_percent) * assessed / 100)


def propose_grades(actor, round_):
    """Grade every subject from the standings; flag ties at the 优秀 cap. Needs complete standings."""
    if round_.kind != RoundKind.ANNUAL:
        raise DomainError(_l("Grades belong to the annual assessment."))
    if round_.status != RoundStatus.OPEN:
        raise DomainError(_l("This round is closed."))
    standings = evaluation.compute(round_.id)
    if not standings.complete:
        raise DomainError(_l("Some studios are not fully scored yet."))
    rows = standings.rows
    cap = excellent_cap(round_, len(rows))
    candidates = sorted((r for r in rows if r.final >= round_.excellent_mark), key=lambda r: -r.final)
    excellent, tied = set(), set()
    if len(candidates) <= cap:
        excellent = {r.subject.id for r in candidates}
    elif cap > 0:
        cut = candidates[cap - 1].final
        excellent = {r.subject.id for r in candidates if r.final > cut}
        at_cut = {r.subject.id for r in candidates if r.final == cut}
        if len(excellent) + len(at_cut) <= cap:
            excellent |= at_cut
        else:
            tied = at_cut
    for row in rows:
        subject = row.subject
        subject.final_score = row.final
        subject.tied_at_cap = subject.id in tied
        if row.final < round_.pass_mark:
            subject.proposed_grade = Grade.FAIL
        elif subject.id in excellent:
            subject.proposed_grade = Grade.EXCELLENT
        elif subject.id in tied:
            subject.proposed_grade = None  # staff choose
        else:
            subject.proposed_grade = Grade.PASS
    db.session.flush()
    audit.record(actor, "innovation.assessment.propose", round_,
                 after={"cap": cap, "excellent": len(excellent), "tied": len(tied)})
    return {"cap": cap, "excellent": excellent, "tied": tied}


def places_left(round_):
    """How many tied studios staff may still grade 优秀."""
    subjects = round_.subjects
    taken = sum(1 for s in subjects if s.proposed_grade == Grade.EXCELLENT)
    return max(excellent_cap(round_, len(subjects)) - taken, 0)


def confirm_grades(actor, round_, tied_excellent_ids=()):
    """Staff confirm the proposed grades; among studios tied at the cap, those chosen get 优秀."""
    if round_.kind != RoundKind.ANNUAL or round_.status != RoundStatus.OPEN:
        raise DomainError(_l("This round is closed."))
    subjects = round_.subjects
    if not subjects or any(s.proposed_grade is None and not s.tied_at_cap for s in subjects):
        raise DomainError(_l("Propose the grades first."))
    tied = {s.id for s in subjects if s.tied_at_cap}
    chosen = {int(i) for i in tied_excellent_ids}
    if not chosen <= tied:
        raise DomainError(_l("Only studios tied at the cap can be chosen."), "tied")
    left = places_left(round_)
    if tied and len(chosen) != left:
        raise DomainError(_l("Choose exactly %(n)s of the tied studios for 优秀.", n=left), "tied")
    for subject in subjects:
        if subject.tied_at_cap:
            subject.grade = Grade.EXCELLENT if subject.id in chosen else Grade.PASS
        else:
            subject.grade = subject.proposed_grade
        audit.record(actor, "innovation.assessment.grade", subject.studio,
                     after={"round": round_.name, "grade": subject.grade, "final": subject.final_score})
    round_.status, round_.grades_confirmed_at = RoundStatus.CLOSED, utcnow()
    db.session.flush()
    audit.record(actor, "innovation.assessment.confirm", round_, after={"status": round_.status})
    return round_


# ---------------------------------------------------------------- rectification

def open_rectification(studio):
    return db.session.scalar(sa.select(Rectification).where(Rectification.studio_id == studio.id,
                                                            Rectification.outcome.is_(None)))


def start_rectification(actor, studio, *, reason, tasks, deadline, subject=None, today=None):
    """限期整改: the studio goes to `rectifying` with tasks, a deadline and a public note."""
    if studio.status != StudioStatus.ACTIVE:
        raise DomainError(_l("Only an active studio can be put into rectification."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write the reason; it is shown publicly."), "reason")
    task_lines = [line.strip() for line in (tasks or "").splitlines() if line.strip()]
    if not task_lines:
        raise DomainError(_l("List the rectification tasks, one per line."), "tasks")
    if deadline is None or deadline <= (today or date.today()):
        raise DomainError(_l("The deadline must be a future date."), "deadline")
    rectification = Rectification(studio=studio, subject_id=subject.id if subject else None, reason=reason,
                                  tasks="\n".join(task_lines), deadline=deadline, started_by_id=actor.id)
    db.session.add(rectification)
    before = {"status": studio.status, "status_note": studio.status_note}
    studio.status, studio.status_note, studio.rectify_deadline = StudioStatus.RECTIFYING, reason, deadline
    db.session.flush()
    audit.record(actor, "innovation.studio.rectify", studio, before=before,
                 after={"status": studio.status, "status_note": reason, "rectify_deadline": deadline,
                        "tasks": task_lines})
    return rectification


def recheck(actor, rectification, *, passed, note, today=None):
    """复查 after the deadline: passed → active; failed → revoked with the public note, designations withdrawn."""
    today = today or date.today()
    if not rectification.is_open:
        raise DomainError(_l("This rectification is already re-checked."))
    if today < rectification.deadline:
        raise DomainError(_l("The re-check comes after the deadline (%(date)s).",
                             date=rectification.deadline.isoformat()))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Write the re-check's conclusion."), "note")
    studio = rectification.studio
    before = {"status": studio.status, "status_note": studio.status_note}
    rectification.recheck_note, rectification.rechecked_by_id, rectification.rechecked_at = note, actor.id, utcnow()
    if passed:
        rectification.outcome = RectificationOutcome.PASSED
        studio.status, studio.status_note, studio.rectify_deadline = StudioStatus.ACTIVE, "", None
        withdrawn = 0
    else:
        rectification.outcome = RectificationOutcome.FAILED
        studio.status, studio.status_note, studio.rectify_deadline = StudioStatus.REVOKED, note, None
        withdrawn = db.session.execute(
            sa.update(Designation).where(Designation.studio_id == studio.id, Designation.withdrawn_on.is_(None))
            .values(withdrawn_on=today).execution_options(synchronize_session="fetch")).rowcount
    db.session.flush()
    audit.record(actor, "innovation.studio.recheck", studio, before=before,
                 after={"status": studio.status, "status_note": studio.status_note, "note": note,
                        "designations_withdrawn": withdrawn})
    return rectification


def without_results(today=None):
    """Active studios with no accepted report and no awarded achievement in the last 12 months
    (studios founded within that year are not yet due)."""
    today = today or date.today()
    since = today - timedelta(days=RESULTS_WINDOW_DAYS)
    since_at = datetime.combine(since, time.min, tzinfo=timezone.utc)
    accepted = (sa.select(StudioReport.id).where(StudioReport.studio_id == Studio.id,
                                                 StudioReport.status == ReportStatus.ACCEPTED,
                                                 StudioReport.accepted_at >= since_at).exists())
    awarded = (sa.select(Application.id).join(Programme, Programme.id == Application.programme_id)
               .where(Application.studio_id == Studio.id, Application.outcome == ApplicationOutcome.APPROVED,
                      Programme.kind == ProgrammeKind.ACHIEVEMENT, Programme.decided_on >= since).exists())
    return (sa.select(Studio).where(Studio.status == StudioStatus.ACTIVE, ~accepted, ~awarded,
                                    sa.or_(Studio.founded_on.is_(None), Studio.founded_on <= since))
            .order_by(Studio.name))


def open_self_assessments(leader):
    """The leader's studios in open annual rounds: (subject with its round) to fill."""
    return db.session.scalars(
        sa.select(EvaluationSubject).join(EvaluationRound, EvaluationRound.id == EvaluationSubject.round_id)
        .join(Studio, Studio.id == EvaluationSubject.studio_id)
        .where(Studio.leader_id == leader.id, EvaluationRound.kind == RoundKind.ANNUAL,
               EvaluationRound.status == RoundStatus.OPEN)
        .options(joinedload(EvaluationSubject.round), joinedload(EvaluationSubject.studio))
        .order_by(EvaluationRound.year.desc())).all()
