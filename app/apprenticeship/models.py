"""The master register (名师档案), apprentice profiles, preferences, programmes and their pairs.

Level encoding (shared with `app.matching`): an integer 1–5, the national vocational
qualification grade, 5 = 五级 / 初级工, 4 = 四级 / 中级工, 3 = 三级 / 高级工, 2 = 二级 / 技师,
1 = 一级 / 高级技师. A smaller number is the more senior grade; a pair's level gap is
`apprentice.level - master.level` (positive when the master is more senior).

A master's or apprentice's unit is an explicit organisation (the union unit they belong to for
this scheme), filled from the people workbook; it is what "same unit" and the district/industry
scope of a pair are measured on.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, Trade, User
from app.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db

MONEY = sa.Numeric(14, 2)  # yuan
MIN_LEVEL, MAX_LEVEL = 1, 5
DEFAULT_CAPACITY = 5
MAX_CAPACITY = 50
MAX_PREFERENCES = 5

LEVEL_LABELS = {
    5: _l("Grade 5 (entry)"),
    4: _l("Grade 4 (intermediate)"),
    3: _l("Grade 3 (senior)"),
    2: _l("Grade 2 (technician)"),
    1: _l("Grade 1 (senior technician)"),
}

# Default assessment criteria and weights of a programme (目标达成 40, 出师考核 30, 过程记录 15, 互评 15).
DEFAULT_CRITERIA = [
    {"code": "goals", "name": "目标达成", "weight": 40},
    {"code": "final_test", "name": "出师考核", "weight": 30},
    {"code": "records", "name": "过程记录", "weight": 15},
    {"code": "mutual", "name": "互评", "weight": 15},
]


def default_criteria():
    return [dict(c) for c in DEFAULT_CRITERIA]


class ProgrammeKind(enum.StrEnum):
    MASTER_APPRENTICE = "master_apprentice"  # 名师带徒
    GRADUATE_STUDENT = "graduate_student"  # 手拉手 (graduate – student)


KIND_LABELS = {
    ProgrammeKind.MASTER_APPRENTICE: _l("Master and apprentice"),
    ProgrammeKind.GRADUATE_STUDENT: _l("Graduate and student (hand in hand)"),
}


class PairingMode(enum.StrEnum):
    ASSIGNED = "assigned"
    TWO_WAY = "two_way"
    OPEN_APPLICATION = "open_application"


PAIRING_MODE_LABELS = {
    PairingMode.ASSIGNED: _l("Assigned"),
    PairingMode.TWO_WAY: _l("Two-way choice"),
    PairingMode.OPEN_APPLICATION: _l("Open application"),
}


class SameUnit(enum.StrEnum):
    ANY = "any"
    REQUIRED = "required"
    FORBIDDEN = "forbidden"


SAME_UNIT_LABELS = {
    SameUnit.ANY: _l("Any unit"),
    SameUnit.REQUIRED: _l("Own unit only"),
    SameUnit.FORBIDDEN: _l("Never the own unit"),
}


class LogCadence(enum.StrEnum):
    """How often the apprentice writes a log (手拉手 pairs meet more often than a year-long pairing)."""
    MONTHLY = "monthly"
    FORTNIGHTLY = "fortnightly"


LOG_CADENCE_LABELS = {
    LogCadence.MONTHLY: _l("Monthly"),
    LogCadence.FORTNIGHTLY: _l("Every two weeks"),
}
LOG_CADENCE_DAYS = {LogCadence.MONTHLY: 30, LogCadence.FORTNIGHTLY: 14}

# Commendation tiers of a programme: name, places and prize money per pair (yuan, a string so JSON
# keeps it exact). The published local rules: small quotas, e.g. 11 pairs in one tier.
DEFAULT_COMMENDATION_TIERS = [
    {"name": "十佳师徒", "count": 11, "prize": "2000"},
]


def default_commendation_tiers():
    return [dict(t) for t in DEFAULT_COMMENDATION_TIERS]


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    MATCHING = "matching"
    ACTIVE = "active"
    CLOSED = "closed"


PROGRAMME_STATUS_LABELS = {
    ProgrammeStatus.DRAFT: _l("Draft"),
    ProgrammeStatus.MATCHING: _l("Matching"),
    ProgrammeStatus.ACTIVE: _l("Under way"),
    ProgrammeStatus.CLOSED: _l("Closed"),
}


class PairScope(enum.StrEnum):
    UNIT = "unit"
    INDUSTRY = "industry"
    SYSTEM = "system"


SCOPE_LABELS = {
    PairScope.UNIT: _l("Same unit"),
    PairScope.INDUSTRY: _l("Same district or industry union"),
    PairScope.SYSTEM: _l("Across the system"),
}


class PairStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


PAIR_STATUS_LABELS = {
    PairStatus.PROPOSED: _l("Proposed"),
    PairStatus.ACCEPTED: _l("Accepted"),
    PairStatus.REJECTED: _l("Rejected"),
}

# The engine's reason codes (app.matching.UNMATCHED_REASONS).
UNMATCHED_REASON_LABELS = {
    "no_master_in_trade": _l("No master of this trade"),
    "rules": _l("Every master of the trade is ruled out by the programme's rules"),
    "masters_full": _l("The eligible masters' places are all taken"),
}


class Master(TimestampMixin, db.Model):
    """A master on the register: one row per person."""

    __tablename__ = "apprenticeship_master"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True, nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True, nullable=False)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trade.id"), index=True, nullable=False)
    level: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    honours: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    studio_name: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    capacity: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=DEFAULT_CAPACITY)
    years_in_post: Mapped[int | None] = mapped_column(sa.SmallInteger)
    safety_violation_on: Mapped[date | None] = mapped_column(sa.Date)  # the latest, if any
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    user: Mapped[User] = relationship()
    unit: Mapped[Organization] = relationship()
    trade: Mapped[Trade] = relationship()

    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="master_level_range"),
        sa.CheckConstraint(f"capacity BETWEEN 0 AND {MAX_CAPACITY}", name="master_capacity_range"),
    )


class ApprenticeProfile(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_apprentice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True, nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True, nullable=False)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trade.id"), index=True, nullable=False)
    level: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    hire_date: Mapped[date | None] = mapped_column(sa.Date)

    user: Mapped[User] = relationship()
    unit: Mapped[Organization] = relationship()
    trade: Mapped[Trade] = relationship()
    preferences: Mapped[list["Preference"]] = relationship(order_by="Preference.rank",
                                                           cascade="all, delete-orphan")

    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 5", name="apprentice_level_range"),)


class Preference(db.Model):
    """A master the apprentice would like, `rank` 1 = first choice."""

    __tablename__ = "apprenticeship_preference"

    apprentice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("apprenticeship_apprentice.id", ondelete="CASCADE"), primary_key=True)
    master_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_master.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)

    master: Mapped[Master] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("apprentice_id", "rank", name="uq_preference_rank"),
        sa.CheckConstraint("rank BETWEEN 1 AND 5", name="preference_rank_range"),
    )


class AvoidedMaster(db.Model):
    """A master the apprentice must never be paired with."""

    __tablename__ = "apprenticeship_avoid"

    apprentice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("apprenticeship_apprentice.id", ondelete="CASCADE"), primary_key=True)
    master_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_master.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class Programme(TimestampMixin, db.Model):
    """A pairing programme of one cycle. Rules off by default: same trade only
    (`max_level_gap` None = no level rule; when set, the master is 0…N grades more senior)."""

    __tablename__ = "apprenticeship_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    cycle: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="")  # e.g. 2025–2026
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind, "apprenticeship_kind"), nullable=False,
                                                default=ProgrammeKind.MASTER_APPRENTICE)
    pairing_mode: Mapped[PairingMode] = mapped_column(str_enum(PairingMode, "pairing_mode"), nullable=False,
                                                      default=PairingMode.ASSIGNED)
    default_months: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=12)
    stipend_monthly: Mapped[Decimal | None] = mapped_column(MONEY)
    bonus: Mapped[Decimal | None] = mapped_column(MONEY)
    max_level_gap: Mapped[int | None] = mapped_column(sa.SmallInteger)
    same_unit: Mapped[SameUnit] = mapped_column(str_enum(SameUnit, "same_unit_rule"), nullable=False,
                                                default=SameUnit.ANY)
    criteria: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=default_criteria)
    # Stipend paid by the final grade: 优秀 100 %, 合格 50 %, 不合格 0 (of stipend_monthly × months).
    stipend_pct_excellent: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=100)
    stipend_pct_pass: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=50)
    stipend_pct_fail: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    # The outcome bonus goes to the master once per apprentice who reaches 技师 (grade 2) or places in
    # a competition within this many years of the agreement's start.
    bonus_window_years: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=3)
    # Assessment grades from the final score: 优秀 from `grade_excellent_from`, 合格 from `grade_pass_from`.
    grade_excellent_from: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False, default=Decimal(85),
                                                          server_default="85")
    grade_pass_from: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False, default=Decimal(60),
                                                     server_default="60")
    log_cadence: Mapped[LogCadence] = mapped_column(str_enum(LogCadence, "log_cadence"), nullable=False,
                                                    default=LogCadence.MONTHLY)
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    commendation_tiers: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=default_commendation_tiers)
    public_vote: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    status: Mapped[ProgrammeStatus] = mapped_column(str_enum(ProgrammeStatus, "apprenticeship_status"),
                                                    nullable=False, default=ProgrammeStatus.DRAFT)

    organiser: Mapped[Organization | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("max_level_gap IS NULL OR max_level_gap >= 0", name="programme_gap_range"),
        sa.CheckConstraint("default_months > 0", name="programme_months_positive"),
        sa.CheckConstraint("stipend_monthly IS NULL OR stipend_monthly >= 0", name="programme_stipend_positive"),
        sa.CheckConstraint("bonus IS NULL OR bonus >= 0", name="programme_bonus_positive"),
        sa.CheckConstraint("stipend_pct_excellent BETWEEN 0 AND 100 AND stipend_pct_pass BETWEEN 0 AND 100"
                           " AND stipend_pct_fail BETWEEN 0 AND 100", name="programme_stipend_pct_range"),
        sa.CheckConstraint("bonus_window_years > 0", name="programme_bonus_window_positive"),
        sa.CheckConstraint("grade_pass_from >= 0 AND grade_excellent_from >= grade_pass_from"
                           " AND grade_excellent_from <= 100", name="programme_grade_thresholds"),
    )

    def stipend_pct(self, grade):
        """The share of the stipend a final grade earns (an `AgreementGrade` value)."""
        return {"excellent": self.stipend_pct_excellent, "pass": self.stipend_pct_pass,
                "fail": self.stipend_pct_fail}[str(grade)]

    def grade_for(self, score):
        """The grade (an `AgreementGrade` value) a final score earns under this programme's thresholds."""
        if score >= self.grade_excellent_from:
            return "excellent"
        return "pass" if score >= self.grade_pass_from else "fail"

    def __str__(self):
        return self.name


class ProposedPair(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_programme.id", ondelete="CASCADE"),
                                              nullable=False)
    master_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_master.id"), index=True, nullable=False)
    apprentice_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_apprentice.id"), index=True,
                                               nullable=False)
    scope: Mapped[PairScope] = mapped_column(str_enum(PairScope, "pair_scope"), nullable=False)
    preference_rank: Mapped[int | None] = mapped_column(sa.SmallInteger)
    level_gap: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    status: Mapped[PairStatus] = mapped_column(str_enum(PairStatus, "pair_status"), nullable=False,
                                               default=PairStatus.PROPOSED)
    # Acceptance by each side (two-way choice needs all three; assigned mode only the staff's).
    staff_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    master_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    apprentice_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))

    programme: Mapped[Programme] = relationship()
    master: Mapped[Master] = relationship()
    apprentice: Mapped[ApprenticeProfile] = relationship()

    __table_args__ = (sa.UniqueConstraint("programme_id", "apprentice_id", name="uq_pair_programme_apprentice"),
                      # the pair list: one programme's pairs in id order, and by status in id order
                      sa.Index("ix_apprenticeship_pair_programme_id", "programme_id", "id"),
                      sa.Index("ix_apprenticeship_pair_programme_status", "programme_id", "status", "id"))


class UnmatchedApprentice(db.Model):
    __tablename__ = "apprenticeship_unmatched"

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("apprenticeship_programme.id", ondelete="CASCADE"), primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_apprentice.id"), primary_key=True,
                                               index=True)
    reason: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # UNMATCHED_REASON_LABELS key

    apprentice: Mapped[ApprenticeProfile] = relationship()
