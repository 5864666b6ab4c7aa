"""A small people workbook: units, masters and apprentices whose matching exercises each scope."""
import copy
import io

from openpyxl import Workbook

from app.accounts.models import Trade
from app.extensions import db

TRADES = (("APW", "学徒焊工"), ("APL", "学徒车工"), ("APE", "学徒电工"))

SHEETS = {
    "units": [["单位名称 name", "上级工会 parent"], ["学徒市总工会", None], ["学徒区总工会", "学徒市总工会"],
              ["学徒甲厂", "学徒区总工会"], ["学徒乙厂", "学徒区总工会"], ["学徒丁厂", "学徒区总工会"],
              ["学徒丙厂", "学徒市总工会"]],
    "masters": [["用户名 username", "姓名 name", "单位 unit", "工种 trade", "等级 level", "带徒名额 capacity"],
                ["m_zhang", "张师傅", "学徒甲厂", "APW", 2, 1],
                ["m_li", "李师傅", "学徒乙厂", "学徒焊工", "高级技师", 3],
                ["m_wang", "王师傅", "学徒丙厂", "apl", "一级", None]],
    "apprentices": [["username", "name", "unit", "trade", "level", "preferences"],
                    ["a_chen", "陈徒", "学徒甲厂", "APW", 4, "m_li"],  # own-unit m_zhang wins over m_li
                    ["a_zhou", "周徒", "学徒乙厂", "APW", "五级", None],
                    ["a_sun", "孙徒", "学徒丁厂", "APW", 4, ""],  # m_li, same district union
                    ["a_qian", "钱徒", "学徒丙厂", "APW", 3, "m_li"],  # m_li's last place, across the system
                    ["a_feng", "冯徒", "学徒丙厂", "APW", 3, None],  # nothing left
                    ["a_wu", "吴徒", "学徒丙厂", "APL", 3, "m_wang"],
                    ["a_he", "何徒", "学徒丙厂", "学徒电工", 4, None]],  # no master of the trade
}

EXPECTED_PAIRS = [
    ("m_zhang", "a_chen", "unit", None),
    ("m_li", "a_qian", "system", 1),
    ("m_li", "a_sun", "industry", None),
    ("m_wang", "a_wu", "unit", 1),
    ("m_li", "a_zhou", "unit", None),
]
EXPECTED_UNMATCHED = [("a_feng", "masters_full"), ("a_he", "no_master_in_trade")]


def sheets():
    return copy.deepcopy(SHEETS)


def xlsx(data):
    book = Workbook()
    book.remove(book.active)
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stream(data):
    return io.BytesIO(xlsx(data))


def make_trades():
    for code, name in TRADES:
        db.session.add(Trade(code=code, name=name))
    db.session.flush()
