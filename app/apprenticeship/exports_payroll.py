"""The payroll workbook (工资表): what the ledger says each unit pays, by unit and month.

One sheet with a unit column: a row per entry of a payable kind (stipend payment, outcome bonus,
adjustment) — unit, payee name, username, apprentice, month, kind, amount — then a total row
after each unit's rows and a grand total at the end. Text cells go through `app.excel` (formula
neutralising); amounts are Decimals written as numbers. One query for the rows.
"""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app import excel
from app.accounts.models import Organization, User
from app.apprenticeship.models import ApprenticeProfile
from app.apprenticeship.models_stipends import ENTRY_KIND_LABELS, PAYABLE_KINDS, EntryKind, StipendEntry
from app.apprenticeship.stipends import filtered as _filtered
from app.extensions import db

HEADERS = ["单位 unit", "收款人 payee", "用户名 username", "徒弟 apprentice", "月份 month", "类别 kind",
           "金额 amount (元)"]


def rows(unit_id=None, month_from=None, month_to=None, kinds=PAYABLE_KINDS, within=""):
    payee, apprentice_user = aliased(User), aliased(User)
    query = (sa.select(StipendEntry.unit_id, Organization.name, payee.name, payee.username, apprentice_user.name,
                       StipendEntry.month, StipendEntry.kind, StipendEntry.amount)
             .join(Organization, Organization.id == StipendEntry.unit_id)
             .join(payee, payee.id == StipendEntry.payee_id)
             .join(ApprenticeProfile, ApprenticeProfile.id == StipendEntry.apprentice_id)
             .join(apprentice_user, apprentice_user.id == ApprenticeProfile.user_id)
             .where(StipendEntry.kind.in_(list(kinds)))
             .order_by(Organization.name, StipendEntry.unit_id, StipendEntry.month, payee.name, StipendEntry.id))
    return db.session.execute(_filtered(query, unit_id, month_from, month_to, within)).all()


def _lines(found):
    grand, current, subtotal, unit_name = Decimal(0), None, Decimal(0), None
    for unit_id, unit, payee, username, apprentice, month, kind, amount in found:
        if current is not None and unit_id != current:
            yield [f"{unit_name} 合计 total", None, None, None, None, None, subtotal]
            subtotal = Decimal(0)
        current, unit_name = unit_id, unit
        amount = Decimal(amount)
        subtotal += amount
        grand += amount
        yield [unit, payee, username, apprentice, month.strftime("%Y-%m"),
               str(ENTRY_KIND_LABELS[EntryKind(kind)]), amount]
    if current is not None:
        yield [f"{unit_name} 合计 total", None, None, None, None, None, subtotal]
    yield ["总计 grand total", None, None, None, None, None, grand]


def workbook(unit_id=None, month_from=None, month_to=None, within=""):
    """The payroll xlsx (bytes); `within` limits it to the units below an organisation path."""
    found = rows(unit_id, month_from, month_to, within=within)
    return excel.write_workbook([excel.Sheet("payroll", HEADERS, _lines(found), widths=[24, 14, 16, 14, 10, 14, 16])])
