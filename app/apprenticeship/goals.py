"""Goals close themselves from evidence the platform holds (certificates, competition results,
innovation awards: `evidence.py`), from the daily task and a "check evidence" button; staff (and,
for independent operation, the master) close a goal by hand with a note."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from app import audit
from app.apprenticeship import agreements as agreement_rules, evidence as evidence_rules
from app.apprenticeship.models import ApprenticeProfile
from app.apprenticeship.models_agreements import Agreement, AgreementStatus as S, GoalKind
from app.errors import DomainError
from app.extensions import db

OPEN_STATUSES = (S.ACTIVE, S.AWAITING_ASSESSMENT)
EVIDENCE_LENGTH, REF_LENGTH = 300, 120


def close_goals_from_evidence(agreements, actor=None):
    """Close the open goals of these agreements (one or a list) that evidence dated within the
    agreement achieves; returns the goals closed. Each piece of evidence closes at most one goal
    of an agreement per kind."""
    if isinstance(agreements, Agreement):
        agreements = [agreements]
    agreements = [a for a in agreements if a.status in OPEN_STATUSES and any(not g.achieved for g in a.goals)]
    if not agreements:
        return []
    user_ids = {a.apprentice.user_id for a in agreements}
    since = min(a.starts_on for a in agreements)
    until = max(a.ended_on or a.ends_on for a in agreements)
    found = evidence_rules.of_people(user_ids, since, until)
    closed = []
    for agreement in agreements:
        until = agreement.ended_on or agreement.ends_on
        mine = [e for e in found.get(agreement.apprentice.user_id, []) if agreement.starts_on <= e.on <= until]
        used = {(g.kind, g.evidence_ref) for g in agreement.goals if g.achieved and g.evidence_ref}
        for goal in agreement.goals:
            if goal.achieved:
                continue
            match = next((e for e in mine if evidence_rules.closes(goal, e) and (goal.kind, e.ref) not in used), None)
            if match is None:
                continue
            used.add((goal.kind, match.ref))
            _close(actor, goal, match.on, match.title, match.ref, source=match.kind)
            closed.append(goal)
    return closed


def _close(actor, goal, on, text, ref, source):
    goal.achieved_on = on
    goal.evidence = (text or "")[:EVIDENCE_LENGTH]
    goal.evidence_ref = (ref or "")[:REF_LENGTH]
    db.session.flush()
    audit.record(actor, "apprenticeship.goal.achieve", goal.agreement,
                 after={"goal": goal.id, "on": on.isoformat(), "evidence": goal.evidence, "ref": goal.evidence_ref,
                        "source": source})


def can_close_by_hand(user, goal):
    agreement = goal.agreement
    if agreement.status not in OPEN_STATUSES or goal.achieved:
        return False
    if agreement_rules.can_manage(user, agreement):
        return True
    return goal.kind == GoalKind.INDEPENDENT_OPERATION and agreement.master.user_id == getattr(user, "id", None)


def close_by_hand(actor, goal, note, on=None):
    """Staff covering the unit close any open goal; the master closes independent operation."""
    on = on or date.today()
    if not can_close_by_hand(actor, goal):
        raise DomainError(_l("You cannot close this goal."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Say how the goal was reached."), field="note")
    agreement = goal.agreement
    if not (agreement.starts_on <= on <= (agreement.ended_on or agreement.ends_on)) or on > date.today():
        raise DomainError(_l("The date must fall within the agreement and not in the future."), field="achieved_on")
    _close(actor, goal, on, note, "", source="hand")
    return goal


def agreements_to_check():
    """Every agreement in force or awaiting assessment with an open goal, loaded for the check."""
    from app.apprenticeship.models_agreements import AgreementGoal

    open_goal = sa.select(AgreementGoal.id).where(AgreementGoal.agreement_id == Agreement.id,
                                                  AgreementGoal.achieved_on.is_(None)).exists()
    return db.session.scalars(
        sa.select(Agreement).where(Agreement.status.in_(OPEN_STATUSES), open_goal)
        .options(orm.joinedload(Agreement.apprentice).load_only(ApprenticeProfile.user_id),
                 orm.selectinload(Agreement.goals))).unique().all()
