"""拨付清单 and 推荐汇总表 opened with openpyxl and read cell by cell, totals included."""
import io
from datetime import date, datetime, timezone
from decimal import Decimal

from openpyxl import load_workbook

from app.extensions import db as _db
from app.innovation import money
from app.innovation.models import ApplicationStage, RecommendationStep, StepAction
from app.innovation.models_money import LedgerKind
from tests.factories import OrganizationFactory, UserFactory
from tests.innovation.test_money import PAYEE, build, pay

D = Decimal


def rows(response, sheet):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    table = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    width = len(table[0])
    return [r + [None] * (width - len(r)) for r in table]  # empty trailing cells are not stored


def num(value):
    return None if value is None else D(str(value)).quantize(D("0.01"))


def test_the_disbursement_list_shows_each_grant_with_the_period_and_totals(client, login, db):
    world = build(amounts=(D("50000"), D("80000")))
    staff, programme = world["staff"], world["programme"]
    a, _ = money.award(staff, world["applications"][0], **PAYEE)
    b, _ = money.award(staff, world["applications"][1], **{**PAYEE, "account_name": "=HYPERLINK(1)",
                                                           "account_number": "6222111122223333"})
    pay(staff, programme, a, "30000", when=date(2026, 3, 1), voucher="记-1")
    pay(staff, programme, a, "20000", when=date(2026, 6, 1), voucher="记-2")
    pay(staff, programme, b, "48000", when=date(2026, 6, 2), voucher="记-3")
    pay(staff, programme, b, "8000", kind=LedgerKind.REFUND, when=date(2026, 6, 20), voucher="记-4")
    pay(staff, programme, b, "10000", when=date(2026, 9, 1), voucher="记-5")  # after the period
    login(staff)
    url = f"/innovation/manage/programmes/{programme.code}/money/disbursements.xlsx?date_from=2026-04-01&date_to=2026-06-30"
    table = rows(client.get(url), "拨付清单")
    assert table[0][:4] == ["序号", "申报编号", "工作室/项目", "收款单位"]
    first, second, total = table[1], table[2], table[3]
    assert first[:7] == [1, world["applications"][0].number, "项目1", world["unit"].name, PAYEE["account_name"],
                         PAYEE["bank_name"], PAYEE["account_number"]]
    assert [num(v) for v in first[7:11]] == [D("50000"), D("20000"), D("50000"), D("0")]
    assert first[11] == "记-2"
    assert second[4] == "=HYPERLINK(1)"  # written as text, never a formula
    assert [num(v) for v in second[7:11]] == [D("80000"), D("40000"), D("40000"), D("40000")]
    assert second[11] == "记-3、记-4"
    assert total[0] == "合计"
    assert [num(v) for v in total[7:11]] == [D("130000"), D("60000"), D("90000"), D("40000")]
    # Without a period: everything to date.
    table = rows(client.get(f"/innovation/manage/programmes/{programme.code}/money/disbursements.xlsx"), "拨付清单")
    assert [num(v) for v in table[3][7:11]] == [D("130000"), D("100000"), D("100000"), D("30000")]


def test_the_recommendation_summary_lists_applications_by_district_with_totals(client, login, db):
    world = build(amounts=(D("50000"), D("30000")))
    staff, programme = world["staff"], world["programme"]
    other_district = OrganizationFactory(kind="district", parent=world["city"], name="乙区总工会")
    other_unit = OrganizationFactory(kind="unit", parent=other_district, name="乙区某厂工会")
    direct_unit = OrganizationFactory(kind="unit", parent=world["city"], name="市直某单位工会")
    second = world["applications"][1]
    second.unit_id = other_unit.id
    second.proposed, second.proposed_amount = False, None
    second.outcome = None
    from app.innovation.models import Application, StudioType

    third = Application(programme=programme, number="P2026-900", title="市直项目", unit_id=direct_unit.id,
                        studio_type=StudioType.WORKER, stage=ApplicationStage.SUBMITTED)
    draft = Application(programme=programme, number="P2026-901", title="草稿", unit_id=direct_unit.id,
                        stage=ApplicationStage.DRAFT)
    _db.session.add_all([third, draft])
    unit_staff = UserFactory(roles=["staff"], organization=world["unit"])
    _db.session.add(RecommendationStep(application=world["applications"][0], action=StepAction.RECOMMEND,
                                       from_stage=ApplicationStage.SUBMITTED, actor_id=unit_staff.id,
                                       organization_id=world["unit"].id,
                                       at=datetime(2026, 2, 1, 2, 0, tzinfo=timezone.utc)))
    _db.session.flush()
    login(staff)
    response = client.get(f"/innovation/manage/programmes/{programme.code}/recommendations.xlsx")
    table = rows(response, "推荐汇总表")
    assert table[0][:5] == ["序号", "申报编号", "工作室/项目名称", "申报单位", "所属区县/产业工会"]
    body = table[1:-1]
    # Grouped by district (units directly under the city first); drafts are left out.
    assert body[0][1] == "P2026-900"
    assert sorted(r[1] for r in body[1:]) == sorted([world["applications"][0].number, second.number])
    by_number = {r[1]: r for r in body}
    first = by_number[world["applications"][0].number]
    assert first[2] == "P2026 工作室1" and first[3] == world["unit"].name and first[4] == world["district"].name
    assert first[6] == f"{world['unit'].name} 2026-02-01"
    assert num(first[11]) == D("50000")
    assert by_number[second.number][4] == "乙区总工会" and by_number[second.number][11] is None
    assert by_number["P2026-900"][4] == "（市直）"
    assert table[-1][0] == "合计" and table[-1][1] == 3 and num(table[-1][11]) == D("50000")
    districts = rows(response, "按区县汇总")
    assert districts[1] == ["（市直）", 1, 0, 0] and districts[-1] == ["合计", 3, 1, 50000]
    assert sorted(districts[2:-1]) == sorted([[world["district"].name, 1, 1, 50000], ["乙区总工会", 1, 0, 0]])
