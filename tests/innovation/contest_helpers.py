"""A small contest workbook whose ranking exercises every rule (see the expected table below)."""
import io

from openpyxl import Workbook

EXPERTS = ("exp1", "exp2", "exp3")
# no -> (A marks of e1..e3, B marks); A and B: max 100, weight 50 each; trim_at 3 (drop high and low).
MARKS = {
    "S1": ((90, 90, 90), (90, 90, 90)),  # 90.00 → rank 1
    "S2": ((80, 80, 80), (90, 90, 90)),  # 85.00, B 90% → rank 2 (decided by B)
    "S3": ((90, 90, 90), (80, 80, 80)),  # 85.00, B 80% → rank 3
    "S4": ((80, 80, 80), (80, 80, 80)),  # 80.00 → rank 4 shared
    "S5": ((80, 80, 80), (80, 80, 80)),  # 80.00 → rank 4 shared
    "S6": ((10, 70, 100), (70, 70, 70)),  # A trimmed to 70 (mean 60 untrimmed) → 70.00 → rank 7
    "S7": (("70.01", "70.01", "70.01"), (70, 70, 70)),  # 70.005 → half-up 70.01 → rank 6
}
EXPECTED = [  # rank, no, final, award
    (1, "S1", "90.00", "一等奖"), (2, "S2", "85.00", "二等奖"), (3, "S3", "85.00", "二等奖"),
    (4, "S4", "80.00", "三等奖"), (4, "S5", "80.00", "三等奖"), (6, "S7", "70.01", "优秀奖"), (7, "S6", "70.00", None),
]
AWARDS = "一等奖:1;二等奖:2;三等奖:1;优秀奖:3>=70.01"


def sheets(code="WX1"):
    scores = [["编号 no", "专家 expert", "指标 criterion", "分数 score"]]
    for no, (a, b) in MARKS.items():
        for criterion, marks in (("A", a), ("B", b)):
            for expert, mark in zip(EXPERTS, marks):
                scores.append([no, expert, criterion, float(mark) if isinstance(mark, str) else mark])
    return {
        "contest": [["key", "value"], ["code", code], ["name", "五小成果评选"], ["year", 2025], ["trim_at", 3],
                    ["tie_break", "B"], ["awards", AWARDS], ["prizes", "一等奖:5000;二等奖:3000;三等奖:1000;优秀奖:300"]],
        "criteria": [["code", "name", "max", "weight"], ["A", "创新性", 100, 50], ["B", "效益", 100, 50]],
        "units": [["name", "parent"], ["样板市总工会", None], ["样板区总工会", "样板市总工会"],
                  ["甲厂工会", "样板区总工会"], ["乙厂工会", "样板区总工会"], ["专家协会工会", "样板市总工会"]],
        "submissions": [["no", "title", "type", "unit"]] + [
            [no, f"成果{no}", "小革新" if i % 2 else "invention", "甲厂工会" if i % 2 else "乙厂工会"]
            for i, no in enumerate(MARKS)],
        "experts": [["username", "name", "unit"]] + [[e, f"专家{e}", "专家协会工会"] for e in EXPERTS],
        "scores": scores,
    }


def xlsx(data):
    book = Workbook()
    book.remove(book.active)
    for title, rows in data.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stream(data):
    return io.BytesIO(xlsx(data))


def import_contest(data=None):
    from app.accounts.cli import _SystemActor
    from app.innovation import workbook

    outcome = workbook.import_workbook(_SystemActor(), stream(data or sheets()))
    assert outcome.ok, outcome.problems
    return outcome.programme
