"""The workbook's sheets, columns and the words accepted in its cells (English or Chinese)."""
import re
import unicodedata
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app import excel
from app.competitions import services
from app.competitions.models import CompetitionStatus as S, CriterionKind, EntryType

IMPORTABLE = {S.DRAFT, S.REGISTRATION, S.RUNNING}
CHUNK = 5000  # rows per bulk statement
ZERO, HUNDRED = Decimal(0), Decimal(100)

COMPETITION = excel.SheetSpec("competition", "比赛")
UNITS = excel.SheetSpec("units", "单位")
EVENTS = excel.SheetSpec("events", "赛项")
STAGES = excel.SheetSpec("stages", "阶段")
CRITERIA = excel.SheetSpec("criteria", "评分项")
AWARDS = excel.SheetSpec("awards", "奖项")
ENTRIES = excel.SheetSpec("entries", "参赛选手")
JUDGES = excel.SheetSpec("judges", "评委")
SCORES = excel.SheetSpec("scores", "成绩")


# ---- cell parsers


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _code(max_length):
    as_text = excel.text(max_length)

    def parse(value):
        code = as_text(value)
        if not re.match(services.CODE_PATTERN, code):
            raise ValueError(_l("use letters, digits, dashes or underscores"))
        return code

    return parse


def _choice(words, hint):
    def parse(value):
        if _blank(value):
            return None
        word = str(value).strip()
        choice = words.get(word.lower()) or words.get(word)
        if choice is None:
            raise ValueError(_l("must be one of: %(words)s", words=hint))
        return choice

    return parse


def _flag(value):
    """yes/no, or None when blank (keep the current value)."""
    return None if _blank(value) else excel.boolean(value)


def _raw(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _date(value):
    return None if _blank(value) else excel.cell_date(value)


EVERYONE = 0  # "advance_count" of a stage after which everyone goes on (stored as None)
EVERYONE_WORDS = {"0", "all", "everyone", "全部", "全体", "不限"}
_as_count = excel.integer(minimum=1, maximum=100_000, required=False)


def _advance(value):
    """How many entries advance from a stage: a number, "全部"/"all"/0 for everyone, blank to keep."""
    if _blank(value):
        return None
    if str(value).strip().lower() in EVERYONE_WORDS or value == 0:
        return EVERYONE
    return _as_count(value)


def _places(value):
    """An award tier's size: a count ("3") or a share of the ranked entries ("10%", or 0.1 from a % cell)."""
    if _blank(value):
        raise ValueError(_l("is required"))
    if isinstance(value, float) and not value.is_integer() and 0 < value < 1:  # Excel keeps 10% as 0.1
        return f"{format((Decimal(str(value)) * 100).normalize(), 'f')}%"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    places = unicodedata.normalize("NFKC", str(value)).strip()  # full-width digits and ％
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?%|[0-9]+", places):
        raise ValueError(_l("write a number of places (3) or a share of the ranked entries (10%)"))
    return places


def _rank_prizes(value):
    """Per-rank amounts "1:10000;2:8000" (full-width punctuation accepted), normalised; blank: none."""
    if _blank(value):
        return None
    text = unicodedata.normalize("NFKC", excel.text(300)(value))  # full-width digits and punctuation
    parts = [p.strip() for p in re.split(r"[;,、]", text) if p.strip()]
    prizes = {}
    for part in parts:
        match = re.fullmatch(r"([0-9]+)\s*:\s*([0-9]+(?:\.[0-9]{1,2})?)", part)
        if match is None or int(match.group(1)) < 1 or int(match.group(1)) in prizes:
            raise ValueError(_l("write rank:amount pairs such as 1:10000;2:8000"))
        prizes[int(match.group(1))] = Decimal(match.group(2))
    return ";".join(f"{rank}:{format(amount.normalize(), 'f')}" for rank, amount in prizes.items())


ENTRY_TYPE_WORDS = {
    "individual": EntryType.INDIVIDUAL, "个人": EntryType.INDIVIDUAL, "个人赛": EntryType.INDIVIDUAL,
    "team": EntryType.TEAM, "团体": EntryType.TEAM, "团体赛": EntryType.TEAM, "团队": EntryType.TEAM,
}
KIND_WORDS = {
    "judgement": CriterionKind.JUDGEMENT, "judgment": CriterionKind.JUDGEMENT, "评分": CriterionKind.JUDGEMENT,
    "主观评分": CriterionKind.JUDGEMENT, "主观": CriterionKind.JUDGEMENT,
    "measurement": CriterionKind.MEASUREMENT, "测量": CriterionKind.MEASUREMENT,
    "客观评分": CriterionKind.MEASUREMENT, "客观": CriterionKind.MEASUREMENT,
}

# competition sheet: the words accepted in the key column, and the value parser
COMPETITION_ITEMS = {
    "code": (("code", "编号", "代码", "比赛代码", "比赛编号"), _code(40)),
    "name": (("name", "名称", "比赛名称"), excel.text(120)),
    "year": (("year", "年度", "年份"), excel.integer(minimum=2000, maximum=2100)),
    "edition": (("edition", "届次"), excel.text(40, required=False)),
    "organisers": (("organisers", "organizers", "主办单位", "主办"), excel.text(300, required=False)),
    "starts_on": (("starts_on", "开始日期"), _date),
    "ends_on": (("ends_on", "结束日期"), _date),
    "appeal_window_hours": (("appeal_window_hours", "申诉时限", "申诉时限小时"),
                            excel.integer(minimum=0, maximum=720, required=False)),
}
COMPETITION_LABELS = {
    "code": "比赛代码", "name": "比赛名称", "year": "年度", "edition": "届次", "organisers": "主办单位",
    "starts_on": "开始日期", "ends_on": "结束日期", "appeal_window_hours": "申诉时限",
}

COMPETITION_COLUMNS = (
    excel.Column("key", "项目", excel.text(60)),
    excel.Column("value", "内容", _raw),
)
EVENT_COLUMNS = (
    excel.Column("code", "赛项代码", _code(20)),
    excel.Column("name", "赛项名称", excel.text(120)),
    excel.Column("entry_type", "参赛形式", _choice(ENTRY_TYPE_WORDS, "individual / team / 个人 / 团体"), required=False),
    excel.Column("team_size", "团队人数", excel.integer(minimum=1, maximum=50, required=False), required=False),
    excel.Column("trim_at", "去极值评委数", excel.integer(minimum=3, maximum=99, required=False), required=False),
    excel.Column("tie_break", "同分比较", excel.text(200, required=False), required=False),
    excel.Column("awards", "奖项设置", excel.text(300, required=False), required=False),
    excel.Column("trade", "工种", excel.text(60, required=False), required=False),
    excel.Column("blind", "盲评", _flag, required=False),
    excel.Column("honour", "荣誉", excel.text(120, required=False), required=False),
    excel.Column("honour_max_rank", "荣誉名次", excel.integer(minimum=1, maximum=1000, required=False),
                 required=False),
)
STAGE_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("code", "阶段代码", _code(20)),
    excel.Column("name", "阶段名称", excel.text(60)),
    excel.Column("weight", "权重", excel.decimal(places=2, minimum=ZERO, maximum=HUNDRED)),
    excel.Column("advance_count", "晋级人数", _advance, required=False),
)
CRITERION_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("stage", "阶段", excel.text(20)),
    excel.Column("code", "评分项代码", _code(20)),
    excel.Column("name", "评分项名称", excel.text(120)),
    excel.Column("max", "满分", excel.decimal(places=2, minimum=Decimal("0.01"), maximum=Decimal("99999.99"))),
    excel.Column("kind", "类型", _choice(KIND_WORDS, "judgement / measurement / 评分 / 测量"), required=False),
)
AWARD_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("name", "奖项名称", excel.text(40)),
    excel.Column("places", "名额", _places),
    excel.Column("minimum", "最低分", excel.decimal(places=2, minimum=ZERO, maximum=Decimal("99999.99"),
                                                 required=False), required=False),
    excel.Column("prize", "奖金", excel.decimal(places=2, minimum=ZERO, maximum=Decimal("9999999999.99"),
                                              required=False), required=False),
    excel.Column("rank_prizes", "分名次奖金", _rank_prizes, required=False),
)
UNIT_COLUMNS = (
    excel.Column("name", "单位名称", excel.text(120)),
    excel.Column("parent", "上级工会", excel.text(120, required=False), required=False),
    excel.Column("short_name", "简称", excel.text(40, required=False), required=False),
)
ENTRY_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("bib", "参赛编号", excel.text(20)),
    excel.Column("name", "姓名", excel.text(120)),
    excel.Column("unit", "单位", excel.text(120)),
    excel.Column("members", "团队成员", excel.text(300, required=False), required=False),
)
JUDGE_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("username", "用户名", excel.text(40)),
    excel.Column("name", "姓名", excel.text(60, required=False), required=False),
    excel.Column("unit", "单位", excel.text(120, required=False), required=False),
    excel.Column("chief", "裁判长", excel.boolean, required=False),
)
SCORE_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("bib", "参赛编号", excel.text(20)),
    excel.Column("judge", "评委", excel.text(40, required=False), required=False),
    excel.Column("criterion", "评分项", excel.text(20)),
    excel.Column("score", "分数", excel.decimal(places=2, minimum=ZERO)),
)

# (key, spec, columns, required sheet)
SHEETS = (
    ("competition", COMPETITION, COMPETITION_COLUMNS, True),
    ("units", UNITS, UNIT_COLUMNS, False),
    ("events", EVENTS, EVENT_COLUMNS, False),
    ("stages", STAGES, STAGE_COLUMNS, False),
    ("criteria", CRITERIA, CRITERION_COLUMNS, False),
    ("awards", AWARDS, AWARD_COLUMNS, False),
    ("entries", ENTRIES, ENTRY_COLUMNS, False),
    ("judges", JUDGES, JUDGE_COLUMNS, False),
    ("scores", SCORES, SCORE_COLUMNS, False),
)
