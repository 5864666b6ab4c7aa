"""The payroll workbook: rows per payable entry, totals per unit, a grand total, formulas neutralised."""
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.extensions import db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory, UserFactory


def test_payroll_workbook_by_unit_and_month(client, login, users):
    t, trade = tree(), TradeFactory()
    programme = make_programme()
    evil = UserFactory(name="=HYPERLINK(\"x\")", username="m_evil", organization=t["unit"])
    first = make_agreement(programme, make_master(t["unit"], trade, user=evil), make_apprentice(t["unit"], trade))
    second = make_agreement(programme, make_master(t["other_unit"], trade), make_apprentice(t["unit"], trade))
    entries = [(first, t["unit"], date(2026, 11, 1), EntryKind.PAYMENT, "1200.50"),
               (first, t["unit"], date(2026, 11, 1), EntryKind.BONUS, "1000"),
               (first, t["unit"], date(2026, 11, 1), EntryKind.ACCRUAL, "200"),  # accrued, not paid: not listed
               (second, t["other_unit"], date(2026, 10, 1), EntryKind.ADJUSTMENT, "-50.25"),
               (second, t["other_unit"], date(2026, 12, 1), EntryKind.PAYMENT, "300")]
    for agreement, unit, month, kind, amount in entries:
        db.session.add(StipendEntry(agreement_id=agreement.id, apprentice_id=agreement.apprentice_id, month=month,
                                    kind=kind, amount=Decimal(amount), payee_id=agreement.master.user_id,
                                    unit_id=unit.id))
    db.session.flush()

    login("admin")
    response = client.get("/apprenticeship/stipends/payroll.xlsx?lang=en&month_to=2026-11")
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "单位 unit" and rows[0][6] == "金额 amount (元)"
    first_apprentice = first.apprentice.user.name
    assert rows[1:] == [
        ["师徒乙厂", second.master.user.name, second.master.user.username, second.apprentice.user.name,
         "2026-10", "Adjustment", -50.25],
        ["师徒乙厂 合计 total", None, None, None, None, None, -50.25],
        ["师徒甲厂", "=HYPERLINK(\"x\")", "m_evil", first_apprentice, "2026-11", "Stipend payment", 1200.5],
        ["师徒甲厂", "=HYPERLINK(\"x\")", "m_evil", first_apprentice, "2026-11", "Outcome bonus", 1000],
        ["师徒甲厂 合计 total", None, None, None, None, None, 2200.5],
        ["总计 grand total", None, None, None, None, None, 2150.25],
    ]
    assert sheet["B4"].data_type == "s"  # the formula-like name stays text
    only_unit = client.get(f"/apprenticeship/stipends/payroll.xlsx?unit={t['other_unit'].id}")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(only_unit.data)).active.iter_rows()]
    assert [r[0] for r in rows[1:]] == ["师徒乙厂", "师徒乙厂", "师徒乙厂 合计 total", "总计 grand total"]
    assert rows[-1][6] == 249.75
