"""The stipend ledger: idempotent monthly accrual in exact Decimals, settlement by grade, the
outcome bonus once per apprentice, and the staff page."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from app.apprenticeship import bonus, stipends
from app.apprenticeship.models_agreements import AgreementGrade, AgreementStatus as S
from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.errors import DomainError
from app.extensions import db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory


def _accrued(agreement):
    return db.session.scalar(sa.select(sa.func.sum(StipendEntry.amount)).where(
        StipendEntry.agreement_id == agreement.id, StipendEntry.kind == EntryKind.ACCRUAL))


def test_accrual_is_idempotent_exact_and_settles_by_grade(db, english):
    t, trade = tree(), TradeFactory()
    programme = make_programme(stipend_monthly=Decimal("333.33"))
    made = [make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade),
                           status=S.AWAITING_ASSESSMENT, starts_on=date(2026, 1, 15)) for _ in range(3)]
    ended = make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade),
                           status=S.DISSOLVED, starts_on=date(2026, 1, 15))
    later = make_agreement(programme, make_master(t["other_unit"], trade), make_apprentice(t["unit"], trade),
                           starts_on=date(2026, 3, 1))
    for month in ("2026-01", "2026-02", "2026-03"):
        assert stipends.accrue(None, stipends.parse_month(month)) == (3 if month != "2026-03" else 4)
    assert stipends.accrue(None, date(2026, 3, 1)) == 0  # a rerun writes nothing
    assert stipends.accrue(None, date(2027, 1, 1)) == 1  # the first three end 2027-01-15: Jan … Dec 2026 only
    assert stipends.accrue(None, date(2026, 12, 1)) == 4
    assert [_accrued(a) for a in made] == [Decimal("1333.32")] * 3 and _accrued(ended) is None
    assert _accrued(later) == Decimal("999.99")  # March, December, January
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the database holds the once-a-month rule
        db.session.add(StipendEntry(agreement_id=made[0].id, apprentice_id=made[0].apprentice_id,
                                    month=date(2026, 1, 1), kind=EntryKind.ACCRUAL, amount=Decimal(1),
                                    payee_id=made[0].master.user_id, unit_id=t["unit"].id))
        db.session.flush()
    with pytest.raises(DomainError):
        stipends.parse_month("2026-13")

    for agreement, grade in zip(made, (AgreementGrade.EXCELLENT, AgreementGrade.PASS, AgreementGrade.FAIL)):
        agreement.grade = grade
        stipends.settle(None, agreement, today=date(2027, 1, 20))
        assert stipends.settle(None, agreement) is None  # settled once
    paid = [db.session.scalar(sa.select(StipendEntry.amount).where(
        StipendEntry.agreement_id == a.id, StipendEntry.kind == EntryKind.PAYMENT)) for a in made]
    assert paid == [Decimal("1333.32"), Decimal("666.66"), Decimal("0.00")]

    rows, grand = stipends.table(t["unit"].id, month_from=date(2026, 2, 1), month_to=date(2026, 12, 1))
    assert [(r["unit"], r["month"], r["accrual"]) for r in rows] == [
        ("师徒甲厂", date(2026, m, 1), Decimal("999.99")) for m in (2, 3, 12)]
    assert grand["accrual"] == Decimal("2999.97") and grand["payment"] == 0  # settled in 2027-01


def test_outcome_bonus_once_per_apprentice_from_the_profile_level(db, english):
    t, trade = tree(), TradeFactory()
    programme = make_programme(bonus=Decimal("1000"))
    technician = make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade, level=2))
    make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade, level=4))
    found = bonus.candidates()
    assert [c.agreement.id for c in found] == [technician.id]
    assert found[0].evidence[0].level == 2 and found[0].amount == Decimal("1000.00")
    entry = bonus.grant(None, technician.id)
    assert (entry.kind, entry.amount, entry.payee_id) == (EntryKind.BONUS, Decimal("1000.00"),
                                                          technician.master.user_id)
    with pytest.raises(DomainError):
        bonus.grant(None, technician.id)
    assert bonus.candidates() == []
    # Outside the window (the agreement started more than bonus_window_years ago): no bonus.
    old = make_agreement(make_programme("OLD", bonus=Decimal("500")), make_master(t["unit"], trade),
                         make_apprentice(t["unit"], trade, level=1), starts_on=date(2020, 1, 1), months=12)
    assert old.id not in [c.agreement.id for c in bonus.candidates()]


def test_stipend_page_accrues_and_shows_totals_in_constant_queries(client, login, users):
    t, trade = tree(), TradeFactory()
    make_agreement(make_programme(stipend_monthly=Decimal("150.50")), make_master(t["unit"], trade),
                   make_apprentice(t["unit"], trade), starts_on=date(2026, 1, 1))
    login("admin")  # city level: covers every unit
    response = client.post("/apprenticeship/stipends/accrue?lang=en", data={"month": "2026-02"})
    assert response.status_code == 303
    client.post("/apprenticeship/stipends/accrue?lang=en", data={"month": "2026-02"})
    page = client.get("/apprenticeship/stipends/?lang=en&month_from=2026-01").text
    assert "2026-02" in page and page.count("150.50") == 2  # the row and the total, accrued once
    assert "Find outcome bonuses" in page
    fragment = client.get("/apprenticeship/stipends/?lang=en&month_from=2026-03", headers={"HX-Request": "true"})
    assert "2026-02" not in fragment.text and "No stipend entries yet" in fragment.text

    def count(url):
        statements = []
        engine = db.engines[None]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few = count("/apprenticeship/stipends/")
    second = make_agreement(make_programme("P2", stipend_monthly=Decimal("99")), make_master(t["other_unit"], trade),
                            make_apprentice(t["other_unit"], trade), starts_on=date(2026, 1, 1))
    stipends.accrue(None, date(2026, 1, 1))
    stipends.accrue(None, date(2026, 3, 1))
    assert count("/apprenticeship/stipends/") == few and second.id
    login("staff")  # a unit union's staff: only their own unit, not the tree's units
    assert "No stipend entries yet" in client.get("/apprenticeship/stipends/?lang=en").text
