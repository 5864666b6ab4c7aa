"""Reports of funded studios: fund use (经费使用), mid-term (中期) and final (结题) reports.

A report is due on the programme's dates (mid-term on `midterm_report_due`, the
final and the fund-use report on `final_report_due`). The studio's leader fills
spend per category (设备 / 培训 / 课题 / 推广 / 其他) with receipts and the results
(patents, projects, trainees, benefit in yuan), submits it; staff accept it or
return it with a reason. Not submitted after the due date = overdue.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.innovation.models import MONEY, Application, Programme, Studio


class ReportKind(enum.StrEnum):
    FUND_USE = "fund_use"
    MIDTERM = "midterm"
    FINAL = "final"


REPORT_KIND_LABELS = {
    ReportKind.FUND_USE: _l("Fund-use report"),
    ReportKind.MIDTERM: _l("Mid-term report"),
    ReportKind.FINAL: _l("Final report"),
}


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Not submitted"),
    ReportStatus.SUBMITTED: _l("Submitted"),
    ReportStatus.RETURNED: _l("Returned for changes"),
    ReportStatus.ACCEPTED: _l("Accepted"),
}


class SpendCategory(enum.StrEnum):
    EQUIPMENT = "equipment"  # 设备
    TRAINING = "training"  # 培训
    RESEARCH = "research"  # 课题
    PROMOTION = "promotion"  # 推广
    OTHER = "other"  # 其他


SPEND_CATEGORY_LABELS = {
    SpendCategory.EQUIPMENT: _l("Equipment"),
    SpendCategory.TRAINING: _l("Training"),
    SpendCategory.RESEARCH: _l("Research projects"),
    SpendCategory.PROMOTION: _l("Promotion"),
    SpendCategory.OTHER: _l("Other"),
}
# The report's column holding each category's spend.
SPEND_COLUMNS = {category: f"spend_{category.value}" for category in SpendCategory}


class StudioReport(TimestampMixin, db.Model):
    __tablename__ = "innovation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False)
    studio_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_studio.id"), nullable=False, index=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"), nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "report_status"), nullable=False,
                                                 default=ReportStatus.DRAFT)
    spend_equipment: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    spend_training: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    spend_research: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    spend_promotion: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    spend_other: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    patents: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    projects: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    trainees: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    benefit_yuan: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    narrative: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_reason: Mapped[str | None] = mapped_column(sa.Text)

    programme: Mapped[Programme] = relationship()
    application: Mapped[Application] = relationship()
    studio: Mapped[Studio] = relationship()
    receipts: Mapped[list["ReportReceipt"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                           order_by="ReportReceipt.id")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", name="uq_innovation_report_application_kind"),
        sa.CheckConstraint("spend_equipment >= 0 AND spend_training >= 0 AND spend_research >= 0 "
                           "AND spend_promotion >= 0 AND spend_other >= 0", name="spend_non_negative"),
        sa.CheckConstraint("patents >= 0 AND projects >= 0 AND trainees >= 0 AND benefit_yuan >= 0",
                           name="results_non_negative"),
    )

    def spend(self, category):
        return getattr(self, SPEND_COLUMNS[SpendCategory(category)])

    @property
    def spend_by_category(self):
        return {category: self.spend(category) for category in SpendCategory}

    @property
    def total_spend(self):
        return sum(self.spend_by_category.values(), Decimal(0))

    def receipts_total(self, category):
        return sum((r.amount for r in self.receipts if r.category == category), Decimal(0))

    @property
    def editable(self):
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    def is_overdue(self, today=None):
        """Not submitted (or returned and not resubmitted) after its due date."""
        return self.editable and self.due_on < (today or date.today())

    def is_leader(self, user):
        return self.studio.is_led_by(user)

    def __str__(self):
        return f"{self.studio.name} · {REPORT_KIND_LABELS[self.kind]}"


def overdue_condition(today):
    """SQL: the report is overdue on `today` (the same rule as `is_overdue`)."""
    return sa.and_(StudioReport.status.in_((ReportStatus.DRAFT, ReportStatus.RETURNED)),
                   StudioReport.due_on < today)


class ReportReceipt(db.Model):
    """A receipt (票据) behind a report's spend in one category; stored outside static/."""

    __tablename__ = "innovation_report_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_report.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    category: Mapped[SpendCategory] = mapped_column(str_enum(SpendCategory, "spend_category"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    report: Mapped[StudioReport] = relationship(back_populates="receipts")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)
