"""flask competitions import / export / results / template."""
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import User
from app.audit import AuditEvent
from app.competitions import workbook
from app.competitions.cli import competitions_cli
from app.competitions.models import Competition, Entry
from tests.competitions.test_workbook_data import base_sheets, orgs, stream, xlsx  # noqa: F401 - orgs is a fixture


def invoke(app, *args):
    return app.test_cli_runner().invoke(competitions_cli, [str(a) for a in args])


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_template_command_writes_every_sheet(app, db, tmp_path):
    out = tmp_path / "template.xlsx"
    result = invoke(app, "template", out)
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["比赛", "单位", "赛项", "阶段", "评分项", "奖项", "参赛选手", "评委", "成绩"]


def test_import_command_commits_and_reports_new_judges(app, db, orgs, tmp_path):
    db.session.commit()  # the command rolls back on failure: keep the fixture's rows out of its reach
    path, report = tmp_path / "cup.xlsx", tmp_path / "accounts.xlsx"
    path.write_bytes(xlsx(base_sheets()))
    result = invoke(app, "import", path, "--report", report)
    assert result.exit_code == 0, result.output
    assert "competition T2025 imported: 2 events, 3 stages, 4 criteria, 4 entries, 5 judges" in result.output
    assert "15 scores, 3 measurements, 4 judge accounts created" in result.output
    assert count(db, Competition) == 1 and count(db, Entry) == 4
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert {row[1] for row in rows[1:]} == {"judge1", "judge2", "judge3", "chief1"}
    judge = db.session.scalars(sa.select(User).where(User.username == "judge1")).one()
    password = next(row[4] for row in rows[1:] if row[1] == "judge1")
    assert judge.check_password(password)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "competition.import")).one()
    assert event.actor_label == "system" and event.actor_id is None


def test_import_command_fails_with_each_problem_and_writes_nothing(app, db, orgs, tmp_path):
    db.session.commit()
    users_before = count(db, User)
    sheets = base_sheets()
    sheets["stages"][2][3] = 60  # practical 60 %: weights 90
    sheets["scores"][2][4] = 51  # above SC1's maximum of 50
    path, report = tmp_path / "cup.xlsx", tmp_path / "problems.xlsx"
    path.write_bytes(xlsx(sheets))
    result = invoke(app, "import", path, "--report", report)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["stages row 2", "stages row 3", "scores row 3"]
    assert "3 problems; nothing was imported" in result.output
    assert count(db, Competition) == 0 and count(db, User) == users_before
    marked = list(load_workbook(report)["scores"].iter_rows(values_only=True))
    assert marked[0][0] == "错误原因 errors" and "row 3" in marked[2][0]


def test_import_command_refuses_a_file_that_is_not_a_workbook(app, db, tmp_path):
    path = tmp_path / "cup.xlsx"
    path.write_text("name,score\n")
    result = invoke(app, "import", path)
    assert result.exit_code == 1 and "Error:" in result.output
    assert count(db, Competition) == 0


def test_results_command_writes_the_events_results(app, db, users, orgs, tmp_path, english):
    assert workbook.import_workbook(users["staff"], stream(base_sheets())).ok
    out = tmp_path / "results.xlsx"
    result = invoke(app, "results", "HG", out, "--competition", "T2025")
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["results"].iter_rows(values_only=True))
    assert [(r[0], r[1]) for r in rows[1:]] == [(1, "001"), (2, "002"), (3, "003")]
    assert invoke(app, "results", "HG", out).exit_code == 0  # one competition has HG: no need to name it

    missing = invoke(app, "results", "XX", out, "--competition", "T2025")
    assert missing.exit_code == 1 and "no event XX in T2025" in missing.output


def test_export_command_writes_the_competition_in_the_import_format(app, db, users, orgs, tmp_path):
    assert workbook.import_workbook(users["staff"], stream(base_sheets())).ok
    out = tmp_path / "T2025.xlsx"
    result = invoke(app, "export", "T2025", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["比赛", "赛项", "阶段", "评分项", "奖项", "参赛选手", "评委"]
    assert [row[1] for row in book["参赛选手"].iter_rows(min_row=2, values_only=True)] == ["001", "002", "003", "T01"]
    assert invoke(app, "export", "NOPE", out).exit_code != 0
