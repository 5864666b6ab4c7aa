"""flask innovation import / results: the contest workbook, all or nothing, and the ranking rules."""
import copy
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.cli import _SystemActor
from app.accounts.models import OrgKind, Organization, User
from app.innovation import contest, workbook
from app.innovation.cli import innovation_cli
from app.innovation.models import AchievementCategory, Application, ApplicationStage, PanelSeat, ReviewScore
from tests.innovation.contest_helpers import EXPECTED, import_contest, sheets, stream, xlsx


def invoke(app, *args):
    return app.test_cli_runner().invoke(innovation_cli, [str(a) for a in args])


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_creates_the_contest_and_ranks_it_by_the_rules(db, english):
    programme = import_contest()
    assert (programme.name, programme.year, programme.trim_at, programme.tie_break) == ("五小成果评选", 2025, 3, "B")
    result = contest.standings(programme)
    got = [(r.rank, r.application.number, str(r.final), r.award) for r in result.rows]
    assert got == EXPECTED
    by_no = {r.application.number: r for r in result.rows}
    assert [r.rank for r in result.rows[:6]] == [1, 2, 3, 4, 4, 6]  # shared rank, the next skipped
    assert result.criterion_names(by_no["S2"].decided_by) == ["效益"]  # tie on 85.00 decided by B's percentage
    assert by_no["S4"].shares_rank and by_no["S5"].shares_rank
    assert by_no["S6"].final == Decimal("70.00")  # 10 and 100 dropped at trim_at = 3 experts
    assert by_no["S7"].final == Decimal("70.01")  # 70.005 rounded half-up
    assert by_no["S7"].award == "优秀奖" and by_no["S6"].award is None  # the excellence minimum is 70.01
    assert by_no["S5"].award == "三等奖"  # a tie on the boundary shares the better award
    assert by_no["S1"].prize == Decimal("5000") and result.tier_counts == {"一等奖": 1, "二等奖": 2, "三等奖": 2,
                                                                           "优秀奖": 1}
    applications = db.session.scalars(sa.select(Application).where(Application.programme_id == programme.id)).all()
    assert {a.stage for a in applications} == {ApplicationStage.ACCEPTED}
    assert {a.category for a in applications} == {AchievementCategory.INNOVATION, AchievementCategory.INVENTION}
    experts = db.session.scalars(sa.select(User).where(User.username.in_(["exp1", "exp2", "exp3"]))).all()
    assert len(experts) == 3 and all(u.has_role("judge") and u.organization.name == "专家协会工会" for u in experts)
    assert count(db, PanelSeat) == 3 and count(db, ReviewScore) == 42


def test_trim_only_from_trim_at(db, english):
    data = sheets()
    data["contest"][4] = ["trim_at", 4]  # 3 experts < 4: the plain mean
    programme = import_contest(data)
    by_no = {r.application.number: r for r in contest.standings(programme).rows}
    assert by_no["S6"].final == Decimal("65.00")


def test_units_sheet_creates_organisations_in_sheet_order(db, english):
    import_contest()
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organization).where(Organization.name.like("%工会")))}
    assert orgs["样板市总工会"].kind == OrgKind.FEDERATION and orgs["样板市总工会"].parent is None
    assert orgs["样板区总工会"].kind == OrgKind.DISTRICT and orgs["样板区总工会"].parent.name == "样板市总工会"
    assert orgs["甲厂工会"].kind == OrgKind.UNIT and orgs["甲厂工会"].path.startswith(orgs["样板区总工会"].path)
    again = workbook.import_workbook(_SystemActor(), stream(sheets()))  # they exist now: nothing to create
    assert again.ok, again.problems
    assert again.counts["units"] == 0


def put(sheet, row, column, value):
    def change(data):
        data[sheet][row][column] = value
    return change


def add(sheet, row):
    def change(data):
        data[sheet].append(row)
    return change


@pytest.mark.parametrize("change, sheet, row, words", [
    (put("submissions", 1, 3, "不存在工会"), "submissions", 2, "is not a known organisation"),
    (put("scores", 1, 0, "S99"), "scores", 2, "is not a submission of this contest"),
    (put("scores", 1, 1, "nobody"), "scores", 2, "is not an expert of this contest"),
    (put("scores", 1, 2, "Z"), "scores", 2, "is not a criterion of this contest"),
    (put("scores", 1, 3, 101), "scores", 2, "must be at most 100"),
    (put("scores", 1, 3, -1), "scores", 2, "must be at least 0"),
    (put("experts", 1, 2, "乙厂工会"), "scores", 2, "conflict of interest"),  # exp1 from S1's own unit
    (put("experts", 1, 2, "样板区总工会"), "scores", 2, "conflict of interest"),  # the unit's parent union
    (add("scores", ["S1", "exp1", "A", 50]), "scores", 44, "appears more than once (row 2)"),
    (add("submissions", ["S1", "又一个", "小建议", "甲厂工会"]), "submissions", 9, "appears more than once"),
    (add("units", ["丙厂工会", "无此工会"]), "units", 7, "is not a known organisation"),
    (put("criteria", 2, 3, 40), "criteria", 2, "must add up to 100"),
    (put("contest", 5, 1, "Z"), "contest", 6, "not a criterion"),
    (put("contest", 6, 1, "一等奖:x"), "contest", 7, "neither a whole count"),
    (put("submissions", 1, 2, "大发明"), "submissions", 2, "must be one of"),
])
def test_a_bad_row_imports_nothing_and_is_reported(db, english, change, sheet, row, words):
    data = copy.deepcopy(sheets())
    change(data)
    before = (count(db, Organization), count(db, Application), count(db, User))
    outcome = workbook.import_workbook(_SystemActor(), stream(data))
    assert not outcome.ok
    assert any(s == sheet and r == row and words in message for s, r, message in outcome.problems), outcome.problems
    assert (count(db, Organization), count(db, Application), count(db, User)) == before
    report = load_workbook(__import__("io").BytesIO(outcome.report()))
    assert sheet in report.sheetnames


def test_reimport_updates_titles_and_scores(db, english):
    programme = import_contest()
    data = sheets()
    data["submissions"][1][1] = "改名的成果"
    data["scores"] = [data["scores"][0], ["S7", "exp1", "A", 90], ["S7", "exp2", "A", 90], ["S7", "exp3", "A", 90]]
    outcome = workbook.import_workbook(_SystemActor(), stream(data))
    assert outcome.ok, outcome.problems
    assert outcome.counts["submissions_created"] == 0 and outcome.counts["submissions_updated"] == 1
    by_no = {r.application.number: r for r in contest.standings(programme).rows}
    assert by_no["S1"].application.title == "改名的成果"
    assert by_no["S7"].final == Decimal("80.00") and by_no["S7"].rank == 6  # behind 80.00 on B (70% < 80%)


def test_cli_import_and_results(app, db, tmp_path):
    db.session.commit()  # the command rolls back on failure: keep earlier rows out of its reach
    path, out = tmp_path / "contest.xlsx", tmp_path / "results.xlsx"
    path.write_bytes(xlsx(sheets("WXCLI")))
    result = invoke(app, "import", path)
    assert result.exit_code == 0, result.output
    assert "contest WXCLI imported" in result.output and "42 scores" in result.output
    result = invoke(app, "results", "WXCLI", out)
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["results"].iter_rows(values_only=True))
    assert rows[0] == ("rank", "no", "title", "unit", "final", "award")
    assert [(r[0], r[1], Decimal(str(r[4])).quantize(Decimal("0.01")), r[5]) for r in rows[1:]] == [
        (rank, no, Decimal(final), award or None) for rank, no, final, award in EXPECTED]


def test_cli_import_refused_prints_sheet_row_and_reason(app, db, tmp_path):
    db.session.commit()
    data = sheets("WXBAD")
    data["scores"][1][3] = 150
    path, report = tmp_path / "bad.xlsx", tmp_path / "report.xlsx"
    path.write_bytes(xlsx(data))
    result = invoke(app, "import", path, "--report", report)
    assert result.exit_code != 0
    assert "scores row 2" in result.output and "nothing was imported" in result.output
    assert report.exists()
    assert contest.contest_by_code("WXBAD") is None
