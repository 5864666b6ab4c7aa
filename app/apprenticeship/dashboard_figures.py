"""The dashboard's figures from logs and the stipend ledger (registered with `dashboard.figure`).

Each is one aggregate query over the programme's agreements within the staff member's reach, so the
dashboard stays constant in queries and fast over 28,000 pairs.
"""
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.accounts.models import Organization
from app.apprenticeship import dashboard
from app.apprenticeship.models import LOG_CADENCE_DAYS, Programme
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.apprenticeship.models_logs import OVERDUE_DAYS, AgreementLog, LogStatus
from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.db import utcnow
from app.extensions import db

IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT)


def _reach(path):
    return sa.true() if not path else Organization.path.startswith(path, autoescape=True)


@dashboard.figure
def log_figures(programme_id, path, today=None):
    """Agreements behind on their logs: in force for more than one period plus the grace days, with no
    log (other than a returned one) for a period that started within the last two periods and the grace
    days; and logs the master has left unconfirmed longer than the grace days."""
    today = today or date.today()
    cadence = LOG_CADENCE_DAYS[db.session.scalar(sa.select(Programme.log_cadence)
                                                  .where(Programme.id == programme_id))]
    written = aliased(AgreementLog)
    recent = sa.exists().where(written.agreement_id == Agreement.id, written.status != LogStatus.RETURNED,
                               written.period_start >= today - timedelta(days=2 * cadence + OVERDUE_DAYS))
    unconfirmed = sa.func.count(AgreementLog.id).filter(
        AgreementLog.status == LogStatus.SUBMITTED, AgreementLog.submitted_at < utcnow() - timedelta(days=OVERDUE_DAYS))
    behind, waiting = db.session.execute(
        sa.select(sa.func.count(sa.distinct(Agreement.id)).filter(
                      Agreement.starts_on <= today - timedelta(days=cadence + OVERDUE_DAYS), ~recent),
                  unconfirmed)
        .select_from(Agreement).join(Organization, Organization.id == Agreement.unit_id)
        .outerjoin(AgreementLog, AgreementLog.agreement_id == Agreement.id)
        .where(Agreement.programme_id == programme_id, Agreement.status.in_(IN_FORCE), _reach(path))).one()
    return [dashboard.Figure(_l("Behind on logs"), behind, _l("agreements in force"), "behind-on-logs"),
            dashboard.Figure(_l("Logs awaiting the master"), waiting,
                             _l("unconfirmed for more than a week"), "logs-unconfirmed")]


@dashboard.figure
def stipend_figures(programme_id, path):
    """Stipends accrued, paid at the final grade, and outcome bonuses, in yuan."""
    sums = dict(db.session.execute(
        sa.select(StipendEntry.kind, sa.func.sum(StipendEntry.amount))
        .join(Agreement, Agreement.id == StipendEntry.agreement_id)
        .join(Organization, Organization.id == Agreement.unit_id)
        .where(Agreement.programme_id == programme_id, _reach(path)).group_by(StipendEntry.kind)).all())

    def yuan(kind):
        return f"{Decimal(sums.get(kind) or 0).quantize(Decimal('0.01')):,f}"

    return [dashboard.Figure(_l("Stipends accrued"), yuan(EntryKind.ACCRUAL), _l("yuan"), "stipends-accrued"),
            dashboard.Figure(_l("Stipends paid"), yuan(EntryKind.PAYMENT),
                             _l("yuan, at the final grade"), "stipends-paid"),
            dashboard.Figure(_l("Outcome bonuses"), yuan(EntryKind.BONUS), _l("yuan"), "bonuses")]
