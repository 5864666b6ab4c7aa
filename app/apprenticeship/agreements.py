"""The agreement's life: created from an accepted pair, moved only along `TRANSITIONS`.

Every other service (signing, logs, assessments, dissolution) changes an agreement's state through
`transition()`, so the allowed moves live here and nowhere else.
"""
import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.coverage import covered_path, covers_unit
from app.accounts.models import Organization
from app.apprenticeship.models import ApprenticeProfile, Master, PairStatus
from app.apprenticeship.models_agreements import (
    LIVE_STATUSES,
    MAX_MONTHS,
    MIN_MONTHS,
    OBJECTION_DAYS,
    Agreement,
    AgreementGoal,
    AgreementStatus as S,
    GoalKind,
)
from app.errors import DomainError
from app.extensions import db

TRANSITIONS = {
    S.PROPOSED: {S.AWAITING_SIGNATURES, S.CANCELLED},
    S.AWAITING_SIGNATURES: {S.ACTIVE, S.PROPOSED, S.CANCELLED},
    S.ACTIVE: {S.AWAITING_ASSESSMENT, S.OBJECTED, S.DISSOLVED},
    S.AWAITING_ASSESSMENT: {S.COMPLETED, S.FAILED, S.DISSOLVED},
    S.COMPLETED: set(),
    S.FAILED: set(),
    S.OBJECTED: set(),
    S.DISSOLVED: set(),
    S.CANCELLED: set(),
}


def can_move(agreement, to):
    return to in TRANSITIONS[agreement.status]


def transition(actor, agreement, to, reason=""):
    """Move `agreement` to state `to`, guarded by its current state in the UPDATE itself, so two
    people acting at once cannot both move it. Flushes; raises DomainError when not allowed."""
    before = agreement.status
    if not can_move(agreement, to):
        raise DomainError(_l("This agreement cannot move from this state to that one."))
    moved = db.session.execute(
        sa.update(Agreement).where(Agreement.id == agreement.id, Agreement.status == before)
        .values(status=to).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else changed this agreement a moment ago. Reload the page."))
    agreement.status = to
    db.session.flush()
    audit.record(actor, "apprenticeship.agreement.state", agreement,
                 before={"status": before.value}, after={"status": to.value, "reason": reason or None})
    return agreement


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def create_from_pair(actor, pair, starts_on=None, months=None, renewed_from=None):
    """A draft agreement (state proposed) for an accepted pair, with the programme's duration and
    stipend. Refused when the apprentice already holds a live agreement."""
    programme = pair.programme
    starts_on = starts_on or programme.starts_on or date.today()
    months = months or programme.default_months
    agreement = Agreement(programme_id=pair.programme_id, pair_id=pair.id, master_id=pair.master_id,
                          apprentice_id=pair.apprentice_id, unit_id=pair.apprentice.unit_id,
                          starts_on=starts_on, ends_on=add_months(starts_on, months),
                          stipend_monthly=programme.stipend_monthly or 0,
                          renewed_from_id=renewed_from.id if renewed_from else None)
    try:
        with db.session.begin_nested():
            db.session.add(agreement)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This apprentice already has an agreement in progress.")) from None
    audit.record(actor, "apprenticeship.agreement.create", agreement,
                 after={"master_id": pair.master_id, "apprentice_id": pair.apprentice_id,
                        "starts_on": starts_on.isoformat(), "ends_on": agreement.ends_on.isoformat()})
    return agreement


def live_agreement_of(apprentice_id):
    return db.session.scalar(sa.select(Agreement).where(Agreement.apprentice_id == apprentice_id,
                                                        Agreement.status.in_(LIVE_STATUSES)))



def renew(actor, agreement, months, master=None, starts_on=None):
    """A new draft agreement following a completed or failed one: same apprentice and programme,
    the same master unless `master` (a Master) replaces them (a failed final assessment may end in
    a change of master), starting the day after the old one ended unless `starts_on` says otherwise."""
    _require_manager(actor, agreement)
    if agreement.status not in (S.COMPLETED, S.FAILED):
        raise DomainError(_l("Only a completed or failed agreement can be renewed."))
    pair = agreement.pair
    master_id = master.id if master is not None else agreement.master_id
    starts_on = starts_on or max(date.today(), agreement.ended_on or agreement.ends_on)
    renewal = Agreement(programme_id=agreement.programme_id, pair_id=pair.id if pair else None,
                        master_id=master_id, apprentice_id=agreement.apprentice_id, unit_id=agreement.unit_id,
                        starts_on=starts_on, ends_on=add_months(starts_on, months),
                        stipend_monthly=agreement.stipend_monthly, teaching_plan=agreement.teaching_plan,
                        meeting_cadence=agreement.meeting_cadence, renewed_from_id=agreement.id)
    try:
        with db.session.begin_nested():
            db.session.add(renewal)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This apprentice already has an agreement in progress.")) from None
    audit.record(actor, "apprenticeship.agreement.renew", renewal,
                 after={"renewed_from": agreement.id, "master_id": master_id, "months": months})
    return renewal


# ---------------------------------------------------------------- who may see and act

def can_manage(user, agreement):
    """Staff covering the agreement's unit draft it, sign for its union, dissolve and renew it."""
    return covers_unit(user, agreement.unit)


def can_view(user, agreement):
    """Its master, its apprentice and staff covering its unit."""
    return agreement.party_of(user) is not None or can_manage(user, agreement)


def _require_manager(actor, agreement):
    if actor is not None and not can_manage(actor, agreement):
        raise DomainError(_l("Only union staff covering this unit may do this."))


# ---------------------------------------------------------------- drafting

def _require_draft(agreement):
    if agreement.status != S.PROPOSED:
        raise DomainError(_l("Only an agreement being drafted can be changed. Send it back to drafting first."))


def update_draft(actor, agreement, *, starts_on, ends_on, stipend_monthly, teaching_plan, meeting_cadence):
    """The terms of a draft: 1–3 years (MIN_MONTHS … MAX_MONTHS), stipend, plan and cadence. Goals
    whose due date falls outside the new term are refused."""
    _require_manager(actor, agreement)
    _require_draft(agreement)
    if ends_on < add_months(starts_on, MIN_MONTHS) or ends_on > add_months(starts_on, MAX_MONTHS):
        raise DomainError(_l("An agreement runs between %(min)s and %(max)s months.", min=MIN_MONTHS,
                             max=MAX_MONTHS), field="ends_on")
    if stipend_monthly is None or stipend_monthly < 0:
        raise DomainError(_l("The stipend cannot be negative."), field="stipend_monthly")
    if any(not (starts_on <= goal.due_on <= ends_on) for goal in agreement.goals):
        raise DomainError(_l("A goal falls due outside these dates: change its due date first."), field="ends_on")
    before = {"starts_on": agreement.starts_on.isoformat(), "ends_on": agreement.ends_on.isoformat(),
              "stipend_monthly": str(agreement.stipend_monthly)}
    agreement.starts_on, agreement.ends_on = starts_on, ends_on
    agreement.stipend_monthly = stipend_monthly
    agreement.teaching_plan = (teaching_plan or "").strip()
    agreement.meeting_cadence = (meeting_cadence or "").strip()
    db.session.flush()
    audit.record(actor, "apprenticeship.agreement.edit", agreement, before=before,
                 after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                        "stipend_monthly": str(stipend_monthly)})
    return agreement


def add_goal(actor, agreement, *, kind, target, due_on, target_level=None):
    _require_manager(actor, agreement)
    _require_draft(agreement)
    kind = GoalKind(kind)
    target = (target or "").strip()
    if not target:
        raise DomainError(_l("Say what the goal is."), field="target")
    if kind == GoalKind.SKILL_LEVEL:
        if target_level is None or not 1 <= target_level <= 5:
            raise DomainError(_l("A skill-level goal needs the grade to reach."), field="target_level")
    else:
        target_level = None
    if due_on is None or not (agreement.starts_on <= due_on <= agreement.ends_on):
        raise DomainError(_l("The due date must fall within the agreement."), field="due_on")
    goal = AgreementGoal(agreement=agreement, kind=kind, target=target, target_level=target_level, due_on=due_on)
    db.session.add(goal)
    db.session.flush()
    audit.record(actor, "apprenticeship.goal.add", agreement,
                 after={"goal": goal.id, "kind": kind.value, "target": target, "due_on": due_on.isoformat()})
    return goal


def remove_goal(actor, goal):
    agreement = goal.agreement
    _require_manager(actor, agreement)
    _require_draft(agreement)
    audit.record(actor, "apprenticeship.goal.remove", agreement,
                 before={"goal": goal.id, "kind": goal.kind.value, "target": goal.target})
    agreement.goals.remove(goal)
    db.session.flush()


def send_for_signatures(actor, agreement):
    """proposed → awaiting_signatures: needs at least one goal and a teaching plan."""
    _require_manager(actor, agreement)
    _require_draft(agreement)
    if not agreement.goals:
        raise DomainError(_l("Add at least one goal before sending the agreement for signatures."))
    if not agreement.teaching_plan.strip():
        raise DomainError(_l("Write the teaching plan before sending the agreement for signatures."))
    return transition(actor, agreement, S.AWAITING_SIGNATURES)


def cancel(actor, agreement, reason):
    _require_manager(actor, agreement)
    if not (reason or "").strip():
        raise DomainError(_l("Give a reason."), field="reason")
    transition(actor, agreement, S.CANCELLED, reason)
    agreement.end_reason = reason.strip()
    db.session.flush()
    return agreement


# ---------------------------------------------------------------- ending

def objection_open(agreement, today=None):
    """Either side may object while the agreement is in force and within OBJECTION_DAYS of activation."""
    today = today or date.today()
    return (agreement.status == S.ACTIVE and agreement.activated_on is not None
            and today <= agreement.activated_on + timedelta(days=OBJECTION_DAYS))


def object_to(actor, agreement, reason, today=None):
    """The master or the apprentice objects in the first month: the agreement ends as objected and
    the pair is rejected, so the next matching run pairs the apprentice with someone else."""
    today = today or date.today()
    if agreement.party_of(actor) is None:
        raise DomainError(_l("Only the master or the apprentice may object to their agreement."))
    if not objection_open(agreement, today):
        raise DomainError(_l("An objection can only be raised in the first month of an agreement in force."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    transition(actor, agreement, S.OBJECTED, reason)
    agreement.ended_on, agreement.end_reason = today, reason
    pair = agreement.pair
    if pair is not None and pair.status != PairStatus.REJECTED:
        pair.status = PairStatus.REJECTED
    db.session.flush()
    audit.record(actor, "apprenticeship.agreement.objection", agreement,
                 after={"party": agreement.party_of(actor).value, "reason": reason})
    return agreement


def dissolve(actor, agreement, reason, today=None):
    """Staff end an agreement in force (or awaiting its assessment) early, with a reason."""
    _require_manager(actor, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    transition(actor, agreement, S.DISSOLVED, reason)
    agreement.ended_on, agreement.end_reason = today or date.today(), reason
    db.session.flush()
    return agreement


def close_due(today=None, actor=None):
    """Agreements in force whose term has ended now await their final assessment; returns how many.
    Run daily (app.apprenticeship.tasks) and by `flask apprenticeship close-due`."""
    today = today or date.today()
    due = db.session.scalars(sa.select(Agreement).where(Agreement.status == S.ACTIVE, Agreement.ends_on < today)
                             .order_by(Agreement.id)).all()
    moved = 0
    for agreement in due:
        try:
            with db.session.begin_nested():
                transition(actor, agreement, S.AWAITING_ASSESSMENT, "term ended")
        except DomainError:  # someone moved it meanwhile
            continue
        moved += 1
    return moved


# ---------------------------------------------------------------- lists

def staff_list(user, programme_id=None, status=None, unit_id=None, q=None):
    """Agreements of the units this staff member covers, newest first, with their people loaded."""
    from app.accounts.models import User

    master_user, apprentice_user = orm.aliased(User), orm.aliased(User)
    query = (sa.select(Agreement)
             .join(Organization, Organization.id == Agreement.unit_id)
             .join(Master, Master.id == Agreement.master_id).join(master_user, master_user.id == Master.user_id)
             .join(ApprenticeProfile, ApprenticeProfile.id == Agreement.apprentice_id)
             .join(apprentice_user, apprentice_user.id == ApprenticeProfile.user_id)
             .options(orm.contains_eager(Agreement.unit),
                      orm.contains_eager(Agreement.master).contains_eager(Master.user.of_type(master_user)),
                      orm.contains_eager(Agreement.apprentice)
                      .contains_eager(ApprenticeProfile.user.of_type(apprentice_user)),
                      orm.joinedload(Agreement.programme))
             .order_by(Agreement.id.desc()))
    path = covered_path(user)
    if path is None:
        return query.where(sa.false())
    if path:
        query = query.where(Organization.path.startswith(path, autoescape=True))
    if programme_id:
        query = query.where(Agreement.programme_id == programme_id)
    if status:
        query = query.where(Agreement.status == status)
    if unit_id:
        query = query.where(Agreement.unit_id == unit_id)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(master_user.name.ilike(like), apprentice_user.name.ilike(like),
                                   Organization.name.ilike(like)))
    return query


def of_user(user, side):
    """The agreements where `user` is the master (side "master") or the apprentice, newest first."""
    profile = Master if side == "master" else ApprenticeProfile
    column = Agreement.master_id if side == "master" else Agreement.apprentice_id
    return (sa.select(Agreement).join(profile, profile.id == column).where(profile.user_id == user.id)
            .options(orm.joinedload(Agreement.master).joinedload(Master.user),
                     orm.joinedload(Agreement.apprentice).joinedload(ApprenticeProfile.user),
                     orm.joinedload(Agreement.unit), orm.joinedload(Agreement.programme))
            .order_by(Agreement.id.desc()))


def page_agreement(agreement_id):
    """One agreement with everything its page shows, in one query (goals in a second)."""
    return db.session.scalar(
        sa.select(Agreement).where(Agreement.id == agreement_id)
        .options(orm.joinedload(Agreement.master).joinedload(Master.user),
                 orm.joinedload(Agreement.apprentice).joinedload(ApprenticeProfile.user),
                 orm.joinedload(Agreement.unit), orm.joinedload(Agreement.programme),
                 orm.selectinload(Agreement.goals)))
