"""Competitions → events (one per trade) → stages → criteria; entries, panels,
score sheets, scores, measurements, appeals and published result snapshots."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.access import is_staff
from app.accounts.models import Organization, Trade, User
from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.review.publication import window_open
from app.review.models import ObjectionMixin, ObjectionStatus, SeatMixin, SheetMixin, SnapshotMixin

SCORE = sa.Numeric(7, 2)  # marks: 0.00 .. 99999.99
MONEY = sa.Numeric(12, 2)


class CompetitionStatus(enum.StrEnum):
    DRAFT = "draft"
    REGISTRATION = "registration"
    RUNNING = "running"
    SCORING_CLOSED = "scoring_closed"
    PROVISIONAL = "provisional"  # 公示: results shown, appeals open
    PUBLISHED = "published"


STATUS_LABELS = {
    CompetitionStatus.DRAFT: _l("Draft"),
    CompetitionStatus.REGISTRATION: _l("Registration"),
    CompetitionStatus.RUNNING: _l("Under way"),
    CompetitionStatus.SCORING_CLOSED: _l("Scoring closed"),
    CompetitionStatus.PROVISIONAL: _l("Provisional results (appeals open)"),
    CompetitionStatus.PUBLISHED: _l("Results published"),
}


class EntryType(enum.StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"


class CriterionKind(enum.StrEnum):
    JUDGEMENT = "judgement"
    MEASUREMENT = "measurement"


AppealStatus = ObjectionStatus  # an appeal is the review layer's objection


class Competition(TimestampMixin, db.Model):
    __tablename__ = "competition"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # public URL part
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    edition: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    organisers: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[CompetitionStatus] = mapped_column(
        str_enum(CompetitionStatus, "competition_status"), nullable=False, default=CompetitionStatus.DRAFT
    )
    # Hours of 公示 (never fewer than MIN_OBJECTION_HOURS, see review.publication).
    appeal_window_hours: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=24)
    appeal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every publication; public pages are cached per version.
    results_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set when staff published the final results without 公示; shown publicly with the results.
    no_provisional_reason: Mapped[str | None] = mapped_column(sa.Text)

    events: Mapped[list["Event"]] = relationship(
        back_populates="competition", order_by="Event.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self):
        return self.status != CompetitionStatus.DRAFT

    @property
    def results_visible(self):
        return self.status in (CompetitionStatus.PROVISIONAL, CompetitionStatus.PUBLISHED)

    def appeals_open(self, now=None):
        return self.status == CompetitionStatus.PROVISIONAL and window_open(self.appeal_deadline, now)

    def __str__(self):
        return f"{self.name}{self.edition and ' ' + self.edition}"


class Event(TimestampMixin, db.Model):
    """赛项: one trade's contest within a competition."""

    __tablename__ = "competition_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    trade_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trade.id"))
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    entry_type: Mapped[EntryType] = mapped_column(str_enum(EntryType, "entry_type"), nullable=False,
                                                  default=EntryType.INDIVIDUAL)
    team_size: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    trim_at: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    tie_break: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")  # stage codes, comma-separated
    blind: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    honour_name: Mapped[str | None] = mapped_column(sa.String(120))  # e.g. 推荐五一劳动奖章
    honour_max_rank: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    # Bumped by every change that can move the standings; cached standings are keyed by it.
    results_stamp: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    competition: Mapped[Competition] = relationship(back_populates="events")
    trade: Mapped[Trade | None] = relationship()
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="event", order_by="Stage.position", cascade="all, delete-orphan"
    )
    award_tiers: Mapped[list["AwardTier"]] = relationship(
        back_populates="event", order_by="AwardTier.position", cascade="all, delete-orphan"
    )
    entries: Mapped[list["Entry"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                  order_by="Entry.bib")
    panel: Mapped[list["PanelMember"]] = relationship(back_populates="event", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("competition_id", "code", name="uq_competition_event_code"),
        sa.CheckConstraint("trim_at >= 3", name="trim_at_min"),
        sa.CheckConstraint("team_size >= 1", name="team_size_min"),
    )

    def can_view_standings(self, user):
        """Staff, and this event's chief judge, see standings from unsigned marks too."""
        return is_staff(user) or any(m.user_id == user.id and m.is_chief for m in self.panel)

    @property
    def tie_break_codes(self):
        return [c.strip() for c in self.tie_break.split(",") if c.strip()]

    def __str__(self):
        return self.name


class Stage(db.Model):
    __tablename__ = "competition_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False)  # percent of the final
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Top N advance to the next stage (ties with the N-th too); None = everyone.
    advance_count: Mapped[int | None] = mapped_column(sa.Integer)

    event: Mapped[Event] = relationship(back_populates="stages")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="stage", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("event_id", "code", name="uq_competition_stage_code"),
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
    )

    @property
    def maximum(self):
        return sum((c.max_mark for c in self.criteria), Decimal(0))


class Criterion(db.Model):
    """评分项: a line of the marking scheme."""

    __tablename__ = "competition_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_stage.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    max_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    kind: Mapped[CriterionKind] = mapped_column(str_enum(CriterionKind, "criterion_kind"), nullable=False,
                                                default=CriterionKind.JUDGEMENT)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    stage: Mapped[Stage] = relationship(back_populates="criteria")

    __table_args__ = (
        # Codes are unique in the event: score sheets and imports name criteria by code alone.
        sa.UniqueConstraint("event_id", "code", name="uq_competition_criterion_code"),
        sa.CheckConstraint("max_mark > 0", name="max_mark_positive"),
    )


class AwardTier(db.Model):
    __tablename__ = "competition_award_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    count: Mapped[int | None] = mapped_column(sa.Integer)
    percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    minimum: Mapped[Decimal | None] = mapped_column(SCORE)
    prize: Mapped[Decimal | None] = mapped_column(MONEY)
    # Per-rank amounts, "1:10000;2:8000" (ranks not listed get `prize`).
    rank_prizes: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")

    event: Mapped[Event] = relationship(back_populates="award_tiers")

    __table_args__ = (
        sa.CheckConstraint("(count IS NULL) <> (percent IS NULL)", name="count_or_percent"),
    )


class Entry(TimestampMixin, db.Model):
    """参赛: a contestant or a team in one event."""

    __tablename__ = "competition_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)
    bib: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # 参赛编号
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)  # contestant, or team name
    members: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")  # team members, 、-separated
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)  # the contestant's account
    # Set when the entry did not advance past this stage (top-N rule).
    eliminated_stage_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition_stage.id"))

    event: Mapped[Event] = relationship(back_populates="entries")
    unit: Mapped[Organization] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("event_id", "bib", name="uq_competition_entry_bib"),)

    def belongs_to(self, user):
        """The contestant's own entry (nobody sees another contestant's breakdown)."""
        return self.user_id is not None and self.user_id == user.id


class PanelMember(SeatMixin, db.Model):
    """A judge (or the chief judge) on an event's panel."""

    __tablename__ = "competition_panel_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)

    event: Mapped[Event] = relationship(back_populates="panel")
    sheets: Mapped[list["Sheet"]] = relationship(back_populates="member", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_competition_panel_member_judge"),
        # At most one chief judge per event, enforced by the database.
        sa.Index("uq_competition_panel_member_chief", "event_id", unique=True,
                 sqlite_where=sa.text("is_chief"), postgresql_where=sa.text("is_chief")),
    )

    def enters(self, criterion):
        """The chief judge enters the measurements, the judges the judgement marks."""
        return self.is_chief == (criterion.kind == CriterionKind.MEASUREMENT)

    def has_sheet_for(self, stage):
        """A sheet applies only where this seat enters something (a theory stage has no chief's sheet)."""
        return any(self.enters(c) for c in stage.criteria)


class Sheet(SheetMixin, db.Model):
    """One judge's score sheet for one stage; signing locks it."""

    __tablename__ = "competition_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_panel_member.id", ondelete="CASCADE"),
                                           nullable=False)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_stage.id", ondelete="CASCADE"), nullable=False)

    member: Mapped[PanelMember] = relationship(back_populates="sheets")
    stage: Mapped[Stage] = relationship()

    __table_args__ = (sa.UniqueConstraint("member_id", "stage_id", name="uq_competition_sheet_member_stage"),)


class Score(db.Model):
    """A judge's mark for one entry on one judgement criterion (upserted)."""

    __tablename__ = "competition_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_entry.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_criterion.id", ondelete="CASCADE"),
                                              nullable=False)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("judge_id", "entry_id", "criterion_id", name="uq_competition_score_judge_entry_criterion"),
        # Covering: standings summarise every mark of an event from the index alone, in group order.
        sa.Index("ix_competition_score_entry", "entry_id", "criterion_id", "judge_id", "value"),
    )


class Measurement(db.Model):
    """The single objective value of a measurement criterion for one entry."""

    __tablename__ = "competition_measurement"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_entry.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_criterion.id", ondelete="CASCADE"),
                                              nullable=False)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "criterion_id", name="uq_competition_measurement_entry_criterion"),
    )


class Appeal(ObjectionMixin, TimestampMixin, db.Model):
    """A contestant's written appeal against provisional results (one per entry)."""

    __tablename__ = "competition_appeal"
    __status_type__ = "appeal_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_entry.id", ondelete="CASCADE"),
                                          nullable=False, unique=True)

    entry: Mapped[Entry] = relationship()


class ResultSnapshot(SnapshotMixin, db.Model):
    """Frozen results of a publication (provisional or final), as shown publicly."""

    __tablename__ = "competition_result_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id", ondelete="CASCADE"), nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("competition_id", "version", name="uq_competition_result_snapshot_version"),
    )


class AwardCertificateStatus(enum.StrEnum):
    VALID = "valid"
    WITHDRAWN = "withdrawn"  # the results changed: the award or rank is no longer this one


class AwardCertificate(TimestampMixin, db.Model):
    """荣誉证书: one awarded entry's certificate from a final publication, verified at /verify/<code>.

    The facts are copied from the published snapshot that issued it, as printed on
    the PDF. A later final publication keeps it while its facts stay the same, and
    withdraws it (with the publication's reason) when they change; a new one is
    issued for the new facts. At most one valid certificate per entry.
    """

    __tablename__ = "competition_award_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_event.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_entry.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    verify_code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # random, unguessable
    number: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # results_version of the issuing publication
    holder: Mapped[str] = mapped_column(sa.String(120), nullable=False)  # contestant, or team name
    members: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    unit: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    competition_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    event_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    award: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    final: Mapped[Decimal | None] = mapped_column(SCORE)
    honours: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")  # 、-separated
    issuer: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    issued_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[AwardCertificateStatus] = mapped_column(
        str_enum(AwardCertificateStatus, "award_certificate_status"), nullable=False,
        default=AwardCertificateStatus.VALID)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    replaced_by_number: Mapped[str | None] = mapped_column(sa.String(80))

    competition: Mapped[Competition] = relationship()

    __table_args__ = (
        # One valid certificate per entry, enforced by the database (two publications at once).
        sa.Index("uq_competition_award_certificate_valid", "entry_id", unique=True,
                 sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'")),
    )
