"""The contest's results workbook (live standings) and the import template."""
from app import excel
from app.innovation import contest
from app.innovation.workbook.columns import (
    CONTEST_COLUMNS,
    CRITERION_COLUMNS,
    EXPERT_COLUMNS,
    SCORE_COLUMNS,
    SUBMISSION_COLUMNS,
    UNIT_COLUMNS,
)

RESULT_HEADERS = ["rank", "no", "title", "unit", "final", "award"]


def results_rows(programme, with_team=False):
    """Ranked submissions, then unranked ones (incomplete or excluded) without a rank."""
    result = contest.standings(programme)
    rows = result.rows + result.excluded
    teams = contest.load_teams([r.application.id for r in rows]) if with_team else {}
    for row in rows:
        a = row.application
        line = [row.rank, a.number, a.title, a.unit.name, row.final, row.award or ""]
        if with_team:
            line += ["、".join(teams.get(a.id, [])), row.prize]
        yield line


def results_workbook(programme, with_team=False):
    """Sheet `results`: rank, no, title, unit, final, award (plus team and prize for the staff download)."""
    headers = RESULT_HEADERS + (["team", "prize"] if with_team else [])
    return excel.write_workbook([excel.Sheet("results", headers, results_rows(programme, with_team),
                                             widths=[8, 14, 40, 30, 10, 12, 30, 12][:len(headers)])])


def template_workbook_bytes():
    return excel.template_workbook([
        ("contest", CONTEST_COLUMNS, [["code", "WX2025"], ["name", "2025年职工五小成果评选"], ["year", 2025],
                                      ["trim_at", 5], ["tie_break", "innov,benefit"],
                                      ["awards", "一等奖:5;二等奖:15;三等奖:30;优秀奖:230>=60"],
                                      ["prizes", "一等奖:5000;二等奖:3000;三等奖:1000;优秀奖:300"]]),
        ("criteria", CRITERION_COLUMNS, [["innov", "创新性", 30, 30], ["benefit", "效益", 30, 30],
                                         ["practical", "实用性", 20, 20], ["spread", "推广价值", 20, 20]]),
        ("units", UNIT_COLUMNS, [["示例区总工会", "示例市总工会"], ["示例厂工会", "示例区总工会"]]),
        ("submissions", SUBMISSION_COLUMNS, [["2025-001", "数控刀具快换装置", "小革新", "示例厂工会"]]),
        ("experts", EXPERT_COLUMNS, [["expert01", "张专家", "示例市总工会"]]),
        ("scores", SCORE_COLUMNS, [["2025-001", "expert01", "innov", 26.5]]),
    ])
