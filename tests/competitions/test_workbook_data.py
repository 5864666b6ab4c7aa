"""Workbooks and organisations shared by the import, export and CLI tests (no tests here).

`base_sheets()` is a complete, valid competition: a welding event (HG) with a
measured theory stage (30 %) and a judged practical stage (70 %), three
entries (two from unit 甲, one from 乙), three judges (评委三 is from unit 甲,
so may not score its entries) and a chief; a two-person team event (DG).
Every mark is there, so the event ranks 001 > 002 > 003.
"""
import copy
import io

import pytest
from openpyxl import Workbook

from tests.factories import OrganizationFactory, TradeFactory

BASE = {
    "competition": [
        ["key", "value"],
        ["code", "T2025"],
        ["name", "2025年测试职工技能大赛"],
        ["year", 2025],
        ["edition", "第一届"],
        ["starts_on", "2025-05-10"],
        ["ends_on", "2025-05-12"],
        ["appeal_window_hours", 2],
    ],
    "events": [
        ["code", "name", "entry_type", "team_size", "trim_at", "tie_break", "awards", "trade", "blind", "honour"],
        ["HG", "焊工", "individual", None, 5, "SC,LL", "一等奖:1;二等奖:1;三等奖:1", "焊工", "no", "推荐五一劳动奖章"],
        ["DG", "电工团体赛", "team", 2, 5, None, "一等奖:1", None, "no", None],
    ],
    "stages": [
        ["event", "code", "name", "weight"],
        ["HG", "LL", "理论知识", 30],
        ["HG", "SC", "实际操作", 70],
        ["DG", "P", "实操", 100],
    ],
    "criteria": [
        ["event", "stage", "code", "name", "max", "kind"],
        ["HG", "LL", "LL1", "理论考试", 100, "measurement"],
        ["HG", "SC", "SC1", "焊缝外观", 50, "judgement"],
        ["HG", "SC", "SC2", "内部质量", 50, "judgement"],
        ["DG", "P", "P1", "接线", 100, "judgement"],
    ],
    "entries": [
        ["event", "bib", "name", "unit", "members"],
        ["HG", "001", "张三", "甲公司工会", None],
        ["HG", "002", "李四", "乙公司工会", None],
        ["HG", "003", "王五", "甲公司", None],  # the short name
        ["DG", "T01", "电工一队", "乙公司工会", "赵六、钱七"],
    ],
    "judges": [
        ["event", "username", "name", "unit", "chief"],
        ["HG", "judge1", "评委一", "丙学院工会", "no"],
        ["HG", "judge2", "评委二", "丙学院工会", "no"],
        ["HG", "judge3", "评委三", "甲公司工会", "no"],
        ["HG", "chief1", "裁判长一", "丙学院工会", "yes"],
        ["DG", "judge1", "评委一", "丙学院工会", "no"],
    ],
    "scores": [
        ["event", "bib", "judge", "criterion", "score"],
        ["HG", "001", None, "LL1", 90],  # row 2
        ["HG", "001", "judge1", "SC1", 45],  # row 3
        ["HG", "001", "judge2", "SC1", 44],
        ["HG", "001", "judge1", "SC2", 40],
        ["HG", "001", "judge2", "SC2", 42],
        ["HG", "002", None, "LL1", 80],  # row 7
        ["HG", "002", "judge1", "SC1", 40],
        ["HG", "002", "judge2", "SC1", 41],
        ["HG", "002", "judge3", "SC1", 42],
        ["HG", "002", "judge1", "SC2", 38],
        ["HG", "002", "judge2", "SC2", 39],
        ["HG", "002", "judge3", "SC2", 40],
        ["HG", "003", None, "LL1", 70],  # row 14
        ["HG", "003", "judge1", "SC1", 30],
        ["HG", "003", "judge2", "SC1", 31],
        ["HG", "003", "judge1", "SC2", 30],
        ["HG", "003", "judge2", "SC2", 30.5],
        ["DG", "T01", "judge1", "P1", 88],  # row 19
    ],
}
BASE_JUDGEMENT_SCORES = 15
BASE_MEASUREMENTS = 3


def base_sheets():
    """A fresh, mutable copy of the valid competition workbook's sheets."""
    return copy.deepcopy(BASE)


def xlsx(sheets):
    """Bytes of a workbook with one worksheet per {title: rows}."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stream(sheets):
    return io.BytesIO(xlsx(sheets))


@pytest.fixture()
def orgs(db):
    """示例市总 → 示例区总 → 甲公司; 乙公司 and 丙学院 directly below the city; the 焊工 trade."""
    city = OrganizationFactory(name="示例市总工会", kind="federation")
    district = OrganizationFactory(name="示例区总工会", kind="district", parent=city)
    return {
        "city": city,
        "district": district,
        "a": OrganizationFactory(name="甲公司工会", short_name="甲公司", kind="unit", parent=district),
        "b": OrganizationFactory(name="乙公司工会", kind="unit", parent=city),
        "c": OrganizationFactory(name="丙学院工会", kind="unit", parent=city),
        "trade": TradeFactory(code="HG", name="焊工"),
    }


def volume_sheets(entries=1000, judges=7, criteria=10, code="VOL"):
    """One event: `entries` × `judges` × `criteria` judgement marks in two stages (30/70)."""
    half = criteria // 2
    crits = [("T" if n < half else "P", f"C{n:02d}") for n in range(criteria)]
    judge_names = [f"voljudge{j}" for j in range(judges)]

    def scores():
        yield ["event", "bib", "judge", "criterion", "score"]
        for e in range(entries):
            for _, crit in crits:
                for j, judge in enumerate(judge_names):
                    yield ["V", f"{e:04d}", judge, crit, (e * 7 + j * 3 + int(crit[1:])) % 100 / 10]

    return {
        "competition": [["key", "value"], ["code", code], ["name", "容量测试大赛"], ["year", 2025]],
        "events": [["code", "name", "entry_type", "trim_at", "awards"],
                   ["V", "数控车工", "individual", 5, "一等奖:1%;二等奖:5%;三等奖:10%"]],
        "stages": [["event", "code", "name", "weight"], ["V", "T", "理论", 30], ["V", "P", "实操", 70]],
        "criteria": [["event", "stage", "code", "name", "max", "kind"]]
        + [["V", stage, crit, f"评分项{crit}", 10, "judgement"] for stage, crit in crits],
        "entries": [["event", "bib", "name", "unit"]]
        + [["V", f"{e:04d}", f"选手{e}", "甲公司工会" if e % 2 else "乙公司工会"] for e in range(entries)],
        "judges": [["event", "username", "name", "unit", "chief"]]
        + [["V", name, f"评委{n}", "丙学院工会", "no"] for n, name in enumerate(judge_names)],
        "scores": scores(),
    }


def volume_xlsx(**kwargs):
    """The volume workbook, written in write-only mode (fast, bounded memory)."""
    book = Workbook(write_only=True)
    for title, rows in volume_sheets(**kwargs).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
