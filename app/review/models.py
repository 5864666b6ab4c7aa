"""Column mixins for the tables a reviewing module keeps.

A client declares its own tables (its foreign keys differ: an event, a
programme, an assessment round) and takes the review columns, their meaning
and the permission predicates from here, so every panel in the platform stores
seats, sheets, snapshots and objections the same way.
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.db import UTCDateTime, str_enum, utcnow
from app.review.conflict import conflicts


class SeatMixin:
    """A reviewer's seat on a panel; the chief (裁判长, 组长) has `is_chief`."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    is_chief: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    @declared_attr
    def user(cls):
        return relationship("User")

    def conflicts_with(self, subject):
        """The subject (anything with a `unit`) comes from the reviewer's organisation or below it."""
        return conflicts(self.user.organization, subject.unit)

    def can_score(self, subject):
        """May this seat enter anything for this subject? The chief enters the objective
        measurements of every subject; a reviewer only marks subjects without a conflict."""
        return self.is_chief or not self.conflicts_with(subject)


class SheetMixin:
    """One reviewer's sheet for one stage: signing locks it; only the chief unlocks it, with a reason."""

    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlock_reason: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def is_signed(self):
        return self.signed_at is not None


class SnapshotMixin:
    """Frozen results of one publication (provisional or final), exactly as shown publicly."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    final: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)


class ObjectionStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class ObjectionMixin:
    """An objection (申诉, 异议) to provisional results, decided by the panel's chief or staff.

    The client names its status type (`__status_type__`), which is part of the
    CHECK constraint's name in the schema.
    """

    __status_type__ = "objection_status"

    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def status(cls) -> Mapped[ObjectionStatus]:
        return mapped_column(str_enum(ObjectionStatus, cls.__status_type__), nullable=False,
                             default=ObjectionStatus.OPEN)

    @declared_attr
    def author(cls):
        return relationship("User", foreign_keys=f"{cls.__name__}.author_id")

    @property
    def is_open(self):
        return self.status == ObjectionStatus.OPEN
