"""Monthly (or fortnightly, 手拉手) logs of an agreement: the apprentice writes one per period, the
master confirms it or returns it with a comment. One log per (agreement, period)."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.apprenticeship.models_agreements import Agreement
from app.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db

OVERDUE_DAYS = 7  # a period ended this many days ago without a log, or a log unconfirmed this long, is overdue
MAX_HOURS = Decimal("400")


class LogStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the master
    CONFIRMED = "confirmed"
    RETURNED = "returned"  # the master asked for changes


LOG_STATUS_LABELS = {
    LogStatus.SUBMITTED: _l("Waiting for the master"),
    LogStatus.CONFIRMED: _l("Confirmed"),
    LogStatus.RETURNED: _l("Returned for changes"),
}


class AgreementLog(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id", ondelete="CASCADE"),
                                              nullable=False)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date] = mapped_column(sa.Date, nullable=False)
    learnt: Mapped[str] = mapped_column(sa.Text, nullable=False)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1), nullable=False)
    problems: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status: Mapped[LogStatus] = mapped_column(str_enum(LogStatus, "apprenticeship_log_status"), nullable=False,
                                              default=LogStatus.SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    master_comment: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    agreement: Mapped[Agreement] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "period_start", name="uq_apprenticeship_log_period"),
        sa.CheckConstraint("hours >= 0", name="log_hours_positive"),
        sa.CheckConstraint("period_end >= period_start", name="log_period_order"),
    )
