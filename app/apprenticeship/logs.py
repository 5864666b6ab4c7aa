"""Periodic logs: periods by the programme's cadence, writing, confirming or returning, and what is
overdue (a period ended more than OVERDUE_DAYS ago without a log, or a log left unconfirmed that long)."""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm
from sqlalchemy.exc import IntegrityError

from app import audit
from app.apprenticeship.agreements import add_months
from app.apprenticeship.models import ApprenticeProfile, LogCadence, Master
from app.apprenticeship.models_agreements import Agreement, AgreementStatus as S
from app.apprenticeship.models_logs import MAX_HOURS, OVERDUE_DAYS, AgreementLog, LogStatus
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

IN_FORCE = (S.ACTIVE, S.AWAITING_ASSESSMENT)


@dataclass
class Period:
    start: date
    end: date
    log: AgreementLog | None = None

    def ended(self, today):
        return self.end < today

    def missing(self, today):
        """Ended, and no log (or a returned one) — the apprentice has to write it."""
        return self.ended(today) and (self.log is None or self.log.status == LogStatus.RETURNED)

    def overdue(self, today):
        limit = today - timedelta(days=OVERDUE_DAYS)
        if self.log is None or self.log.status == LogStatus.RETURNED:
            return self.end < limit
        return self.log.status == LogStatus.SUBMITTED and self.log.submitted_at.date() < limit


def periods(agreement, until=None):
    """The agreement's periods that have started by `until` (all of them when None)."""
    cadence = agreement.programme.log_cadence
    found, n = [], 0
    while True:
        if cadence == LogCadence.FORTNIGHTLY:
            start, following = agreement.starts_on + timedelta(days=14 * n), \
                agreement.starts_on + timedelta(days=14 * (n + 1))
        else:
            start, following = add_months(agreement.starts_on, n), add_months(agreement.starts_on, n + 1)
        if start >= agreement.ends_on or (until is not None and start > until):
            return found
        found.append(Period(start, min(following - timedelta(days=1), agreement.ends_on)))
        n += 1


def timeline(agreement, logs, today=None):
    """The periods started so far with their logs, newest first."""
    today = today or date.today()
    by_start = {log.period_start: log for log in logs}
    found = periods(agreement, until=today)
    for period in found:
        period.log = by_start.get(period.start)
    return list(reversed(found))


def logs_of(agreement_ids):
    if not agreement_ids:
        return {}
    found = {}
    for log in db.session.scalars(sa.select(AgreementLog).where(AgreementLog.agreement_id.in_(list(agreement_ids)))
                                  .order_by(AgreementLog.period_start)):
        found.setdefault(log.agreement_id, []).append(log)
    return found


def overdue_counts(agreements, today=None):
    """{agreement id: overdue periods} for agreements whose programme is loaded: one query."""
    today = today or date.today()
    live = [a for a in agreements if a.status in IN_FORCE]
    logs = logs_of([a.id for a in live])
    return {a.id: sum(1 for p in timeline(a, logs.get(a.id, []), today) if p.overdue(today)) for a in live}


# ---------------------------------------------------------------- writing and reviewing

def _period(agreement, period_start, today):
    for period in periods(agreement, until=today):
        if period.start == period_start:
            return period
    raise DomainError(_l("There is no such period in this agreement yet."))


def write(actor, agreement, period_start, *, learnt, hours, problems="", today=None):
    """The apprentice writes (or rewrites, until confirmed) the log of a period that has started."""
    today = today or date.today()
    if agreement.apprentice.user_id != getattr(actor, "id", None):
        raise DomainError(_l("Only the apprentice writes the logs of an agreement."))
    if agreement.status not in IN_FORCE:
        raise DomainError(_l("Logs are written while the agreement is in force."))
    period = _period(agreement, period_start, today)
    learnt = (learnt or "").strip()
    if not learnt:
        raise DomainError(_l("Say what you learnt."), field="learnt")
    if hours is None or hours < 0 or hours > MAX_HOURS:
        raise DomainError(_l("Give the hours spent, between 0 and %(max)s.", max=MAX_HOURS), field="hours")
    log = db.session.scalar(sa.select(AgreementLog).where(AgreementLog.agreement_id == agreement.id,
                                                          AgreementLog.period_start == period.start))
    if log is not None and log.status == LogStatus.CONFIRMED:
        raise DomainError(_l("This log is confirmed already."))
    if log is None:
        log = AgreementLog(agreement_id=agreement.id, period_start=period.start, period_end=period.end)
        try:
            with db.session.begin_nested():
                _fill(log, learnt, hours, problems)
                db.session.add(log)
                db.session.flush()
        except IntegrityError:
            raise DomainError(_l("This period's log was written a moment ago. Reload the page.")) from None
    else:
        _fill(log, learnt, hours, problems)
        db.session.flush()
    audit.record(actor, "apprenticeship.log.write", agreement,
                 after={"period": period.start.isoformat(), "hours": str(hours)})
    return log


def _fill(log, learnt, hours, problems):
    log.learnt, log.hours, log.problems = learnt, hours, (problems or "").strip()
    log.status, log.submitted_at = LogStatus.SUBMITTED, utcnow()
    log.reviewed_at, log.reviewed_by_id = None, None


def review(actor, log, confirm, comment=""):
    """The master confirms the log, or returns it with a comment (guarded: only a submitted log)."""
    agreement = log.agreement
    if agreement.master.user_id != getattr(actor, "id", None):
        raise DomainError(_l("Only the master confirms the logs of an agreement."))
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise DomainError(_l("Say what to change when returning a log."), field="comment")
    to = LogStatus.CONFIRMED if confirm else LogStatus.RETURNED
    moved = db.session.execute(
        sa.update(AgreementLog).where(AgreementLog.id == log.id, AgreementLog.status == LogStatus.SUBMITTED)
        .values(status=to, reviewed_at=utcnow(), reviewed_by_id=actor.id, master_comment=comment)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(log)
    if moved != 1:
        raise DomainError(_l("This log is not waiting for confirmation."))
    audit.record(actor, "apprenticeship.log.review", agreement,
                 after={"period": log.period_start.isoformat(), "status": to.value, "comment": comment or None})
    return log


# ---------------------------------------------------------------- to-dos

def logs_to_write(user, today=None):
    """Ended periods without a log (or with a returned one) in the user's agreements in force as apprentice."""
    today = today or date.today()
    agreements = db.session.scalars(
        sa.select(Agreement).join(ApprenticeProfile, ApprenticeProfile.id == Agreement.apprentice_id)
        .where(ApprenticeProfile.user_id == user.id, Agreement.status.in_(IN_FORCE))
        .options(orm.joinedload(Agreement.programme))).all()
    logs = logs_of([a.id for a in agreements])
    return sum(1 for a in agreements for p in timeline(a, logs.get(a.id, []), today) if p.missing(today))


def logs_to_confirm(user):
    """Submitted logs waiting for this user as master."""
    return db.session.scalar(
        sa.select(sa.func.count(AgreementLog.id)).join(Agreement, Agreement.id == AgreementLog.agreement_id)
        .join(Master, Master.id == Agreement.master_id)
        .where(Master.user_id == user.id, AgreementLog.status == LogStatus.SUBMITTED)) or 0
