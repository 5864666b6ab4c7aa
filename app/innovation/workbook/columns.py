"""The contest workbook's sheets, columns and the words accepted in its cells (English or Chinese)."""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app import excel
from app.innovation.models import AchievementCategory

ZERO, HUNDRED = Decimal(0), Decimal(100)
CODE_PATTERN = r"^[A-Za-z0-9_-]+$"

CONTEST = excel.SheetSpec("contest", "评选")
CRITERIA = excel.SheetSpec("criteria", "评审指标")
UNITS = excel.SheetSpec("units", "单位")
SUBMISSIONS = excel.SheetSpec("submissions", "成果")
EXPERTS = excel.SheetSpec("experts", "专家")
SCORES = excel.SheetSpec("scores", "评分")


def _code(max_length):
    as_text = excel.text(max_length)

    def parse(value):
        code = as_text(value)
        if not re.match(CODE_PATTERN, code):
            raise ValueError(_l("use letters, digits, dashes or underscores"))
        return code

    return parse


def _raw(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


CATEGORY_WORDS = {
    "小发明": AchievementCategory.INVENTION, "小创造": AchievementCategory.CREATION,
    "小革新": AchievementCategory.INNOVATION, "小设计": AchievementCategory.DESIGN,
    "小建议": AchievementCategory.SUGGESTION, "技术创新": AchievementCategory.TECHNICAL,
    "技术创新成果": AchievementCategory.TECHNICAL, "管理创新": AchievementCategory.MANAGEMENT,
    "管理创新成果": AchievementCategory.MANAGEMENT,
    **{c.value: c for c in AchievementCategory},
}
CATEGORY_NAMES = {c: name for name, c in reversed(list(CATEGORY_WORDS.items())) if not name.isascii()}


def category(value):
    word = excel.text(20)(value)
    found = CATEGORY_WORDS.get(word) or CATEGORY_WORDS.get(word.lower())
    if found is None:
        raise ValueError(_l("must be one of: %(words)s", words="小发明 / 小创造 / 小革新 / 小设计 / 小建议 / 技术创新 / 管理创新"))
    return found


# contest sheet: key words accepted, and the value parser
CONTEST_ITEMS = {
    "code": (("code", "编号", "代码", "评选代码"), _code(40)),
    "name": (("name", "名称", "评选名称"), excel.text(160)),
    "year": (("year", "年度", "年份"), excel.integer(minimum=2000, maximum=2100)),
    "trim_at": (("trim_at", "去极值专家数"), excel.integer(minimum=3, maximum=99)),
    "tie_break": (("tie_break", "同分比较"), excel.text(200, required=False)),
    "awards": (("awards", "奖项设置"), excel.text(300, required=False)),
    "prizes": (("prizes", "奖金"), excel.text(300, required=False)),
    "unit_quota": (("unit_quota", "单位推荐名额"), excel.integer(minimum=1, maximum=100_000, required=False)),
}

CONTEST_COLUMNS = (
    excel.Column("key", "项目", excel.text(60)),
    excel.Column("value", "内容", _raw),
)
CRITERION_COLUMNS = (
    excel.Column("code", "指标代码", _code(20)),
    excel.Column("name", "指标名称", excel.text(120)),
    excel.Column("max", "满分", excel.decimal(places=2, minimum=Decimal("0.01"), maximum=Decimal("99999.99"))),
    excel.Column("weight", "权重", excel.decimal(places=2, minimum=ZERO, maximum=HUNDRED)),
)
UNIT_COLUMNS = (
    excel.Column("name", "单位名称", excel.text(120)),
    excel.Column("parent", "上级工会", excel.text(120, required=False), required=False),
)
SUBMISSION_COLUMNS = (
    excel.Column("no", "编号", excel.text(20)),
    excel.Column("title", "成果名称", excel.text(200)),
    excel.Column("type", "类别", category),
    excel.Column("unit", "单位", excel.text(120)),
)
EXPERT_COLUMNS = (
    excel.Column("username", "用户名", excel.text(40)),
    excel.Column("name", "姓名", excel.text(60, required=False), required=False),
    excel.Column("unit", "单位", excel.text(120, required=False), required=False),
)
SCORE_COLUMNS = (
    excel.Column("no", "编号", excel.text(20)),
    excel.Column("expert", "专家", excel.text(40)),
    excel.Column("criterion", "指标", excel.text(20)),
    excel.Column("score", "分数", excel.decimal(places=2, minimum=ZERO)),
)

# (key, spec, columns, required sheet)
SHEETS = (
    ("contest", CONTEST, CONTEST_COLUMNS, True),
    ("criteria", CRITERIA, CRITERION_COLUMNS, False),
    ("units", UNITS, UNIT_COLUMNS, False),
    ("submissions", SUBMISSIONS, SUBMISSION_COLUMNS, False),
    ("experts", EXPERTS, EXPERT_COLUMNS, False),
    ("scores", SCORES, SCORE_COLUMNS, False),
)
