"""Studio reports: due dates, overdue flags, receipts required, who may read receipts, the fund-use export."""
import io
import os
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from flask import current_app

from app import notifications
from app.extensions import db
from app.innovation import evaluation, exports_reports, reports
from app.innovation.models_reports import ReportKind, ReportReceipt, ReportStatus, StudioReport
from tests.factories import OrganizationFactory
from tests.innovation import assess_helpers as h


@pytest.fixture()
def funded_studio(users):
    leader = users["studio"]
    studio = h.studio(OrganizationFactory(name="宿主单位"), leader=leader, name="李工创新工作室")
    grant = h.programme(midterm_report_due=date(2025, 6, 30), final_report_due=date.today() + timedelta(days=30))
    application = h.funded(grant, studio, amount="100000.00")
    h.funded(grant, h.studio(OrganizationFactory()), outcome="not_selected", amount=None)  # not funded: no report
    return grant, studio, application


def test_due_reports_follow_the_programme_dates_and_are_created_once(users, funded_studio):
    grant, studio, application = funded_studio
    assert reports.generate_due(users["staff"], grant) == 3
    assert reports.generate_due(users["staff"], grant) == 0
    due = dict(db.session.execute(sa.select(StudioReport.kind, StudioReport.due_on)).all())
    assert due == {ReportKind.MIDTERM: date(2025, 6, 30), ReportKind.FINAL: grant.final_report_due,
                   ReportKind.FUND_USE: grant.final_report_due}


def test_overdue_reports_are_flagged_and_counted_as_todos(app, client, login, users, funded_studio):
    grant, studio, application = funded_studio
    login("staff")
    assert client.post(f"/innovation/programmes/{grant.id}/reports/generate").status_code == 303
    page = client.get(f"/innovation/reports/?programme={grant.id}").get_data(as_text=True)
    assert page.count('class="overdue"') == 1  # the mid-term report, due 2025-06-30
    with app.test_request_context():
        staff_todos = {t.url: t.count for t in notifications.todos_for(users["staff"])}
        leader_todos = {t.url: t.count for t in notifications.todos_for(users["studio"])}
    assert staff_todos["/innovation/reports/?overdue=1"] == 1
    assert leader_todos == {"/innovation/my/reports": 1}
    midterm = db.session.scalar(sa.select(StudioReport).where(StudioReport.kind == ReportKind.MIDTERM))
    assert midterm.is_overdue() and not midterm.is_overdue(date(2025, 6, 30))


def _report(users, grant, kind=ReportKind.FUND_USE):
    reports.generate_due(users["staff"], grant)
    return db.session.scalar(sa.select(StudioReport).where(StudioReport.kind == kind))


def test_receipts_are_required_for_every_category_with_spend(client, login, users, funded_studio):
    grant, studio, application = funded_studio
    report = _report(users, grant)
    login("studio")
    response = client.post(f"/innovation/reports/{report.id}", data={
        "spend_equipment": "30000", "spend_training": "5000.50", "spend_research": "", "spend_promotion": "0",
        "spend_other": "", "patents": "2", "projects": "1", "trainees": "40", "benefit_yuan": "120000",
        "narrative": "购置设备"})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.total_spend == Decimal("35000.50")

    bad = client.post(f"/innovation/reports/{report.id}", data={"spend_equipment": "-5"})
    assert bad.status_code == 200 and "field-error" in bad.get_data(as_text=True)
    db.session.refresh(report)
    assert report.spend_equipment == Decimal("30000.00")

    client.post(f"/innovation/reports/{report.id}/submit")
    db.session.refresh(report)
    assert report.status == ReportStatus.DRAFT

    for category, amount in (("equipment", "30000"), ("training", "5000.50")):
        response = client.post(f"/innovation/reports/{report.id}/receipts", data={
            "category": category, "amount": amount, "file": (io.BytesIO(h.PDF), "发票.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 303
    fake = client.post(f"/innovation/reports/{report.id}/receipts", data={
        "category": "other", "amount": "10", "file": (io.BytesIO(b"<html>"), "x.pdf")},
        content_type="multipart/form-data")
    assert fake.status_code == 200 and "field-error" in fake.get_data(as_text=True)
    client.post(f"/innovation/reports/{report.id}/submit")
    db.session.refresh(report)
    assert report.status == ReportStatus.SUBMITTED and len(report.receipts) == 2

    # Stored outside static/, under a random name.
    receipt = report.receipts[0]
    path = os.path.join(current_app.config["UPLOAD_DIR"], receipt.storage_key)
    assert os.path.exists(path)
    assert not os.path.abspath(path).startswith(os.path.abspath(current_app.static_folder))

    login("staff")
    client.post(f"/innovation/reports/{report.id}/return", data={"reason": ""})
    db.session.refresh(report)
    assert report.status == ReportStatus.SUBMITTED
    client.post(f"/innovation/reports/{report.id}/return", data={"reason": "票据不清晰"})
    db.session.refresh(report)
    assert report.status == ReportStatus.RETURNED and report.returned_reason == "票据不清晰"


def test_receipts_only_for_the_leader_staff_and_seated_experts(client, login, users, funded_studio):
    grant, studio, application = funded_studio
    report = _report(users, grant, ReportKind.FINAL)
    login("studio")
    client.post(f"/innovation/reports/{report.id}/receipts", data={
        "category": "equipment", "amount": "100", "file": (io.BytesIO(h.PDF), "票据.pdf")},
        content_type="multipart/form-data")
    receipt = db.session.scalar(sa.select(ReportReceipt))
    url = f"/innovation/receipts/{receipt.id}"

    mine = client.get(url)
    assert mine.status_code == 200 and mine.data == h.PDF
    assert mine.headers["Content-Disposition"].startswith("attachment")

    login(h.leader())  # another studio's leader
    assert client.get(url).status_code == 403
    assert client.get(f"/innovation/reports/{report.id}").status_code == 403
    assert client.post(f"/innovation/reports/{report.id}/receipts", data={}).status_code == 403

    expert = h.expert()
    login(expert)
    assert client.get(url).status_code == 403
    round_ = evaluation.create_round(users["staff"], name="绩效评价", kind="performance", year=2025,
                                     programme=grant, criteria="Z | z | 100 | 100")
    report.status = ReportStatus.SUBMITTED
    db.session.flush()
    assert evaluation.add_report_subjects(users["staff"], round_) == 1
    evaluation.add_seat(users["staff"], round_, expert)
    assert client.get(url).status_code == 200

    login("staff")
    assert client.get(url).status_code == 200


def test_fund_use_export_cells_and_totals(client, login, users, funded_studio):
    grant, studio, application = funded_studio
    other_studio = h.studio(OrganizationFactory(), name="王工工作室")
    h.funded(grant, other_studio, amount="50000.00")
    reports.generate_due(users["staff"], grant)
    rows = db.session.scalars(sa.select(StudioReport).where(StudioReport.kind != ReportKind.MIDTERM)).all()
    for report in rows:
        if report.studio_id == studio.id:
            report.spend_equipment, report.spend_training = Decimal("30000"), Decimal("5000.50")
            report.status = ReportStatus.ACCEPTED if report.kind == ReportKind.FUND_USE else ReportStatus.SUBMITTED
        else:
            report.spend_other = Decimal("1000")
            report.status = ReportStatus.ACCEPTED if report.kind == ReportKind.FINAL else ReportStatus.DRAFT
    db.session.flush()

    login("staff")
    response = client.get(f"/innovation/reports/fund-use.xlsx?programme={grant.id}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == exports_reports.HEADERS
    by_studio = {row[2]: row for row in values[1:-1]}
    assert by_studio["李工创新工作室"][4:] == [100000, 30000, 5000.5, 0, 0, 0, 35000.5, 64999.5]
    assert by_studio["王工工作室"][4:] == [50000, 0, 0, 0, 0, 1000, 1000, 49000]
    assert values[-1][0] == exports_reports.TOTAL_LABEL
    assert values[-1][4:] == [150000, 30000, 5000.5, 0, 0, 1000, 36000.5, 113999.5]
    login("studio")
    assert client.get("/innovation/reports/fund-use.xlsx").status_code == 403
