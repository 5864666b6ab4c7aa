"""公示 (public notice) of a programme's proposals, the objections the public lodges,
and the staff-kept holiday list its working days are counted with."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.innovation.models import Application, Programme
from app.review.models import ObjectionStatus


class Holiday(db.Model):
    """A public holiday (not a working day), or a weekend day declared a working day (调休, `working`)."""

    __tablename__ = "innovation_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")
    working: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class PublicityStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


PUBLICITY_STATUS_LABELS = {
    PublicityStatus.OPEN: _l("Open for objections"),
    PublicityStatus.CLOSED: _l("Closed"),
}

OBJECTION_STATUS_LABELS = {
    ObjectionStatus.OPEN: _l("Being handled"),
    ObjectionStatus.UPHELD: _l("Upheld"),
    ObjectionStatus.DISMISSED: _l("Dismissed"),
}


class Publicity(db.Model):
    """社会公示: a programme's proposed names, shown for N working days; one per programme."""

    __tablename__ = "innovation_publicity"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False, unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)  # the last working day, inclusive
    working_days: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    status: Mapped[PublicityStatus] = mapped_column(str_enum(PublicityStatus, "publicity_status"), nullable=False,
                                                    default=PublicityStatus.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    programme: Mapped[Programme] = relationship()
    objections: Mapped[list["PublicObjection"]] = relationship(
        back_populates="publicity", cascade="all, delete-orphan", order_by="PublicObjection.id")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    @property
    def is_open(self):
        return self.status == PublicityStatus.OPEN


class PublicObjection(db.Model):
    """异议: anyone's objection to one proposed entry or to the whole list, and how staff handled it."""

    __tablename__ = "innovation_public_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_publicity.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_application.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    contact: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    client_key: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="", index=True)  # sha256 of IP
    status: Mapped[ObjectionStatus] = mapped_column(str_enum(ObjectionStatus, "public_objection_status"),
                                                    nullable=False, default=ObjectionStatus.OPEN)
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    publicity: Mapped[Publicity] = relationship(back_populates="objections")
    application: Mapped[Application | None] = relationship()
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self):
        return self.status == ObjectionStatus.OPEN
