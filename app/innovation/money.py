"""Money services: award a grant, record payments / refunds / adjustments, correct an entry,
change the payee's bank details; and the balances derived from the ledger.

Every movement goes through `_post`: inside one SAVEPOINT it moves the running
totals with `UPDATE … SET x = x + :delta` (the row lock serialises concurrent
payments) and inserts the entry; a CHECK violation rolls the savepoint back and
becomes a DomainError, so nothing is written. See models_money for the sign rules.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit
from app.errors import DomainError
from app.extensions import db
from app.innovation.models import Application, ApplicationOutcome, Programme, Studio
from app.innovation.models_money import Grant, LedgerEntry, LedgerKind

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PAYEE_FIELDS = ("payee_unit_id", "account_name", "bank_name", "account_number")


@dataclass(frozen=True)
class Effect:
    """How an entry moves the running totals (before a correction's reversal)."""

    award: Decimal = ZERO  # Grant.amount
    grant_paid: Decimal = ZERO  # Grant.paid_total
    programme_paid: Decimal = ZERO  # Programme.paid_amount


def effect(kind, amount, has_grant, reverse=False):
    sign = -1 if reverse else 1
    a = amount * sign
    if kind == LedgerKind.AWARD:
        return Effect(award=a)
    if kind == LedgerKind.PAYMENT:
        return Effect(grant_paid=a, programme_paid=a)
    if kind == LedgerKind.REFUND:
        return Effect(grant_paid=-a, programme_paid=-a)
    if has_grant:  # adjustment of a grant: 核减
        return Effect(award=-a)
    return Effect(programme_paid=a)  # programme-level spending


def _refusal(error, kind, reverse):
    """The CHECK a movement broke, as the message a person understands."""
    text = str(error.orig)
    if "paid_within_budget" in text:
        return _l("The payment exceeds the programme's budget.")
    if "paid_within_award" in text:
        if kind in (LedgerKind.ADJUSTMENT, LedgerKind.AWARD):
            return _l("The grant cannot be reduced below what has already been paid.")
        return _l("The payment exceeds what remains of the grant.")
    if "paid_non_negative" in text:
        if kind == LedgerKind.REFUND and not reverse:
            return _l("The refund exceeds what has been paid.")
        return _l("This would leave less than nothing paid.")
    if "amount_non_negative" in text:
        return _l("The adjustment exceeds the awarded amount.")
    raise error


def _post(actor, programme, grant, kind, amount, entry_date, voucher_no="", note="", corrects=None):
    """Insert one entry and move the running totals, all or nothing."""
    fx = effect(kind, amount, grant is not None, reverse=corrects is not None)
    entry = LedgerEntry(programme_id=programme.id, grant_id=grant.id if grant else None, kind=kind, amount=amount,
                        entry_date=entry_date, voucher_no=voucher_no, note=note,
                        recorded_by_id=actor.id if actor else None,
                        corrects_id=corrects.id if corrects else None)
    try:
        with db.session.begin_nested():
            # The UPDATEs come first: they lock the guarded rows, so a concurrent payment waits
            # here and then re-checks against the committed totals.
            if grant is not None and (fx.award or fx.grant_paid):
                db.session.execute(
                    sa.update(Grant).where(Grant.id == grant.id)
                    .values(amount=Grant.amount + fx.award, paid_total=Grant.paid_total + fx.grant_paid)
                    .execution_options(synchronize_session=False))
            if fx.programme_paid:
                db.session.execute(
                    sa.update(Programme).where(Programme.id == programme.id)
                    .values(paid_amount=Programme.paid_amount + fx.programme_paid)
                    .execution_options(synchronize_session=False))
            db.session.add(entry)
            db.session.flush()
    except IntegrityError as error:
        if corrects is not None and "corrects_id" in str(error.orig):
            raise DomainError(_l("This entry has already been corrected.")) from None
        raise DomainError(_refusal(error, kind, corrects is not None), "amount") from None
    if grant is not None:
        db.session.expire(grant, ["amount", "paid_total"])
    db.session.expire(programme, ["paid_amount"])
    return entry


def _entry_snapshot(entry):
    return {"kind": entry.kind.value, "amount": str(entry.amount), "entry_date": entry.entry_date.isoformat(),
            "voucher_no": entry.voucher_no, "grant_id": entry.grant_id, "corrects_id": entry.corrects_id,
            "note": entry.note}


def _check_amount(amount, allow_zero=False):
    if amount is None:
        raise DomainError(_l("Enter an amount."), "amount")
    amount = Decimal(amount)
    if amount != amount.quantize(CENT):
        raise DomainError(_l("Amounts are in yuan with at most two decimals."), "amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(_l("The amount must be more than zero."), "amount")
    return amount.quantize(CENT)


def _clean_payee(payee):
    values = {k: (payee.get(k) or "").strip() if k != "payee_unit_id" else payee.get(k) for k in PAYEE_FIELDS}
    if not values["payee_unit_id"]:
        raise DomainError(_l("Choose the payee unit."), "payee_unit_id")
    for key, message in (("account_name", _l("Enter the account name.")), ("bank_name", _l("Enter the bank.")),
                         ("account_number", _l("Enter the account number."))):
        if not values[key]:
            raise DomainError(message, key)
    number = values["account_number"].replace(" ", "")
    if not number.isdigit() or not 8 <= len(number) <= 32:
        raise DomainError(_l("A bank account number is 8 to 32 digits."), "account_number")
    values["account_number"] = number
    return values


# ---------------------------------------------------------------- writes

def award(actor, application, amount=None, *, entry_date=None, voucher_no="", note="", **payee):
    """Create the grant of an approved application and its award entry.

    `amount` defaults to the proposed amount; `payee` holds payee_unit_id (default: the
    applying unit), account_name, bank_name and account_number.
    """
    if application.outcome != ApplicationOutcome.APPROVED:
        raise DomainError(_l("Only an approved application can be awarded a grant."))
    amount = _check_amount(application.proposed_amount if amount is None else amount)
    payee.setdefault("payee_unit_id", application.unit_id)
    values = _clean_payee(payee)
    if db.session.scalar(sa.select(Grant.id).where(Grant.application_id == application.id)) is not None:
        raise DomainError(_l("This application already has a grant."))
    programme = db.session.get(Programme, application.programme_id)
    grant = Grant(programme_id=programme.id, application_id=application.id, studio_id=application.studio_id,
                  **values)
    db.session.add(grant)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a double click raced us to the same application
        raise DomainError(_l("This application already has a grant.")) from None
    entry = _post(actor, programme, grant, LedgerKind.AWARD, amount, entry_date or date.today(), voucher_no, note)
    audit.record(actor, "innovation.grant.award", grant,
                 after={"application_id": application.id, "amount": str(amount), **values})
    return grant, entry


def record(actor, programme, kind, amount, entry_date, *, grant=None, voucher_no="", note=""):
    """Record a payment (a tranche), a refund or an adjustment."""
    kind = LedgerKind(kind)
    if kind == LedgerKind.AWARD:
        raise DomainError(_l("Awards are made from an approved application."), "kind")
    if grant is not None and grant.programme_id != programme.id:
        raise DomainError(_l("This grant belongs to another programme."), "grant_id")
    if grant is None and kind != LedgerKind.ADJUSTMENT:
        raise DomainError(_l("Choose the grant this payment or refund belongs to."), "grant_id")
    if entry_date is None:
        raise DomainError(_l("Enter the date."), "entry_date")
    voucher_no, note = (voucher_no or "").strip(), (note or "").strip()
    if kind in (LedgerKind.PAYMENT, LedgerKind.REFUND) and not voucher_no:
        raise DomainError(_l("Enter the voucher number."), "voucher_no")
    if kind == LedgerKind.ADJUSTMENT and not note:
        raise DomainError(_l("Say what the adjustment is for."), "note")
    amount = _check_amount(amount, allow_zero=kind == LedgerKind.ADJUSTMENT and grant is not None)
    entry = _post(actor, programme, grant, kind, amount, entry_date, voucher_no, note)
    audit.record(actor, "innovation.ledger.record", entry, after=_entry_snapshot(entry))
    return entry


def correct(actor, entry, entry_date, note):
    """Reverse `entry` with a new entry of the same kind and amount."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Say why the entry is corrected."), "note")
    if entry.corrects_id is not None:
        raise DomainError(_l("A correction cannot itself be corrected; record a new entry instead."))
    if entry.kind == LedgerKind.AWARD:
        raise DomainError(_l("An award is reduced with an adjustment, not corrected."))
    if db.session.scalar(sa.select(LedgerEntry.id).where(LedgerEntry.corrects_id == entry.id)) is not None:
        raise DomainError(_l("This entry has already been corrected."))
    programme = db.session.get(Programme, entry.programme_id)
    correction = _post(actor, programme, entry.grant, entry.kind, entry.amount, entry_date or date.today(),
                       entry.voucher_no, note, corrects=entry)
    audit.record(actor, "innovation.ledger.correct", correction, before=_entry_snapshot(entry),
                 after=_entry_snapshot(correction))
    return correction


def has_payments(grant):
    return db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry).where(
        LedgerEntry.grant_id == grant.id, LedgerEntry.kind == LedgerKind.PAYMENT)) > 0


def change_payee(actor, grant, *, entry_date=None, reason="", **payee):
    """New payee bank details: edited freely until the first payment; afterwards a
    zero adjustment entry records the change (with its reason) in the ledger."""
    values = _clean_payee(payee)
    before = {k: getattr(grant, k) for k in PAYEE_FIELDS}
    if values == before:
        return None
    entry = None
    if has_payments(grant):
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_l("Payments have been made: say why the bank details change."), "reason")
        note = str(_l("Bank details changed: %(reason)s (was %(name)s, %(bank)s, %(number)s)", reason=reason,
                      name=before["account_name"], bank=before["bank_name"], number=before["account_number"]))
        programme = db.session.get(Programme, grant.programme_id)
        entry = _post(actor, programme, grant, LedgerKind.ADJUSTMENT, ZERO, entry_date or date.today(), "", note)
    for key, value in values.items():
        setattr(grant, key, value)
    db.session.flush()
    audit.record(actor, "innovation.grant.payee", grant, before=before, after=values)
    return entry


# ---------------------------------------------------------------- derived balances

def _signed(condition):
    sign = sa.case((LedgerEntry.corrects_id.is_(None), 1), else_=-1)
    return sa.func.coalesce(sa.func.sum(sa.case((condition, LedgerEntry.amount * sign), else_=0)), 0)


def balance_columns():
    """awarded, paid, refunded, programme-level spending: sums over the ledger."""
    return (
        (_signed(LedgerEntry.kind == LedgerKind.AWARD)
         - _signed(sa.and_(LedgerEntry.kind == LedgerKind.ADJUSTMENT, LedgerEntry.grant_id.is_not(None))))
        .label("awarded"),
        _signed(LedgerEntry.kind == LedgerKind.PAYMENT).label("payments"),
        _signed(LedgerEntry.kind == LedgerKind.REFUND).label("refunds"),
        _signed(sa.and_(LedgerEntry.kind == LedgerKind.ADJUSTMENT, LedgerEntry.grant_id.is_(None)))
        .label("other"),
    )


@dataclass(frozen=True)
class Balance:
    awarded: Decimal
    payments: Decimal
    refunds: Decimal
    other: Decimal = ZERO  # programme-level spending

    @property
    def paid(self):
        return self.payments - self.refunds

    @property
    def outstanding(self):
        return self.awarded - self.paid

    @property
    def spent(self):
        return self.paid + self.other


def _balance(row):
    return Balance(*(Decimal(v or 0).quantize(CENT) for v in row))


def grant_balances(programme_id):
    """{grant id: Balance} from the ledger, one query."""
    rows = db.session.execute(sa.select(LedgerEntry.grant_id, *balance_columns())
                              .where(LedgerEntry.programme_id == programme_id, LedgerEntry.grant_id.is_not(None))
                              .group_by(LedgerEntry.grant_id))
    return {row[0]: _balance(row[1:]) for row in rows}


def programme_balance(programme_id):
    row = db.session.execute(sa.select(*balance_columns()).where(LedgerEntry.programme_id == programme_id)).one()
    return _balance(row)


# ---------------------------------------------------------------- reads for pages

def grants(programme_id):
    return db.session.scalars(
        sa.select(Grant).where(Grant.programme_id == programme_id)
        .options(joinedload(Grant.application), joinedload(Grant.payee_unit), joinedload(Grant.studio))
        .join(Application, Application.id == Grant.application_id).order_by(Application.number)
    ).all()


def awaiting_grant(programme_id):
    """Approved applications with an amount but no grant yet: finance enters the payee and awards them."""
    has_grant = sa.select(Grant.application_id)
    return db.session.scalars(
        sa.select(Application).where(Application.programme_id == programme_id,
                                     Application.outcome == ApplicationOutcome.APPROVED,
                                     Application.proposed_amount.is_not(None), Application.id.not_in(has_grant))
        .order_by(Application.number)).all()


def ledger(programme_id, grant_id=None):
    """The ledger, newest first (a select() for pagination)."""
    query = (sa.select(LedgerEntry).where(LedgerEntry.programme_id == programme_id)
             .options(joinedload(LedgerEntry.grant).joinedload(Grant.application),
                      joinedload(LedgerEntry.recorded_by))
             .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc()))
    if grant_id is not None:
        query = query.where(LedgerEntry.grant_id == grant_id)
    return query


def corrected_ids(programme_id):
    return set(db.session.scalars(sa.select(LedgerEntry.corrects_id).where(
        LedgerEntry.programme_id == programme_id, LedgerEntry.corrects_id.is_not(None))))


def grants_of_leader(user):
    """The grants of studios this person leads, or of applications they made."""
    return db.session.scalars(
        sa.select(Grant).join(Application, Application.id == Grant.application_id)
        .outerjoin(Studio, Studio.id == Grant.studio_id)
        .where(sa.or_(Studio.leader_id == user.id, Application.applicant_id == user.id))
        .options(joinedload(Grant.application), joinedload(Grant.programme), joinedload(Grant.payee_unit),
                 joinedload(Grant.studio))
        .order_by(Grant.created_at.desc())
    ).unique().all()
