"""Two people paying the last remaining amount at once: exactly one succeeds (PostgreSQL).

Each thread has its own application context, so its own session and connection;
the grant's and the programme's CHECK constraints decide, not a Python check.
"""
import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.innovation import money
from app.innovation.models import Programme
from app.innovation.models_money import Grant, LedgerEntry, LedgerKind
from app.accounts.models import User
from tests.competitions.test_concurrency import pg_live  # noqa: F401  (a live app on its own PostgreSQL database)
from tests.innovation.test_money import PAYEE, build

D = Decimal


def race(app, job, people=2):
    start = threading.Barrier(people)
    outcomes = []

    def run(index):
        with app.app_context():
            try:
                start.wait()
                job(index)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(str(error.message))
            except Exception as error:  # anything else is a failure of the test
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("database", ["postgresql"])
def test_two_payments_of_the_last_remaining_amount_exactly_one_succeeds(pg_live, database):  # noqa: F811
    with pg_live.app_context():
        world = build()
        staff, programme = world["staff"], world["programme"]
        grant, _ = money.award(staff, world["applications"][0], **PAYEE)
        money.record(staff, programme, LedgerKind.PAYMENT, D("30000"), date(2026, 3, 1), grant=grant,
                     voucher_no="记-001")
        db.session.commit()
        ids = dict(staff=staff.id, programme=programme.id, grant=grant.id)

    def pay_the_rest(index):
        actor = db.session.get(User, ids["staff"])
        money.record(actor, db.session.get(Programme, ids["programme"]), LedgerKind.PAYMENT, D("20000"),
                     date(2026, 6, 1), grant=db.session.get(Grant, ids["grant"]), voucher_no=f"记-10{index}")

    outcomes = race(pg_live, pay_the_rest)
    with pg_live.app_context():
        assert sorted(outcomes) == sorted(["ok", "The payment exceeds what remains of the grant."]) or \
            sorted(outcomes) == sorted(["ok", "支付金额超过核定资助余额。"])
        payments = db.session.scalars(sa.select(LedgerEntry).where(
            LedgerEntry.grant_id == ids["grant"], LedgerEntry.kind == LedgerKind.PAYMENT)).all()
        assert len(payments) == 2  # the first tranche and exactly one of the two
        grant = db.session.get(Grant, ids["grant"])
        assert (grant.amount, grant.paid_total) == (D("50000.00"), D("50000.00"))
        assert db.session.get(Programme, ids["programme"]).paid_amount == D("50000.00")
        assert money.grant_balances(ids["programme"])[ids["grant"]].paid == D("50000.00")


@pytest.mark.parametrize("database", ["postgresql"])
def test_two_grants_paying_the_last_of_the_budget_at_once_exactly_one_succeeds(pg_live, database):  # noqa: F811
    with pg_live.app_context():
        world = build(budget=D("65000"), amounts=(D("50000"), D("50000")), code="P2031")
        staff, programme = world["staff"], world["programme"]
        grants = [money.award(staff, application, **PAYEE)[0] for application in world["applications"]]
        money.record(staff, programme, LedgerKind.PAYMENT, D("30000"), date(2026, 3, 1), grant=grants[0],
                     voucher_no="记-001")  # 35000 of the budget left; each grant alone could take 20000
        db.session.commit()
        ids = dict(staff=staff.id, programme=programme.id, grants=[g.id for g in grants])

    def pay(index):
        actor = db.session.get(User, ids["staff"])
        money.record(actor, db.session.get(Programme, ids["programme"]), LedgerKind.PAYMENT, D("20000"),
                     date(2026, 6, 1), grant=db.session.get(Grant, ids["grants"][index]), voucher_no=f"记-20{index}")

    outcomes = race(pg_live, pay)
    with pg_live.app_context():
        assert outcomes.count("ok") == 1, outcomes
        assert [o for o in outcomes if o != "ok"][0] in ("The payment exceeds the programme's budget.",
                                                         "超过项目预算。")
        count = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry).where(
            LedgerEntry.programme_id == ids["programme"], LedgerEntry.kind == LedgerKind.PAYMENT))
        assert count == 2
        assert db.session.get(Programme, ids["programme"]).paid_amount == D("50000.00")
        assert money.programme_balance(ids["programme"]).paid == D("50000.00")
