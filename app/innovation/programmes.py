"""Programmes (annual calls): settings, quotas per studio type, criteria, panel, phases, decision.

A new programme starts with the criteria its kind usually uses (staff change
them freely): designation-type calls the four criteria of the city's social-
organisation project review, achievement contests the five achievement criteria.
"""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import User, UserRole
from app.errors import DomainError
from app.extensions import db
from app.innovation import ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeCriterion,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus as S,
    ReviewScore,
    StudioType,
)

# (code, name, max, weight) — the defaults a new programme starts with.
DESIGNATION_CRITERIA = (
    ("need", "需求匹配度", 100, 25),
    ("feasible", "可行性", 100, 25),
    ("expertise", "专业性", 100, 25),
    ("novelty", "创新性", 100, 25),
)
ACHIEVEMENT_CRITERIA = (
    ("novelty", "创新性", 100, 25),
    ("practical", "实用性", 100, 15),
    ("economic", "经济效益", 100, 30),
    ("social", "社会效益", 100, 10),
    ("promotion", "推广价值", 100, 20),
)

PROGRAMME_FIELDS = ("code", "name", "year", "kind", "level", "description", "opens_at", "closes_at",
                    "total_budget", "required_attachments", "eligibility_items", "publicity_working_days",
                    "trim_at", "tie_break", "blind", "unit_quota", "midterm_report_due", "final_report_due")

# Phase changes staff may make, and what each needs.
TRANSITIONS = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.DRAFT, S.REVIEWING),
    S.REVIEWING: (S.OPEN, S.MEETING),
    S.MEETING: (S.REVIEWING,),
}


def default_criteria(kind):
    rows = ACHIEVEMENT_CRITERIA if kind == ProgrammeKind.ACHIEVEMENT else DESIGNATION_CRITERIA
    return [ProgrammeCriterion(code=code, name=name, max_mark=Decimal(maximum), weight=Decimal(weight),
                               position=index) for index, (code, name, maximum, weight) in enumerate(rows)]


def save_programme(actor, programme, **values):
    """Create (programme None) or update a programme's settings."""
    creating = programme is None
    if values.get("opens_at") and values.get("closes_at") and values["closes_at"] <= values["opens_at"]:
        raise DomainError(_l("The window must close after it opens."), "closes_at")
    if creating:
        programme = Programme(**values)
        programme.criteria = default_criteria(programme.kind)
        db.session.add(programme)
    else:
        if values.get("kind") != programme.kind and programme.status != S.DRAFT:
            raise DomainError(_l("The kind of a programme cannot change after it opens."), "kind")
        budget = values.get("total_budget")
        if budget is not None and budget < programme.committed_amount:
            raise DomainError(_l("The budget cannot be less than the %(amount)s yuan already committed to "
                                 "proposals.", amount=programme.committed_amount), "total_budget")
        before = {name: getattr(programme, name) for name in values}
        for name, value in values.items():
            setattr(programme, name, value)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("Another programme already uses this code."), "code") from None
    _check_tie_break(programme)
    audit.record(actor, "innovation.programme.save", programme,
                 after={name: values[name] for name in ("code", "name", "year", "kind", "total_budget")},
                 before=None if creating else {k: before[k] for k in ("code", "name", "year", "kind", "total_budget")})
    ranking.bump(programme.id)
    return programme


def _check_tie_break(programme):
    codes = {c.code for c in programme.criteria}
    unknown = [code for code in programme.tie_break_codes if code not in codes]
    if unknown:
        raise DomainError(_l("Unknown criterion codes in the tie-break: %(codes)s.", codes=", ".join(unknown)),
                          "tie_break")


def save_quota(actor, programme, studio_type, quota, amount):
    """Set one studio type's places and standard amount; never below the places already proposed."""
    row = next((q for q in programme.quotas if q.studio_type == studio_type), None)
    if row is not None and quota < row.proposed_count:
        raise DomainError(_l("%(n)s places of this type are already proposed; the quota cannot be smaller.",
                             n=row.proposed_count), "quota")
    if row is not None and row.proposed_count and amount != row.amount:
        raise DomainError(_l("Proposals already carry the current amount; unmark them before changing it."),
                          "amount")
    if row is None:
        row = ProgrammeQuota(studio_type=StudioType(studio_type), quota=quota, amount=amount,
                             position=len(programme.quotas))
        programme.quotas.append(row)
    else:
        row.quota, row.amount = quota, amount
    db.session.flush()
    audit.record(actor, "innovation.programme.save", programme,
                 after={"studio_type": str(studio_type), "quota": quota, "amount": amount})
    return row


def remove_quota(actor, programme, quota_row):
    if quota_row.proposed_count:
        raise DomainError(_l("Places of this type are proposed; unmark them first."))
    programme.quotas.remove(quota_row)
    db.session.flush()
    audit.record(actor, "innovation.programme.save", programme, after={"removed_quota": str(quota_row.studio_type)})


def _has_marks(programme):
    return db.session.scalar(sa.select(sa.exists().where(
        ReviewScore.criterion_id.in_(sa.select(ProgrammeCriterion.id)
                                     .where(ProgrammeCriterion.programme_id == programme.id)))))


def save_criteria(actor, programme, rows):
    """Replace the criteria with `rows` [(code, name, max, weight, description)]; weights sum to 100.

    Refused once experts have entered marks: the scheme they marked against must stay.
    """
    if _has_marks(programme):
        raise DomainError(_l("Experts have entered marks; the criteria can no longer change."))
    if not rows:
        raise DomainError(_l("Add at least one criterion."))
    codes = [code for code, *_rest in rows]
    if len(set(codes)) != len(codes):
        raise DomainError(_l("Each criterion needs its own code."))
    total = sum((Decimal(weight) for _c, _n, _m, weight, _d in rows), Decimal(0))
    if total != 100:
        raise DomainError(_l("The weights add up to %(total)s; they must add up to 100.", total=total))
    programme.criteria.clear()
    db.session.flush()
    for index, (code, name, maximum, weight, description) in enumerate(rows):
        programme.criteria.append(ProgrammeCriterion(code=code, name=name, max_mark=maximum, weight=weight,
                                                     description=description or "", position=index))
    db.session.flush()
    _check_tie_break(programme)
    audit.record(actor, "innovation.programme.save", programme,
                 after={"criteria": ", ".join(f"{code} {weight}" for code, _n, _m, weight, _d in rows)})
    ranking.bump(programme.id)


def seat_expert(actor, programme, user, is_chief=False):
    if not user.has_role("judge", "chief_judge"):
        raise DomainError(_l("Only accounts with the expert (judge) role can sit on a panel."))
    if programme.seat_of(user) is not None:
        raise DomainError(_l("%(name)s is already on the panel.", name=user.name))
    if is_chief and any(seat.is_chief for seat in programme.panel):
        raise DomainError(_l("The panel already has a chief."))
    seat = PanelSeat(user_id=user.id, is_chief=is_chief)
    programme.panel.append(seat)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("%(name)s is already on the panel.", name=user.name)) from None
    audit.record(actor, "innovation.panel.save", programme, after={"expert": user.name, "chief": is_chief})
    ranking.bump(programme.id)
    return seat


def unseat_expert(actor, programme, seat):
    marked = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore).join(
        Application, Application.id == ReviewScore.application_id).where(
        Application.programme_id == programme.id, ReviewScore.judge_id == seat.user_id))
    if marked:
        raise DomainError(_l("%(name)s has entered %(n)s marks; an expert with marks stays on the panel.",
                             name=seat.user.name, n=marked))
    programme.panel.remove(seat)
    db.session.flush()
    audit.record(actor, "innovation.panel.save", programme, after={"removed_expert": seat.user.name})
    ranking.bump(programme.id)


def experts_to_seat(programme):
    """Accounts with the expert role not yet on the panel, by name."""
    seated = sa.select(PanelSeat.user_id).where(PanelSeat.programme_id == programme.id)
    return db.session.scalars(sa.select(User).where(User.active.is_(True), User.id.not_in(seated),
                                                    User.role_rows.any(UserRole.role.in_(("judge", "chief_judge")))).order_by(User.name)).all()


def change_status(actor, programme, target):
    """Move the programme to another phase (the phases after the meeting belong to 公示)."""
    target = S(target)
    if target not in TRANSITIONS.get(programme.status, ()):
        raise DomainError(_l("The programme cannot move from this step to that one."))
    if target == S.OPEN and not programme.criteria:
        raise DomainError(_l("Add the criteria before opening the programme."))
    if target == S.OPEN and not programme.is_contest and not programme.quotas:
        raise DomainError(_l("Set the places and amounts per studio type before opening the programme."))
    if target == S.MEETING:
        if not programme.panel:
            raise DomainError(_l("Seat the expert panel first."))
        proposed = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
            Application.programme_id == programme.id, Application.proposed.is_(True)))
        if not proposed and not programme.is_contest:
            raise DomainError(_l("Mark the proposals on the ranking board first."))
    if programme.status == S.MEETING and programme.decision_document_no:
        raise DomainError(_l("The meeting's decision is recorded; the programme goes on to public notice."))
    before = programme.status
    programme.status = target
    db.session.flush()
    audit.record(actor, "innovation.programme.status", programme, before={"status": before},
                 after={"status": target})
    return programme


def record_decision(actor, programme, document_no, decided_on, note):
    """The leadership meeting (会议研究) approved the proposals: its document and date."""
    if programme.status != S.MEETING:
        raise DomainError(_l("The decision is recorded when the proposals are before the meeting."))
    document_no = (document_no or "").strip()
    if not document_no:
        raise DomainError(_l("Enter the decision's document number."), "document_no")
    programme.decision_document_no, programme.decided_on = document_no, decided_on
    programme.decision_note = (note or "").strip()
    db.session.flush()
    audit.record(actor, "innovation.programme.status", programme,
                 after={"decision_document_no": document_no, "decided_on": decided_on})
    return programme


def stage_counts(programme_id):
    """{ApplicationStage: n} for a programme (one query)."""
    rows = db.session.execute(sa.select(Application.stage, sa.func.count()).where(
        Application.programme_id == programme_id).group_by(Application.stage))
    return {ApplicationStage(stage): count for stage, count in rows}
