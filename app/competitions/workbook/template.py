"""The downloadable template: every sheet with its bilingual headers and sample rows."""
from datetime import date

from app import excel
from app.competitions.workbook.columns import SHEETS


# ---- the template


TEMPLATE_EXAMPLES = {
    "competition": [
        ["比赛代码 code", "XZ2025"],
        ["比赛名称 name", "2025年徐州市职工职业技能大赛"],
        ["年度 year", 2025],
        ["届次 edition", "第十届"],
        ["主办单位 organisers", "徐州市总工会"],
        ["开始日期 starts_on", date(2025, 5, 10)],
        ["结束日期 ends_on", date(2025, 5, 12)],
        ["申诉时限 appeal_window_hours", 2],
    ],
    # Units the entries and judges below come from, created where they do not exist yet.
    "units": [
        ["徐州工程机械研究院工会", "徐州经济技术开发区总工会", "工程机械研究院"],
        ["徐州恒顺起重机械有限公司工会", "铜山区总工会", "恒顺起重"],
        ["江苏师范大学工会", "泉山区总工会", "江苏师大"],
    ],
    # The award tiers are on the awards sheet (with their prizes), so this row's awards cell is blank.
    "events": [
        ["HG", "焊工", "个人", None, 5, "SC,LL", None, None, "否", "推荐五一劳动奖章", 1],
    ],
    "stages": [
        ["HG", "LL", "理论知识", 30, 30],
        ["HG", "SC", "实际操作", 70, None],
    ],
    "criteria": [
        ["HG", "LL", "LL1", "理论考试", 100, "测量"],
        ["HG", "SC", "SC1", "焊缝外观质量", 40, "评分"],
        ["HG", "SC", "SC2", "射线探伤", 40, "测量"],
        ["HG", "SC", "SC3", "安全文明生产", 20, "评分"],
    ],
    "awards": [
        ["HG", "一等奖", 1, None, 10000, None],
        ["HG", "二等奖", 1, None, 8000, None],
        ["HG", "三等奖", "10%", None, 5000, "3:6000"],
        ["HG", "优秀奖", "50%", 60, 1000, None],
    ],
    "entries": [
        ["HG", "001", "张伟", "徐州工程机械研究院工会", None],
        ["HG", "002", "刘强", "徐州恒顺起重机械有限公司工会", None],
    ],
    "judges": [
        ["HG", "wangjg", "王建国", "江苏师范大学工会", "否"],
        ["HG", "lihm", "李慧敏", "江苏师范大学工会", "是"],
    ],
    "scores": [
        ["HG", "001", "wangjg", "SC1", 35.5],
        ["HG", "001", None, "LL1", 86],
        ["HG", "001", None, "SC2", 36],
    ],
}


def template_workbook_bytes():
    """An import template: every sheet (Chinese names), bilingual headers and a worked example."""
    return excel.template_workbook([
        (spec.label, columns, TEMPLATE_EXAMPLES[key]) for key, spec, columns, _ in SHEETS
    ])
