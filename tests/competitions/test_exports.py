"""Results workbooks: one event's results, and the competition's results book (成绩册)."""
import io

from openpyxl import load_workbook

from app.competitions import exports, workbook
from tests.competitions.test_workbook_data import base_sheets, orgs, stream  # noqa: F401 - orgs is a fixture


def imported(users, sheets):
    outcome = workbook.import_workbook(users["staff"], stream(sheets))
    assert outcome.ok, outcome.problems
    return outcome.competition


def rows_of(data, title):
    return list(load_workbook(io.BytesIO(data))[title].iter_rows(values_only=True))


def test_results_list_ranked_entries_first_with_numbers(db, users, orgs, english):
    sheets = base_sheets()
    sheets["entries"].append(["HG", "004", "孙八", "乙公司工会", None])  # no marks yet: no rank, listed last
    competition = imported(users, sheets)
    data = exports.results_workbook(competition.events[0].id)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["results"]
    rows = rows_of(data, "results")
    assert rows[0] == ("名次 rank", "参赛编号 bib", "姓名 name", "单位 unit", "总成绩 final", "奖项 award", "LL", "SC")
    assert [(r[0], r[1]) for r in rows[1:]] == [(1, "001"), (2, "002"), (3, "003"), (None, "004")]
    # 001: theory 90 % × 30 + practical (44.5 + 41) % × 70 = 86.85
    assert rows[1][2:] == ("张三", "甲公司工会", 86.85, "一等奖", 90, 85.5)
    assert rows[2][4:] == (80, "二等奖", 80, 80)
    assert rows[4][4] is None and rows[4][5] in (None, "")
    assert all(isinstance(value, (int, float)) for row in rows[1:4] for value in (row[0], row[4], row[6], row[7]))


def test_the_results_book_has_a_summary_and_every_judges_marks_per_event(db, users, orgs, english):
    competition = imported(users, base_sheets())
    data = exports.results_book(competition)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["汇总 summary", "HG 焊工", "DG 电工团体赛"]

    summary = rows_of(data, "汇总 summary")
    assert summary[0][:4] == ("赛项代码 event", "赛项 name", "参赛 entries", "已排名 ranked")
    assert summary[1][:7] == ("HG", "焊工", 3, 3, 0, 0, 3)
    assert summary[1][7] == "一等奖 1、二等奖 1、三等奖 1" and summary[1][9] == "张三（甲公司工会）"
    assert summary[2][:4] == ("DG", "电工团体赛", 1, 1)

    sheet = rows_of(data, "HG 焊工")
    header = sheet[0]
    assert header[:4] == ("参赛编号 bib", "姓名 name", "单位 unit", "LL1 测量 measured")
    assert [h for h in header if h.startswith("SC1")] == ["SC1 评委一", "SC1 评委三", "SC1 评委二", "SC1 得分 result"]
    assert header[-5:] == ("总成绩 final", "名次 rank", "奖项 award", "奖金 prize", "荣誉 honours")
    rows = {row[0]: dict(zip(header, row)) for row in sheet[1:]}
    first = rows["001"]
    assert first["SC1 评委三"] == "—"  # 评委三 is from 001's unit
    assert (first["SC1 评委一"], first["SC1 评委二"], first["SC1 得分 result"]) == (45, 44, 44.5)
    assert (first["LL1 测量 measured"], first["LL 阶段得分 score"], first["LL 百分制 %"]) == (90, 90, 90)
    assert (first["SC 阶段得分 score"], first["SC 百分制 %"]) == (85.5, 85.5)
    assert (first["总成绩 final"], first["名次 rank"], first["奖项 award"]) == (86.85, 1, "一等奖")
    assert first["荣誉 honours"] == "推荐五一劳动奖章" and first["奖金 prize"] is None
    assert rows["002"]["SC1 评委三"] == 42 and rows["003"]["SC2 评委二"] == 30.5
    marks = [v for row in rows.values() for h, v in row.items() if h.startswith(("SC1 ", "SC2 ")) and v != "—"]
    assert marks and all(isinstance(v, (int, float)) for v in marks)

    team = rows_of(data, "DG 电工团体赛")
    assert "团队成员 members" in team[0]
    assert dict(zip(team[0], team[1]))["团队成员 members"] == "赵六、钱七"
