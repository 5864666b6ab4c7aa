"""The stipend ledger's writes and reads: monthly accrual, settlement at the final grade, totals.

`accrue(month)` writes one accrual of the agreement's `stipend_monthly` for every agreement in
force that month (active or awaiting assessment, the month within [first month of `starts_on`,
month of `ends_on`) — whole months, no pro rata). Running it twice writes nothing more: the
partial unique index on (agreement, month) for accruals decides, so two runs at once cannot
both write either.

`settle(agreement)` is called when the final grade is set: one payment entry of
`Programme.stipend_pct(grade)` % of the accrued total, half-up to the fen.
"""
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import Organization
from app.apprenticeship.models import Master, Programme
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.errors import DomainError
from app.extensions import db

IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT)
CENT = Decimal("0.01")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text):
    """"2026-11" → date(2026, 11, 1); DomainError otherwise."""
    found = MONTH.match((text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise DomainError(_l("Write the month as YYYY-MM, e.g. 2026-11."), "month")
    return date(int(found.group(1)), int(found.group(2)), 1)


def first_of(day):
    return day.replace(day=1)


def in_force_during(month):
    """Agreements in force in `month` (a date of the 1st): a select."""
    return (sa.select(Agreement, Master.user_id, Master.unit_id)
            .join(Master, Master.id == Agreement.master_id)
            .where(Agreement.status.in_(IN_FORCE), Agreement.starts_on < _next_month(month),
                   Agreement.ends_on >= _next_month(month))
            .order_by(Agreement.id))


def _next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _entry(agreement, payee_id, unit_id, month, kind, amount, actor, note=""):
    return StipendEntry(agreement_id=agreement.id, apprentice_id=agreement.apprentice_id, month=month, kind=kind,
                        amount=amount, payee_id=payee_id, unit_id=unit_id, note=note[:300],
                        created_by_id=getattr(actor, "id", None))


def _months_counted(agreement, month):
    """Whole months from the agreement's first month up to (not including) the month of `ends_on`."""
    return first_of(agreement.starts_on) <= month < first_of(agreement.ends_on)


def accrue(actor, month):
    """One accrual per agreement in force in `month`; returns how many were written (0 on a rerun)."""
    month = first_of(month)
    done = set(db.session.scalars(sa.select(StipendEntry.agreement_id).where(
        StipendEntry.kind == EntryKind.ACCRUAL, StipendEntry.month == month)))
    written, total = 0, Decimal(0)
    for agreement, payee_id, unit_id in db.session.execute(in_force_during(month)):
        if agreement.id in done or not _months_counted(agreement, month) or not agreement.stipend_monthly:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(_entry(agreement, payee_id, unit_id, month, EntryKind.ACCRUAL,
                                      agreement.stipend_monthly, actor))
                db.session.flush()
        except IntegrityError:
            continue  # a concurrent run wrote it first
        written += 1
        total += agreement.stipend_monthly
    if written:
        audit.record(actor, "apprenticeship.stipend.accrue", ("StipendMonth", int(month.strftime("%Y%m"))),
                     after={"month": month.strftime("%Y-%m"), "entries": written, "total": str(total)})
    return written


def accrued_total(agreement_id):
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StipendEntry.amount), 0)).where(
        StipendEntry.agreement_id == agreement_id, StipendEntry.kind == EntryKind.ACCRUAL)) or Decimal(0)


def payable(programme, grade, accrued):
    return (Decimal(accrued) * Decimal(programme.stipend_pct(grade)) / 100).quantize(CENT, ROUND_HALF_UP)


def settle(actor, agreement, today=None):
    """The settlement at the final grade: one payment of the grade's share of the accrued total.
    Returns the entry, or None when it was already settled."""
    if agreement.grade is None:
        raise DomainError(_l("The agreement has no final grade yet."))
    existing = db.session.scalar(sa.select(StipendEntry).where(StipendEntry.agreement_id == agreement.id,
                                                               StipendEntry.kind == EntryKind.PAYMENT))
    if existing is not None:
        return None
    programme = db.session.get(Programme, agreement.programme_id)
    master = db.session.get(Master, agreement.master_id)
    accrued = Decimal(accrued_total(agreement.id))
    amount = payable(programme, agreement.grade, accrued)
    pct = programme.stipend_pct(agreement.grade)
    entry = _entry(agreement, master.user_id, master.unit_id, first_of(today or date.today()), EntryKind.PAYMENT,
                   amount, actor, note=f"{pct}% × {accrued}")
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        return None
    audit.record(actor, "apprenticeship.stipend.settle", agreement,
                 after={"grade": str(agreement.grade), "accrued": str(accrued), "percent": pct,
                        "paid": str(amount)})
    return entry


# ---------------------------------------------------------------- reads

def totals(unit_id=None, month_from=None, month_to=None, within=""):
    """Sums per unit, month and kind in one query: [(unit id, unit name, month, kind, total)].
    `within`: an organisation path the units must lie in (the staff member's coverage)."""
    query = (sa.select(StipendEntry.unit_id, Organization.name, StipendEntry.month, StipendEntry.kind,
                       sa.func.sum(StipendEntry.amount))
             .join(Organization, Organization.id == StipendEntry.unit_id)
             .group_by(StipendEntry.unit_id, Organization.name, StipendEntry.month, StipendEntry.kind)
             .order_by(Organization.name, StipendEntry.unit_id, StipendEntry.month))
    return db.session.execute(filtered(query, unit_id, month_from, month_to, within)).all()


def filtered(query, unit_id, month_from, month_to, within=""):
    """Filters of ledger reads (the query joins Organization on the entry's unit)."""
    if within:
        query = query.where(Organization.path.startswith(within))
    if unit_id:
        query = query.where(StipendEntry.unit_id == unit_id)
    if month_from:
        query = query.where(StipendEntry.month >= month_from)
    if month_to:
        query = query.where(StipendEntry.month <= month_to)
    return query


def table(unit_id=None, month_from=None, month_to=None, within=""):
    """The totals as page rows: one per unit × month, a column per kind, plus per-kind grand totals."""
    rows, grand = {}, {kind: Decimal("0.00") for kind in EntryKind}
    for unit, name, month, kind, total in totals(unit_id, month_from, month_to, within):
        row = rows.setdefault((unit, month), {"unit_id": unit, "unit": name, "month": month,
                                              **{k.value: Decimal("0.00") for k in EntryKind}})
        row[EntryKind(kind).value] += Decimal(total)
        grand[EntryKind(kind)] += Decimal(total)
    return list(rows.values()), {k.value: v for k, v in grand.items()}


def units_with_entries(within=""):
    query = sa.select(Organization.id, Organization.name).where(
        Organization.id.in_(sa.select(StipendEntry.unit_id).distinct())).order_by(Organization.name)
    if within:
        query = query.where(Organization.path.startswith(within))
    return db.session.execute(query).all()


def entries_of(agreement_id):
    return db.session.scalars(sa.select(StipendEntry).where(StipendEntry.agreement_id == agreement_id)
                              .order_by(StipendEntry.month, StipendEntry.id)).all()


def previous_month(today=None):
    today = today or date.today()
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def _accrue_job():
    """Huey, on the 1st of each month: accrue the month that just ended (idempotent, so a rerun or
    a staff member's run of the same month changes nothing)."""
    from app import jobs

    with jobs.get_app().app_context():
        try:
            accrue(None, previous_month())
            db.session.commit()
        finally:
            db.session.remove()


def _register_periodic():
    from huey import crontab

    from app import jobs

    return jobs.huey.periodic_task(crontab(minute="10", hour="1", day="1"), name="apprenticeship_accrue")(
        _accrue_job)


accrue_monthly = _register_periodic()
