"""Achievement contest (五小) tables: award tiers with prize money, objections to the 公示, and
award certificates verified at /verify/<code>.

A contest is a `Programme` of kind achievement; its submissions, criteria,
panel and scores are the programme tables of models.py. These are what only a
contest needs.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.innovation.models import MONEY, SCORE, WEIGHT, Application, Programme
from app.review.models import ObjectionMixin


class ContestAwardTier(db.Model):
    """One award level of a contest (一等奖 5 places, 优秀奖 230 with a minimum of 60) and its prize."""

    __tablename__ = "innovation_contest_award_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    count: Mapped[int | None] = mapped_column(sa.Integer)
    percent: Mapped[Decimal | None] = mapped_column(WEIGHT)
    minimum: Mapped[Decimal | None] = mapped_column(SCORE)
    prize: Mapped[Decimal | None] = mapped_column(MONEY)

    programme: Mapped[Programme] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "position", name="uq_innovation_contest_award_tier_position"),
        sa.UniqueConstraint("programme_id", "name", name="uq_innovation_contest_award_tier_name"),
        sa.CheckConstraint("(count IS NULL) != (percent IS NULL)", name="count_or_percent"),
        sa.CheckConstraint("count IS NULL OR count >= 1", name="count_min"),
        sa.CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent_range"),
        sa.CheckConstraint("prize IS NULL OR prize >= 0", name="prize_non_negative"),
    )


class ContestObjection(ObjectionMixin, db.Model):
    """异议: a submitter's objection to the provisional results (公示), one per submission."""

    __tablename__ = "innovation_contest_objection"
    __status_type__ = "contest_objection_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False, unique=True)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # the provisional snapshot objected to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship()


class ContestCertificateStatus(enum.StrEnum):
    VALID = "valid"
    WITHDRAWN = "withdrawn"


CONTEST_CERTIFICATE_STATE_LABELS = {
    "valid": _l("Valid"),
    "withdrawn": _l("Certificate withdrawn"),
}


class ContestCertificate(TimestampMixin, db.Model):
    """荣誉证书 of an awarded submission, as printed: the facts are copied from the final snapshot."""

    __tablename__ = "innovation_contest_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    verify_code: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    number: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # the final snapshot it was issued from
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    team: Mapped[str] = mapped_column(sa.String(400), nullable=False, default="")  # names, 、-separated, in order
    unit: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    contest_name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    award: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    final: Mapped[Decimal | None] = mapped_column(SCORE)
    issued_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[ContestCertificateStatus] = mapped_column(
        str_enum(ContestCertificateStatus, "contest_certificate_status"), nullable=False,
        default=ContestCertificateStatus.VALID)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    replaced_by_number: Mapped[str | None] = mapped_column(sa.String(80))

    programme: Mapped[Programme] = relationship()
    application: Mapped[Application] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "number", name="uq_innovation_contest_certificate_number"),
        sa.Index("uq_innovation_contest_certificate_valid", "application_id", unique=True,
                 sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'")),
    )


class ContestUnitCount(db.Model):
    """How many submissions a unit has recommended to a contest.

    The unit quota is held by the database: a recommendation moves this counter
    with one conditional UPDATE (`recommended < quota`) in the recommending
    transaction, and the CHECK refuses a negative count, so two unit staff
    recommending the last place at once cannot both succeed (the second UPDATE
    waits on the row lock and then finds the counter full).
    """

    __tablename__ = "innovation_contest_unit_count"

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), primary_key=True)
    recommended: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    __table_args__ = (sa.CheckConstraint("recommended >= 0", name="recommended_non_negative"),)
