"""The programme dashboard: figures by state, unit, trade and scope, limited to the staff member's
units, in a constant number of queries; the same tables as a workbook."""
import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from app.accounts.models import Role
from app.apprenticeship import dashboard, dashboard_figures, logs, stipends  # noqa: F401 (figures registered)
from app.apprenticeship.models_logs import AgreementLog, LogStatus
from app.db import utcnow
from app.apprenticeship.models_agreements import AgreementStatus as S
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import TradeFactory, UserFactory
from tests.query_count import count_queries


def _programme(orgs, trades, agreements_per_unit):
    programme = make_programme()
    for unit in (orgs["unit"], orgs["other_unit"]):
        for n in range(agreements_per_unit):
            trade = trades[n % len(trades)]
            master = make_master(unit, trade, capacity=5)
            status = (S.ACTIVE, S.COMPLETED, S.AWAITING_ASSESSMENT)[n % 3]
            goals = [("certificate", "电工证", date(2027, 1, 1)), ("independent_operation", "独立上岗", date(2027, 1, 1))]
            agreement = make_agreement(programme, master, make_apprentice(unit, trade), status=status,
                                       grade="excellent" if status == S.COMPLETED else None, goals=goals)
            agreement.goals[0].achieved_on = date(2026, 6, 1)
    return programme


def test_the_dashboard_counts_what_the_staff_member_covers_in_constant_queries(db, client, login):
    orgs = tree()
    trades = [TradeFactory(name="电工"), TradeFactory(name="焊工")]
    programme = _programme(orgs, trades, 3)
    city_staff = UserFactory(organization=orgs["city"], roles=[Role.STAFF])
    unit_staff = UserFactory(organization=orgs["unit"], roles=[Role.STAFF])
    url = f"/apprenticeship/manage/programmes/{programme.code}/dashboard?lang=en"

    login(city_staff)
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="agreements"' in page and "师徒甲厂" in page and "师徒乙厂" in page
    assert "50 % (3/6)" in page  # each unit: three agreements, two goals each, one goal met each
    assert "Excellent" in page and '<li data-scope="unit">Same unit: 6</li>' in page
    assert 'data-testid="behind-on-logs"' in page and 'data-testid="stipends-accrued"' in page
    few = count_queries(db, client, url)

    login(unit_staff)
    page = client.get(url).get_data(as_text=True)
    assert "师徒甲厂" in page and "师徒乙厂" not in page
    assert '<li data-scope="unit">Same unit: 3</li>' in page

    login(city_staff)
    for unit in (orgs["unit"], orgs["other_unit"]):
        for n in range(6):
            make_agreement(programme, make_master(unit, trades[0]), make_apprentice(unit, trades[0]))
    assert count_queries(db, client, url) == few

    book = load_workbook(io.BytesIO(client.get(url.replace("/dashboard?", "/dashboard.xlsx?")).data))
    assert book.sheetnames == ["By unit", "By trade", "By state"]
    rows = list(book["By unit"].values)
    assert rows[0][:3] == ("Unit", "Agreements", "In force")
    assert rows[-1][0] == "Total" and rows[-1][1] == 18


def test_only_staff_open_the_dashboard(client, login, db):
    programme = make_programme()
    for role in ("mentor", "trainee", "judge"):
        login(role)
        assert client.get(f"/apprenticeship/manage/programmes/{programme.code}/dashboard").status_code == 403


def test_the_dashboard_counts_logs_behind_and_stipends(db, client, login):
    orgs, trade = tree(), TradeFactory()
    programme = make_programme()
    long_ago = date.today() - timedelta(days=120)
    behind = make_agreement(programme, make_master(orgs["unit"], trade), make_apprentice(orgs["unit"], trade),
                            starts_on=long_ago)
    keeping_up = make_agreement(programme, make_master(orgs["unit"], trade), make_apprentice(orgs["unit"], trade),
                                starts_on=long_ago)
    start = max(p.start for p in logs.periods(keeping_up, until=date.today() - timedelta(days=31)))
    db.session.add(AgreementLog(agreement_id=keeping_up.id, period_start=start, period_end=start + timedelta(days=29),
                                learnt="学习了配电柜接线", hours=Decimal("16"), status=LogStatus.SUBMITTED,
                                submitted_at=utcnow() - timedelta(days=10)))
    stipends.accrue(None, stipends.first_of(long_ago))
    login(UserFactory(organization=orgs["city"], roles=[Role.STAFF]))
    figures = {f.testid: f.value for f in dashboard.build(programme).extra}
    assert figures["behind-on-logs"] == 1 and figures["logs-unconfirmed"] == 1
    assert figures["stipends-accrued"] == "400.00" and figures["stipends-paid"] == "0.00"
    assert behind.id != keeping_up.id
