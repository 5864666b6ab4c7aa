"""The programme dashboard: stage counts, quota and budget per type, districts, payments,
in a constant number of queries."""
from datetime import date
from decimal import Decimal

from sqlalchemy import event

from app.extensions import db as _db
from app.innovation import dashboard, money
from app.innovation.models import Application, ApplicationStage, ProgrammeQuota, StudioType
from tests.factories import OrganizationFactory
from tests.innovation.test_money import PAYEE, build, pay

D = Decimal


def add_applications(world, count, start=100, stage=ApplicationStage.SUBMITTED, unit=None):
    for index in range(start, start + count):
        _db.session.add(Application(programme=world["programme"], number=f"X{index}", title=f"申报{index}",
                                    unit_id=(unit or world["unit"]).id, studio_type=StudioType.WORKER, stage=stage))
    _db.session.flush()


def count_selects(db, client, url):
    statements = []
    engine = db.engines[None]

    def listener(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), response


def test_dashboard_figures(db, app):
    world = build(budget=D("1750000"), amounts=(D("50000"), D("50000")))
    programme = world["programme"]
    _db.session.add(ProgrammeQuota(programme=programme, studio_type=StudioType.WORKER, quota=35, amount=D("50000"),
                                   proposed_count=2))
    add_applications(world, 3)
    other = OrganizationFactory(kind="unit", parent=world["city"], name="市直单位工会")
    add_applications(world, 1, start=200, stage=ApplicationStage.DRAFT, unit=other)
    add_applications(world, 2, start=300, stage=ApplicationStage.UNIT_RECOMMENDED, unit=other)
    grant, _ = money.award(world["staff"], world["applications"][0], **PAYEE)
    pay(world["staff"], programme, grant, "30000", when=date(2026, 3, 1))
    with app.test_request_context("/?lang=en"):
        dash = dashboard.build(programme.id)
        stages = {stage: count for stage, _, count in dash.stages}
        assert (stages[ApplicationStage.ACCEPTED], stages[ApplicationStage.SUBMITTED],
                stages[ApplicationStage.DRAFT], stages[ApplicationStage.UNIT_RECOMMENDED]) == (2, 3, 1, 2)
        line = dash.types[0]
        assert (line.quota, line.proposed, line.remaining, line.budget, line.committed) == \
            (35, 2, 33, D("1750000.00"), D("100000.00"))
        by_name = {d.name: d for d in dash.districts}
        assert (by_name[world["district"].name].applications, by_name[world["district"].name].proposed,
                by_name[world["district"].name].amount) == (5, 2, D("100000.00"))
        assert (by_name["No district"].applications, by_name["No district"].proposed) == (2, 0)  # the draft is left out
        assert (dash.balance.paid, dash.balance.outstanding) == (D("30000.00"), D("20000.00"))
        assert dashboard.wan(line.budget) == "175" and dashboard.wan(D("165000")) == "16.5"


def test_dashboard_page_shows_the_quota_line_in_a_constant_number_of_queries(db, client, login):
    world = build(budget=D("1750000"), amounts=(D("50000"),) * 3)
    programme = world["programme"]
    _db.session.add(ProgrammeQuota(programme=programme, studio_type=StudioType.WORKER, quota=35, amount=D("50000"),
                                   proposed_count=3))
    _db.session.flush()
    login(world["staff"])
    url = f"/innovation/manage/programmes/{programme.code}/dashboard"
    few, response = count_selects(db, client, url)
    page = response.get_data(as_text=True)
    assert "35 名额 / 已拟 3 / 剩余 32 · 预算 175 万 / 已占用 15 万" in page
    for unit_no in range(4):
        unit = OrganizationFactory(kind="unit", parent=world["district"])
        add_applications(world, 5, start=1000 + unit_no * 10, unit=unit)
    many, _ = count_selects(db, client, url)
    assert many == few
