"""The training dashboard: figures hand-computed from a small, known history.

Base X (徐州焊工实训基地) runs, in the period:
  A  welding, ended: ana, bo, chen, du, eve hold seats (wu withdrew); 5 lessons, minimum attendance 80%.
       ana  woman + migrant, member   5/5 lessons   85/85 → pass
       bo   woman                     4/5           70/70 → pass
       chen                           4/5           30/30 → fail
       du   new-employment, member    5/5           40/40 fail, re-sit 75/75 → pass
       eve                            2/5           not assessed
  B  electrician, starts in 10 days, 2 seats: ana and bo; gu on the waitlist.
  C  welding, cancelled (hu enrolled): left out.
Base Y runs D (welding, ended): ivy passes.

So base X: 5 trainees (ana, bo, chen, du, eve), 2 women, 1 migrant, 1 new-employment, 2 members;
completion 4 of 5 (eve under 80%); pass rate 3 of 4 assessed = 75%; 3 certificates;
income changes [500, 1000, 3000] → median 1000 from 3 answers.
"""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from app.accounts.models import IdentityTag, MembershipStatus
from app.training import dashboard, services
from app.training.models import CourseStatus
from tests.factories import TradeFactory, UserFactory
from tests.training.conftest import make_course

D = Decimal
TODAY = date.today()
PERIOD = {"from": (TODAY - timedelta(days=90)).isoformat(), "to": (TODAY + timedelta(days=90)).isoformat()}


def person(name, tags=(), member=False):
    user = UserFactory(name=name, membership_status=MembershipStatus.MEMBER if member else MembershipStatus.NONE,
                       member_number=f"M-{name}" if member else None)
    user.set_tags(tags)
    return user


def attend(staff, course, enrolment, lessons):
    for n, lesson in enumerate(course.lessons):
        services.mark_attendance(staff, lesson, enrolment, n < lessons)


def second_base(staff, trade):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(kind="unit")
    return services.save_base(staff, None, code="y-base", name="淮海电工实训基地", organization_id=org.id, address="",
                              contact_name="", contact_phone="", designated_on=None, status="active",
                              description="", trades=[trade])


@pytest.fixture()
def history(db, users):
    staff = users["staff"]
    welding = TradeFactory(code="HG", name="焊工")
    electric = TradeFactory(code="DG", name="电工")
    a = make_course(staff, trade=welding, starts_in_days=-30, seats=6, title="焊工（初级）第一期")
    base = a.base
    b = make_course(staff, trade=electric, base=base, starts_in_days=10, seats=2, title="电工（初级）")
    c = make_course(staff, trade=welding, base=base, starts_in_days=-20, title="焊工（取消）")
    d = make_course(staff, trade=welding, base=second_base(staff, welding), starts_in_days=-40, title="焊工（淮海）")

    people = {
        "ana": person("ana", [IdentityTag.WOMAN, IdentityTag.MIGRANT_WORKER], member=True),
        "bo": person("bo", [IdentityTag.WOMAN]),
        "chen": person("chen"),
        "du": person("du", [IdentityTag.NEW_EMPLOYMENT_FORM], member=True),
        "eve": person("eve"),
        "wu": person("wu", [IdentityTag.WOMAN]),
        "gu": person("gu", [IdentityTag.WOMAN]),
        "hu": person("hu", [IdentityTag.WOMAN]),
        "ivy": person("ivy", [IdentityTag.WOMAN]),
    }
    seat = {name: services.enrol(people[name], a, by_staff=True) for name in ("ana", "bo", "chen", "du", "eve", "wu")}
    services.withdraw(staff, seat.pop("wu"), by_staff=True)
    for name, lessons in (("ana", 5), ("bo", 4), ("chen", 4), ("du", 5), ("eve", 2)):
        attend(staff, a, seat[name], lessons)
    services.record_attempt(staff, seat["ana"], theory=D(85), practical=D(85))
    services.record_attempt(staff, seat["bo"], theory=D(70), practical=D(70))
    services.record_attempt(staff, seat["chen"], theory=D(30), practical=D(30))
    services.record_attempt(staff, seat["du"], theory=D(40), practical=D(40))
    services.record_attempt(staff, seat["du"], theory=D(75), practical=D(75), resit=True)
    certificates = {c.holder_name: c for c in services.issue_certificates(staff, a)}
    assert sorted(certificates) == ["ana", "bo", "du"]
    for holder, months, before, after in (("ana", 3, 4000, 4200), ("ana", 6, 4000, 4500), ("bo", 12, 3000, 4000),
                                          ("du", 3, 2000, 5000)):
        services.record_outcome(staff, by_staff=True, certificate=certificates[holder], months=months, new_job=False,
                                income_before=D(before), income_after=D(after))
    # du's latest follow-up has no income: the 3-month answer stands.
    services.record_outcome(staff, by_staff=True, certificate=certificates["du"], months=6, new_job=True, new_post="班组长")

    for name in ("ana", "bo", "gu"):
        services.enrol(people[name], b)
    services.enrol(people["hu"], c, by_staff=True)
    c.status = CourseStatus.CANCELLED

    ivy = services.enrol(people["ivy"], d, by_staff=True)
    attend(staff, d, ivy, 5)
    services.record_attempt(staff, ivy, theory=D(90), practical=D(90))
    [ivy_certificate] = services.issue_certificates(staff, d)
    services.record_outcome(staff, by_staff=True, certificate=ivy_certificate, months=3, new_job=False, income_before=D(3000),
                            income_after=D(9000))
    db.session.flush()
    return dict(staff=staff, base=base, other_base=d.base, a=a, b=b, c=c, d=d, people=people)


def filters(base=None, **period):
    values = {"from": PERIOD["from"], "to": PERIOD["to"]} | period
    return dashboard.Filters.from_args(values, base_id=base.id if base else None)


# ---- the figures


def test_base_figures(history):
    dash = dashboard.build(filters(history["base"]))
    assert dash.trainees == 5
    assert dash.members == dashboard.Rate(2, 5) and dash.members.percent == D(40)
    tags = {tag: rate for tag, _label, rate in dash.tags}
    assert tags[IdentityTag.WOMAN] == dashboard.Rate(2, 5)
    assert tags[IdentityTag.MIGRANT_WORKER] == dashboard.Rate(1, 5)
    assert tags[IdentityTag.NEW_EMPLOYMENT_FORM] == dashboard.Rate(1, 5)
    assert dash.completion == dashboard.Rate(4, 5) and str(dash.completion) == "80.0%"
    assert dash.pass_rate == dashboard.Rate(3, 4) and dash.pass_rate.percent == D(75)
    assert str(dash.pass_rate) == "75.0%"
    assert dash.certificates == 3
    assert dash.income.answers == 3
    assert dash.income.change.median == D(1000)
    assert dash.income.before.median == D(3000) and dash.income.after.median == D(4500)
    assert all(isinstance(v, Decimal) for v in (dash.income.change.median, dash.pass_rate.percent))


def test_per_course_and_per_trade(history):
    dash = dashboard.build(filters(history["base"]))
    rows = {row.title: row for row in dash.courses}
    assert set(rows) == {"焊工（初级）第一期", "电工（初级）"}  # the cancelled course is left out
    a, b = rows["焊工（初级）第一期"], rows["电工（初级）"]
    assert (a.seats, a.enrolled, a.assessed, a.passed, a.certificates) == (6, 5, 4, 3, 3)
    assert a.completion == dashboard.Rate(4, 5)
    assert (b.seats, b.enrolled, b.assessed, b.passed, b.certificates) == (2, 2, 0, 0, 0)
    assert str(b.pass_rate) == "—" and str(b.completion) == "—"  # not assessed, not ended
    trades = {row.name: row for row in dash.trades}
    assert (trades["焊工"].courses, trades["焊工"].trainees, trades["焊工"].passed) == (1, 5, 3)
    assert (trades["电工"].courses, trades["电工"].trainees, trades["电工"].seats) == (1, 2, 2)
    assert dash.seats == 8 and dash.enrolled == 7


def test_all_bases_count_each_person_once(history):
    dash = dashboard.build(filters())
    assert dash.trainees == 6  # + ivy at base Y
    assert dash.pass_rate == dashboard.Rate(4, 5)
    assert dash.certificates == 4
    assert dash.income.answers == 4
    assert dash.income.change.median == D(2000)  # [500, 1000, 3000, 6000]: the mean of the middle two
    trades = {row.name: row for row in dash.trades}
    assert trades["焊工"].trainees == 6 and trades["焊工"].courses == 2
    only_y = dashboard.build(dashboard.Filters.from_args(PERIOD | {"base": str(history["other_base"].id)}))
    assert only_y.trainees == 1 and only_y.certificates == 1


def test_the_period_filters_by_course_start(history):
    upcoming = dashboard.build(filters(history["base"], **{"from": TODAY.isoformat()}))
    assert [c.title for c in upcoming.courses] == ["电工（初级）"]
    assert upcoming.trainees == 2 and upcoming.completion.denominator == 0 and upcoming.income.answers == 0


def test_filter_defaults_and_bad_input():
    default = dashboard.Filters.from_args({}, today=date(2026, 5, 17))
    assert (default.date_from, default.date_to, default.errors) == (date(2026, 1, 1), date(2026, 12, 31), ())
    bad = dashboard.Filters.from_args({"from": "2026-13-01", "to": "2025-02-01"}, today=date(2026, 5, 17))
    assert (bad.date_from, bad.date_to) == (date(2025, 2, 1), date(2026, 1, 1)) and len(bad.errors) == 2


def test_medians_and_rounding():
    assert dashboard.median([D(500), D(3000), D(1000)]) == D(1000)
    assert dashboard.median([D(1), D(2)]) == D("1.5")
    assert dashboard.median([]) is None
    assert str(dashboard.Rate(1, 3)) == "33.3%" and str(dashboard.Rate(2, 3)) == "66.7%"
    assert str(dashboard.Rate(1, 16)) == "6.3%"  # 6.25 rounds half-up
    assert str(dashboard.Rate(0, 0)) == "—"
    assert dashboard.money(D("1000.25"), signed=True) == "+1,000.3"
    assert dashboard.money(D("-250"), signed=True) == "−250.0"
    assert dashboard.money(None) == "—"


def test_attendance_rule_matches_the_assessment():
    assert dashboard.attended_enough(D(80), 5, 4)
    assert not dashboard.attended_enough(D(80), 5, 3)
    assert dashboard.attended_enough(D("66.67"), 3, 2)  # 66.666… shows as 66.67, as the assessment rounds it
    assert dashboard.attended_enough(D(0), 0, 0) and not dashboard.attended_enough(D(80), 0, 0)


# ---- the pages


def test_page_shows_the_figures(client, login, history):
    login("staff")
    response = client.get(f"/training/bases/{history['base'].id}/dashboard", query_string=PERIOD)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for text in ("75.0%", "80.0%", "40.0%", "20.0%", "+1,000.0", "焊工（初级）第一期", "电工（初级）"):
        assert text in body
    assert "焊工（取消）" not in body and "焊工（淮海）" not in body
    assert 'src="/static/charts.js"' in body and "echarts.min.js" in body
    assert "<script>" not in body and " style=" not in body


def test_chart_data_travels_as_json_in_the_page(client, login, history):
    import json
    import re

    login("staff")
    body = client.get(f"/training/bases/{history['base'].id}/dashboard", query_string=PERIOD).get_data(as_text=True)
    specs = {name: json.loads(raw.replace("&#39;", "'")) for name, raw in
             re.findall(r'data-chart-name="(\w+)" data-chart=\'([^\']*)\'', body)}
    assert set(specs) == {"trade", "pass", "tags", "income"}
    assert specs["trade"]["categories"] == ["焊工", "电工"] and specs["trade"]["values"] == [5, 2]
    assert specs["pass"]["values"] == ["75.0"]
    assert [s["value"] for s in specs["tags"]["slices"]] == [2, 1, 1]  # women, migrant, new-employment
    assert specs["income"]["boxes"][0][2] == "3000.0" and specs["income"]["boxes"][1][2] == "4500.0"


def test_htmx_filter_returns_the_results_block(client, login, history):
    login("staff")
    response = client.get("/training/dashboard", query_string=PERIOD | {"base": history["other_base"].id},
                          headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<div id="training-dashboard"') and "<html" not in body
    assert "焊工（淮海）" in body and "焊工（初级）第一期" not in body
    assert f"base={history['other_base'].id}" in body  # the export link follows the filter


def test_all_bases_page_has_a_base_filter(client, login, history):
    login("staff")
    body = client.get("/training/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert 'name="base"' in body and history["other_base"].name in body
    assert f'href="/training/dashboard.xlsx?from={PERIOD["from"]}&amp;to={PERIOD["to"]}"' in body
    assert "焊工（淮海）" in body and "焊工（初级）第一期" in body


def test_excel_export_has_the_figures(client, login, history):
    login("staff")
    response = client.get(f"/training/bases/{history['base'].id}/dashboard.xlsx", query_string=PERIOD)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况 summary", "培训班 courses", "工种 trades"]
    figures = {row[0]: row[1] for row in book["概况 summary"].iter_rows(min_row=2, values_only=True)}
    assert figures["培训基地 base"] == history["base"].name
    assert figures["学员人数 trainees"] == 5
    assert figures["合格率 pass rate %"] == 75
    assert figures["结业率 completion rate %"] == 80
    assert figures["发证数 certificates issued"] == 3
    assert figures["工会会员占比 union members %"] == 40
    assert figures["女职工 woman"] == 2 and figures["农民工 migrant_worker"] == 1
    assert figures["月收入变化中位数 median monthly income change"] == 1000
    assert figures["收入回答数 income answers"] == 3
    courses = list(book["培训班 courses"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5], r[6], r[8], r[11]) for r in courses] == [("焊工（初级）第一期", 6, 5, 3, 3),
                                                                   ("电工（初级）", 2, 2, 0, 0)]
    trades = {r[0]: r for r in book["工种 trades"].iter_rows(min_row=2, values_only=True)}
    assert trades["焊工"][3] == 5


def test_all_bases_export(client, login, history):
    login("staff")
    response = client.get("/training/dashboard.xlsx", query_string=PERIOD)
    figures = {row[0]: row[1] for row in load_workbook(io.BytesIO(response.data))["概况 summary"]
               .iter_rows(min_row=2, values_only=True)}
    assert figures["学员人数 trainees"] == 6 and figures["培训基地 base"] == "全部基地 all bases"


def _count_statements(db, client, url, query_string):
    statements = []
    engine = db.engines[None]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url, query_string=query_string).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_page_runs_a_constant_number_of_queries(client, login, db, history):
    login("staff")
    staff, base = history["staff"], history["base"]
    urls = [f"/training/bases/{base.id}/dashboard", "/training/dashboard",
            f"/training/bases/{base.id}/dashboard.xlsx"]
    few = [_count_statements(db, client, url, PERIOD) for url in urls]
    trade = TradeFactory()
    for n in range(4):
        course = make_course(staff, base=base, trade=trade, starts_in_days=-20 - n, seats=5, title=f"加课{n}")
        for k in range(3):
            enrolment = services.enrol(person(f"more{n}-{k}", [IdentityTag.WOMAN]), course, by_staff=True)
            attend(staff, course, enrolment, 5)
            services.record_attempt(staff, enrolment, theory=D(80), practical=D(80))
        for certificate in services.issue_certificates(staff, course):
            services.record_outcome(staff, by_staff=True, certificate=certificate, months=3, new_job=False, income_before=D(3000),
                                    income_after=D(3600))
    db.session.flush()
    many = [_count_statements(db, client, url, PERIOD) for url in urls]
    assert many == few
    assert few[0] <= 12, few  # the user, the base, and six statements for the figures
    assert dashboard.build(filters(base)).trainees == 5 + 12


def test_trainee_gets_403(client, login, history):
    login("trainee")
    base_id = history["base"].id
    for url in (f"/training/bases/{base_id}/dashboard", "/training/dashboard",
                f"/training/bases/{base_id}/dashboard.xlsx", "/training/dashboard.xlsx"):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/training/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_base_is_404(client, login, db):
    login("staff")
    assert client.get("/training/bases/999999/dashboard").status_code == 404
    assert client.get("/training/bases/999999/dashboard.xlsx").status_code == 404


def test_empty_period_shows_dashes(client, login, db):
    login("staff")
    body = client.get("/training/dashboard").get_data(as_text=True)
    assert "—" in body and "%" not in body.split('id="training-dashboard"')[1].split("<h2>")[0]
    assert 'data-testid="chart-trade-empty"' in body and "data-chart=" not in body
    response = client.get("/training/dashboard.xlsx")
    figures = {row[0]: row[1] for row in load_workbook(io.BytesIO(response.data))["概况 summary"]
               .iter_rows(min_row=2, values_only=True)}
    assert figures["学员人数 trainees"] == 0 and figures["合格率 pass rate %"] is None
    assert figures["月收入变化中位数 median monthly income change"] is None


def test_bad_dates_are_explained_not_a_crash(client, login, history):
    login("staff")
    response = client.get("/training/dashboard", query_string={"from": "yesterday", "to": "2026-02-30"})
    assert response.status_code == 200 and 'role="alert"' in response.get_data(as_text=True)
