"""The stipend ledger (带徒津贴): append-only entries, never updated or deleted.

One rule: the stipend accrues monthly (one accrual per agreement in force and month) and is
settled once, when the final grade is set: a payment of `Programme.stipend_pct(grade)` % of the
accrued total. Outcome bonuses (成果奖励) are entries too, once per apprentice. A correction is an
adjustment entry (positive or negative), never an edit.

Each entry names the payee (the master's user) and the unit whose payroll pays it (the master's
unit), so the payroll export reads the ledger alone. The database holds the once-only rules:
partial unique indexes on (agreement, month) for accruals, (agreement) for the settlement and
(apprentice) for the bonus, so two runs at once cannot both write.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User
from app.apprenticeship.models import MONEY, ApprenticeProfile
from app.apprenticeship.models_agreements import Agreement
from app.db import UTCDateTime, str_enum, utcnow
from app.extensions import db


class EntryKind(enum.StrEnum):
    ACCRUAL = "accrual"  # earned for a month, not yet payable
    PAYMENT = "payment"  # the settlement at the final grade: what is paid
    BONUS = "bonus"  # outcome bonus
    ADJUSTMENT = "adjustment"  # a correction, signed


ENTRY_KIND_LABELS = {
    EntryKind.ACCRUAL: _l("Accrued"),
    EntryKind.PAYMENT: _l("Stipend payment"),
    EntryKind.BONUS: _l("Outcome bonus"),
    EntryKind.ADJUSTMENT: _l("Adjustment"),
}

PAYABLE_KINDS = (EntryKind.PAYMENT, EntryKind.BONUS, EntryKind.ADJUSTMENT)


class StipendEntry(db.Model):
    __tablename__ = "apprenticeship_stipend_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id"), index=True,
                                              nullable=False)
    apprentice_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_apprentice.id"), index=True,
                                               nullable=False)
    month: Mapped[date] = mapped_column(sa.Date, nullable=False)  # the 1st of the month
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "stipend_entry_kind"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    payee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True, nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True, nullable=False)
    note: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    agreement: Mapped[Agreement] = relationship()
    apprentice: Mapped[ApprenticeProfile] = relationship()
    payee: Mapped[User] = relationship(foreign_keys=[payee_id])
    unit: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.Index("uq_apprenticeship_stipend_accrual", "agreement_id", "month", unique=True,
                 sqlite_where=sa.text("kind = 'accrual'"), postgresql_where=sa.text("kind = 'accrual'")),
        sa.Index("uq_apprenticeship_stipend_settlement", "agreement_id", unique=True,
                 sqlite_where=sa.text("kind = 'payment'"), postgresql_where=sa.text("kind = 'payment'")),
        sa.Index("uq_apprenticeship_stipend_bonus", "apprentice_id", unique=True,
                 sqlite_where=sa.text("kind = 'bonus'"), postgresql_where=sa.text("kind = 'bonus'")),
        sa.Index("ix_apprenticeship_stipend_unit_month", "unit_id", "month"),
        sa.CheckConstraint("kind = 'adjustment' OR amount >= 0", name="stipend_amount_positive"),
    )
