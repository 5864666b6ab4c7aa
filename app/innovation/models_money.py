"""Money: grants (资助) and the append-only ledger of a programme.

A grant is what one approved application is awarded, with the payee unit and
its bank details. Every movement of money is a `LedgerEntry`; entries are never
updated or deleted (the ORM refuses both), a mistake is reversed by a new entry
whose `corrects_id` names the entry it cancels.

Amounts are positive; the kind gives the direction, and a correction reverses
the entry it corrects:

    award       the grant's awarded amount goes up
    payment     paid to the payee (a tranche): the grant's and the programme's paid totals go up
    refund      returned by the payee: both paid totals go down
    adjustment  on a grant: the awarded amount goes down (核减; 0 records a change such as new bank
                details); without a grant: other spending charged to the programme's budget

Balances are derived from the ledger by SQL aggregates (`money.balances`). The
guard against overpaying lives in the database: `Grant.amount` / `Grant.paid_total`
and `Programme.paid_amount` are running totals moved by conditional UPDATEs in the
same transaction as the entry, and CHECK constraints refuse a grant paid beyond
its award or a programme paid beyond its budget, so two people paying the last
remaining amount at once cannot both succeed.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User
from app.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.innovation.models import MONEY, Application, Programme, Studio


class LedgerKind(enum.StrEnum):
    AWARD = "award"
    PAYMENT = "payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


LEDGER_KIND_LABELS = {
    LedgerKind.AWARD: _l("Grant awarded"),
    LedgerKind.PAYMENT: _l("Payment"),
    LedgerKind.REFUND: _l("Refund"),
    LedgerKind.ADJUSTMENT: _l("Adjustment"),
}


class Grant(db.Model):
    """资助: what one approved application is awarded, and who receives it."""

    __tablename__ = "innovation_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id"), nullable=False,
                                              index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id"), nullable=False,
                                                unique=True)
    studio_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_studio.id"), index=True)
    payee_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False)
    account_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)  # 户名
    bank_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)  # 开户行
    account_number: Mapped[str] = mapped_column(sa.String(40), nullable=False)  # 账号
    # Running totals, moved only by ledger entries (money._post); the CHECKs guard them.
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0), server_default="0")
    paid_total: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0), server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    programme: Mapped[Programme] = relationship()
    application: Mapped[Application] = relationship()
    studio: Mapped[Studio | None] = relationship()
    payee_unit: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="amount_non_negative"),
        sa.CheckConstraint("paid_total >= 0", name="paid_non_negative"),
        sa.CheckConstraint("paid_total <= amount", name="paid_within_award"),
    )

    @property
    def outstanding(self):
        return self.amount - self.paid_total

    def visible_to(self, user):
        """Staff, and the leader of the studio (or the applicant) the grant belongs to."""
        from app.access import is_staff

        if is_staff(user):
            return True
        return user.is_authenticated and (
            (self.studio is not None and self.studio.leader_id == user.id)
            or self.application.applicant_id == user.id)

    def __str__(self):
        return f"{self.application.number} {self.application.title}"


class LedgerEntry(db.Model):
    """One movement of money; append-only."""

    __tablename__ = "innovation_ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id"), nullable=False)
    grant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_grant.id"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(str_enum(LedgerKind, "ledger_kind"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    entry_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    voucher_no: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")  # 凭证号
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A correction reverses the entry it names (each entry is corrected at most once).
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_ledger_entry.id"), unique=True)

    grant: Mapped[Grant | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    corrects: Mapped["LedgerEntry | None"] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("amount > 0 OR (kind = 'adjustment' AND amount = 0)", name="amount_positive"),
        sa.CheckConstraint("grant_id IS NOT NULL OR kind = 'adjustment'", name="grant_or_adjustment"),
        sa.Index("ix_innovation_ledger_entry_programme", "programme_id", "entry_date", "id"),
    )

    @property
    def is_correction(self):
        return self.corrects_id is not None


class AppendOnlyError(RuntimeError):
    """Code tried to change or remove a ledger entry."""


def _refuse_change(mapper, connection, target):
    raise AppendOnlyError("ledger entries are append-only: record a correction instead")


sa.event.listen(LedgerEntry, "before_update", _refuse_change)
sa.event.listen(LedgerEntry, "before_delete", _refuse_change)
