"""Import a whole competition from one workbook, all or nothing.

Sheets (English or Chinese names; headers as English keys, Chinese labels or
both, "赛项 event"): competition (key/value rows), events, stages, criteria,
entries, judges and, optionally, scores. Only the competition sheet is
required; the others add to or update what the database already holds, so a
later workbook of scores alone is enough while the competition runs.

Everything is validated first, against the file and the database together
(the marking scheme, panels and entries as they will be after the import),
and every problem is attached to its sheet, row and column. Only when there
is none are the changes written: the competition, its structure (events,
stages, criteria, award tiers), changed entries, new judges' accounts and
panels through the competition and account services (each audited); new
entries and the marks in bulk (Core inserts / upserts in chunks, no ORM object
per row) with ONE `competition.import` audit event carrying the counts, the
new entries' bibs and the SHA-256 of the uploaded file. The writes run in a SAVEPOINT, so a rule
a service still refuses leaves nothing behind either. Flushes, never commits.

Blank optional cells keep the current value (or take the default for a new
record); nothing is deleted by an import.
"""
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, excel, scoring
from app.accounts import services as account_services
from app.accounts.models import Organization, Role, Trade, User
from app.competitions import scoresheets, services, standings
from app.competitions.models import (
    STATUS_LABELS,
    Competition,
    CompetitionStatus as S,
    Criterion,
    CriterionKind,
    Entry,
    EntryType,
    Event,
    Measurement,
    PanelMember,
    Score,
    Sheet,
    Stage,
)
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db

IMPORTABLE = {S.DRAFT, S.REGISTRATION, S.RUNNING}
CHUNK = 5000  # rows per bulk statement
ZERO, HUNDRED = Decimal(0), Decimal(100)

COMPETITION = excel.SheetSpec("competition", "比赛")
EVENTS = excel.SheetSpec("events", "赛项")
STAGES = excel.SheetSpec("stages", "阶段")
CRITERIA = excel.SheetSpec("criteria", "评分项")
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
)
STAGE_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("code", "阶段代码", _code(20)),
    excel.Column("name", "阶段名称", excel.text(60)),
    excel.Column("weight", "权重", excel.decimal(places=2, minimum=ZERO, maximum=HUNDRED)),
)
CRITERION_COLUMNS = (
    excel.Column("event", "赛项", excel.text(20)),
    excel.Column("stage", "阶段", excel.text(20)),
    excel.Column("code", "评分项代码", _code(20)),
    excel.Column("name", "评分项名称", excel.text(120)),
    excel.Column("max", "满分", excel.decimal(places=2, minimum=Decimal("0.01"), maximum=Decimal("99999.99"))),
    excel.Column("kind", "类型", _choice(KIND_WORDS, "judgement / measurement / 评分 / 测量"), required=False),
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
    ("events", EVENTS, EVENT_COLUMNS, False),
    ("stages", STAGES, STAGE_COLUMNS, False),
    ("criteria", CRITERIA, CRITERION_COLUMNS, False),
    ("entries", ENTRIES, ENTRY_COLUMNS, False),
    ("judges", JUDGES, JUDGE_COLUMNS, False),
    ("scores", SCORES, SCORE_COLUMNS, False),
)


# ---- the outcome


@dataclass
class ImportOutcome:
    ok: bool = False
    competition: Competition | None = None
    created_accounts: list = field(default_factory=list)  # [(user, initial password)]
    counts: dict = field(default_factory=dict)  # events, stages, criteria, entries, judges, scores, measurements
    results: list = field(default_factory=list)  # ReadResults, for excel.error_report
    sha256: str = ""

    @property
    def problems(self):
        """[(sheet, row, message)] in sheet order, for display."""
        return [(r.sheet, e.row, str(e)) for r in self.results for e in sorted(r.errors, key=lambda e: e.row)]

    def report(self):
        """The uploaded rows with each problem marked (xlsx bytes)."""
        return excel.error_report(self.results)


# ---- plans: what each record will be once the import is written


@dataclass(eq=False)
class _StagePlan:
    code: str
    position: int
    existing: Stage | None = None
    row: int | None = None
    name: str = ""
    weight: Decimal = ZERO
    changed: bool = False
    obj: Stage | None = None


@dataclass(eq=False)
class _CriterionPlan:
    code: str
    stage_code: str
    kind: CriterionKind
    max_mark: Decimal
    existing: Criterion | None = None
    row: int | None = None
    name: str = ""
    changed: bool = False
    obj: Criterion | None = None


@dataclass(eq=False)
class _EntryPlan:
    bib: str
    unit: Organization
    existing: Entry | None = None
    row: int | None = None
    name: str = ""
    members: str = ""
    stopped_at: int | None = None  # position of the stage the entry stopped at
    changed: bool = False
    id: int | None = None


@dataclass(eq=False)
class _NewUser:
    username: str
    name: str
    unit: Organization | None
    roles: set = field(default_factory=set)
    obj: User | None = None


@dataclass(eq=False)
class _MemberPlan:
    key: str  # username, lower case
    chief: bool
    units: list  # organisations whose entries this judge may not score
    user: User | None = None  # existing account
    new_user: _NewUser | None = None
    existing: PanelMember | None = None
    row: int | None = None
    obj: PanelMember | None = None

    @property
    def user_id(self):
        return self.user.id if self.user is not None else self.new_user.obj.id

    def conflicts_with(self, entry):
        return any(entry.unit.is_within(unit) for unit in self.units)


@dataclass(eq=False)
class _EventPlan:
    code: str
    existing: Event | None = None
    row: int | None = None
    values: dict | None = None  # for services.save_event
    changed: bool = False
    awards: str | None = None  # normalised spec, when the tiers change
    stages: dict = field(default_factory=dict)
    criteria: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    panel: dict = field(default_factory=dict)
    obj: Event | None = None

    @property
    def entry_type(self):
        return self.values["entry_type"] if self.values else self.existing.entry_type

    @property
    def team_size(self):
        return self.values["team_size"] if self.values else self.existing.team_size

    @property
    def chief(self):
        return next((m for m in self.panel.values() if m.chief), None)


# ---- entry point


def import_workbook(actor, stream, progress=None):
    """Validate the workbook against the database, then write all of it or nothing.

    `progress(done, total)`, when given, hears how many of the file's rows are
    read, checked and written (a job's progress bar).

    Raises excel.ExcelError when the file cannot be read at all; every other
    problem is returned in the outcome (ok=False) and nothing is written.
    """
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    book = excel.open_workbook(stream)
    try:
        return _Importer(actor, book, digest.hexdigest(), progress).run()
    finally:
        book.close()


class _Importer:
    def __init__(self, actor, book, sha256, progress=None):
        self.progress = progress or (lambda done, total: None)
        self.actor = actor
        self.book = book
        self.outcome = ImportOutcome(sha256=sha256)
        self.sheets = {}
        self.competition = None
        self.competition_values = {}
        self.competition_changed = False
        self.events = {}  # code -> _EventPlan (file and database)
        self.new_users = {}  # username lower -> _NewUser
        self.judgement = {}  # (member, entry, criterion) -> (row, value)
        self.measurements = {}  # (event, entry, criterion) -> (row, value)
        self.signed = set()  # (member id, stage id) of the sheets signed when validating
        self.where = (None, None)  # (ReadResult, row) being written, to report a late refusal

    # -- helpers

    @property
    def ok(self):
        return all(r.ok for r in self.outcome.results)

    @staticmethod
    def fail(result, row, key, message):
        header = next((c.header for c in result.columns if c.key == key), None) if key else None
        result.add_error(row, header, message)

    def run(self):
        if not self.read():
            return self.outcome  # a missing sheet or column: the rest would only repeat it
        rows = sum(len(r.raw) for r in self.outcome.results)
        self.progress(rows // 3, rows)  # read; checking next, then writing
        if not self.plan_competition():
            return self.outcome
        self.plan_events()
        self.plan_stages()
        self.plan_criteria()
        self.check_schemes()
        self.plan_entries()
        self.plan_judges()
        self.plan_scores()
        if not self.ok:
            return self.outcome
        self.progress(2 * rows // 3, rows)
        try:
            with db.session.begin_nested():
                self.write()
        except (DomainError, IntegrityError) as error:
            result, row = self.where
            result = result or self.sheets["competition"]
            message = error.message if isinstance(error, DomainError) else _l(
                "The database refused the change (was something changed at the same time?); try again.")
            result.add_error(row or 1, None, message)
            self.outcome.created_accounts = []
            self.outcome.competition = None
            return self.outcome
        self.progress(rows, rows)
        self.outcome.ok = True
        return self.outcome

    # -- reading

    def read(self):
        """Parse every sheet; False when a sheet or a column is missing altogether."""
        titles = {ws.title.strip().lower(): ws.title for ws in self.book.worksheets}
        for key, spec, columns, required in SHEETS:
            title = titles.get(spec.name.lower()) or titles.get(spec.label)
            if title is None:
                if required:
                    result = excel.ReadResult(sheet=spec.name, columns=columns)
                    result.add_error(1, None, _l("The workbook has no sheet named “%(name)s” (%(label)s).",
                                                 name=spec.name, label=spec.label))
                    self.outcome.results.append(result)
                continue
            try:
                result = excel.read_sheet(self.book, columns, sheet=spec)
            except excel.ExcelError as error:
                result = excel.ReadResult(sheet=title, columns=columns)
                result.add_error(1, None, error.message)
            self.sheets[key] = result
            self.outcome.results.append(result)
        return not any(error.row <= 1 for result in self.outcome.results for error in result.errors)

    # -- competition

    def plan_competition(self):
        result = self.sheets["competition"]
        values, rows = {}, {}
        for row, cells in result.rows:
            words = {w for w in re.split(r"[\s/|()（）:：,，]+", cells["key"].lower()) if w}
            words.add(cells["key"].strip().lower())
            name = next((n for n, (accepted, _) in COMPETITION_ITEMS.items() if words & set(accepted)), None)
            if name is None:
                self.fail(result, row, "key", _l("is not a known item (code, name, year, ...)"))
                continue
            if name in rows:
                self.fail(result, row, "key", _l("appears more than once (row %(row)s)", row=rows[name]))
                continue
            rows[name] = row
            try:
                value = COMPETITION_ITEMS[name][1](cells["value"])
            except ValueError as problem:
                self.fail(result, row, "value", problem.args[0])
                continue
            if value is not None:
                values[name] = value
        if "code" not in values:
            if "code" not in rows:
                result.add_error(1, None, _l("The competition code is missing (a row “code”)."))
            return False
        competition = db.session.scalar(
            sa.select(Competition).where(Competition.code == values["code"]).options(
                selectinload(Competition.events).selectinload(Event.stages).selectinload(Stage.criteria),
                selectinload(Competition.events).selectinload(Event.award_tiers),
            )
        )
        if competition is not None and competition.status not in IMPORTABLE:
            self.fail(result, rows["code"], "value", _l(
                "The competition is at the stage “%(status)s”: imports are only possible while it is a draft, "
                "open for registration or under way.", status=STATUS_LABELS[competition.status]))
            return False
        if competition is None:
            for name in ("name", "year"):
                if name not in values and name not in rows:
                    result.add_error(1, None, _l("A new competition needs a row “%(key)s”.", key=name))
        starts = values.get("starts_on", competition.starts_on if competition else None)
        ends = values.get("ends_on", competition.ends_on if competition else None)
        if starts and ends and ends < starts:
            self.fail(result, rows.get("ends_on") or rows.get("starts_on"), "value",
                      _l("The competition cannot end before it starts."))
        self.competition = competition
        self.competition_values = values
        self.competition_rows = rows
        self.competition_changed = competition is None or any(
            getattr(competition, name) != value for name, value in values.items())
        self.running = competition is not None and competition.status == S.RUNNING
        for event in competition.events if competition else ():
            plan = _EventPlan(event.code, existing=event)
            for stage in event.stages:
                plan.stages[stage.code] = _StagePlan(stage.code, stage.position, existing=stage, name=stage.name,
                                                     weight=stage.weight)
                for criterion in stage.criteria:
                    plan.criteria[criterion.code] = _CriterionPlan(
                        criterion.code, stage.code, criterion.kind, criterion.max_mark, existing=criterion,
                        name=criterion.name)
            self.events[event.code] = plan
        return True

    # -- events

    def plan_events(self):
        result = self.sheets.get("events")
        if result is None:
            return
        trades = self._trades({v["trade"] for _, v in result.rows if v["trade"]})
        for row, v in result.rows:
            plan = self.events.get(v["code"])
            if plan is not None and plan.row is not None:
                self.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
                continue
            plan = plan or _EventPlan(v["code"])
            existing = plan.existing
            entry_type = v["entry_type"] or (existing.entry_type if existing else EntryType.INDIVIDUAL)
            if entry_type == EntryType.INDIVIDUAL:
                team_size = 1
            else:
                team_size = v["team_size"] or (existing.team_size if existing else None)
                if (team_size or 0) < 2:
                    self.fail(result, row, "team_size", _l("A team has at least 2 members."))
            trade_id = existing.trade_id if existing else None
            if v["trade"]:
                trade = trades.get(v["trade"]) or trades.get(v["trade"].upper())
                if trade is None:
                    self.fail(result, row, "trade", _l("is not a known trade"))
                else:
                    trade_id = trade.id
            tie_break = existing.tie_break if existing else ""
            if v["tie_break"] is not None:
                tie_break = ",".join(c.strip() for c in re.split(r"[,，、;；\s]+", v["tie_break"]) if c.strip())
            values = {
                "code": v["code"], "name": v["name"], "trade_id": trade_id, "entry_type": entry_type,
                "team_size": team_size, "trim_at": v["trim_at"] or (existing.trim_at if existing else 5),
                "tie_break": tie_break,
                "blind": v["blind"] if v["blind"] is not None else (existing.blind if existing else False),
                "honour_name": v["honour"] if v["honour"] is not None else (existing.honour_name if existing else None),
            }
            plan.row, plan.values = row, values
            plan.changed = existing is None or any(getattr(existing, k) != values[k] for k in values)
            if self.running and plan.changed:
                self.fail(result, row, "code" if existing is None else None, _l(
                    "Events cannot be added or changed once the competition is under way."))
            if v["awards"] is not None:
                try:
                    tiers = scoring.parse_award_spec(v["awards"])
                except scoring.ScoringError as error:
                    self.fail(result, row, "awards", _l("is not a valid award list: %(error)s", error=str(error)))
                else:
                    current = () if existing is None else tuple(
                        (t.name, t.count, t.percent, t.minimum) for t in existing.award_tiers)
                    if tuple((t.name, t.count, t.percent, t.minimum) for t in tiers) != current:
                        plan.awards = scoring.format_award_spec(tiers)
            self.events[plan.code] = plan

    @staticmethod
    def _trades(words):
        if not words:
            return {}
        found = {}
        upper = {w.upper() for w in words}
        for trade in db.session.scalars(sa.select(Trade).where(sa.or_(Trade.name.in_(words), Trade.code.in_(upper)))):
            found[trade.name] = trade
            found[trade.code] = trade
        return found

    def _event(self, result, row, code):
        plan = self.events.get(code)
        if plan is None:
            self.fail(result, row, "event", _l("is not an event of this competition"))
        return plan

    # -- stages and criteria

    def plan_stages(self):
        result = self.sheets.get("stages")
        if result is None:
            return
        for row, v in result.rows:
            event = self._event(result, row, v["event"])
            if event is None:
                continue
            plan = event.stages.get(v["code"])
            if plan is not None and plan.row is not None:
                self.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
                continue
            if plan is None:
                plan = _StagePlan(v["code"], position=len(event.stages))
                event.stages[plan.code] = plan
            plan.row, plan.name, plan.weight = row, v["name"], v["weight"]
            existing = plan.existing
            plan.changed = existing is None or existing.name != plan.name or existing.weight != plan.weight
            if self.running and plan.changed:
                self.fail(result, row, "weight", _l(
                    "The marking scheme cannot change once the competition is under way."))

    def plan_criteria(self):
        result = self.sheets.get("criteria")
        if result is None:
            return
        for row, v in result.rows:
            event = self._event(result, row, v["event"])
            if event is None:
                continue
            if v["stage"] not in event.stages:
                self.fail(result, row, "stage", _l("is not a stage of event %(event)s", event=event.code))
                continue
            plan = event.criteria.get(v["code"])
            if plan is not None and plan.row is not None:
                self.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=plan.row))
                continue
            kind = v["kind"] or (plan.existing.kind if plan is not None else CriterionKind.JUDGEMENT)
            if plan is None:
                plan = _CriterionPlan(v["code"], v["stage"], kind, v["max"])
                event.criteria[plan.code] = plan
            elif plan.stage_code != v["stage"]:
                self.fail(result, row, "stage", _l("this criterion belongs to stage %(stage)s", stage=plan.stage_code))
                continue
            plan.row, plan.name, plan.kind, plan.max_mark = row, v["name"], kind, v["max"]
            existing = plan.existing
            plan.changed = existing is None or (existing.name, existing.kind, existing.max_mark) != (
                plan.name, plan.kind, plan.max_mark)
            if self.running and plan.changed:
                self.fail(result, row, "max", _l(
                    "The marking scheme cannot change once the competition is under way."))

    def check_schemes(self):
        """Per event: the stage weights add up to 100, the tie-break names its stages."""
        stages_sheet, events_sheet = self.sheets.get("stages"), self.sheets.get("events")
        for event in self.events.values():
            if event.stages and (any(s.row for s in event.stages.values()) or event.existing is None):
                total = sum((s.weight for s in event.stages.values()), ZERO)
                if total != HUNDRED:
                    message = _l("The stage weights of event %(event)s add up to %(total)s, not 100.",
                                 event=event.code, total=format(total.normalize(), "f"))
                    rows = [s.row for s in event.stages.values() if s.row]
                    for row in rows:
                        self.fail(stages_sheet, row, "weight", message)
                    if not rows and event.row:
                        self.fail(events_sheet, event.row, "code", message)
            if event.values and event.row:
                unknown = [c for c in event.values["tie_break"].split(",") if c and c not in event.stages]
                if unknown:
                    self.fail(events_sheet, event.row, "tie_break",
                              _l("names stages this event does not have: %(codes)s", codes=", ".join(unknown)))

    # -- entries

    def _organizations(self, names):
        names = {n for n in names if n}
        if not names:
            return {}
        found, short = {}, defaultdict(list)
        query = sa.select(Organization).where(sa.or_(Organization.name.in_(names), Organization.short_name.in_(names)))
        for org in db.session.scalars(query):
            found[org.name] = org
            if org.short_name:
                short[org.short_name].append(org)
        for name, orgs in short.items():
            if name not in found:
                found[name] = orgs[0] if len(orgs) == 1 else None  # None: ambiguous short name
        return found

    def _unit(self, result, row, key, name, units):
        if name not in units:
            self.fail(result, row, key, _l("is not a known organisation"))
            return None
        if units[name] is None:
            self.fail(result, row, key, _l("is the short name of several organisations; use the full name"))
        return units[name]

    def plan_entries(self):
        existing_events = [e.existing.id for e in self.events.values() if e.existing is not None]
        by_event = defaultdict(dict)
        if existing_events:
            stage_positions = {s.existing.id: s.position for e in self.events.values() for s in e.stages.values()
                               if s.existing is not None}
            for entry in db.session.scalars(sa.select(Entry).where(Entry.event_id.in_(existing_events))
                                            .options(selectinload(Entry.unit), selectinload(Entry.user))):
                by_event[entry.event_id][entry.bib] = entry
            for event in self.events.values():
                if event.existing is None:
                    continue
                for bib, entry in by_event[event.existing.id].items():
                    event.entries[bib] = _EntryPlan(
                        bib, entry.unit, existing=entry, name=entry.name, members=entry.members,
                        stopped_at=stage_positions.get(entry.eliminated_stage_id), id=entry.id)
        result = self.sheets.get("entries")
        if result is None:
            return
        units = self._organizations(v["unit"] for _, v in result.rows)
        for row, v in result.rows:
            event = self._event(result, row, v["event"])
            unit = self._unit(result, row, "unit", v["unit"], units)
            if event is None or unit is None:
                continue
            plan = event.entries.get(v["bib"])
            if plan is not None and plan.row is not None:
                self.fail(result, row, "bib", _l("appears more than once (row %(row)s)", row=plan.row))
                continue
            members = v["members"] or ""
            if event.entry_type == EntryType.TEAM:
                names = [m.strip() for m in re.split(r"[、,，;；]", members) if m.strip()]
                if len(names) != event.team_size:
                    self.fail(result, row, "members", _l("A team of this event has %(n)s members.", n=event.team_size))
                    continue
                members = "、".join(names)
            if plan is None:
                plan = _EntryPlan(v["bib"], unit)
                event.entries[plan.bib] = plan
            plan.row, plan.name, plan.unit, plan.members = row, v["name"], unit, members
            existing = plan.existing
            plan.changed = existing is None or (existing.name, existing.unit_id, existing.members) != (
                plan.name, unit.id, members)

    # -- judges

    def plan_judges(self):
        existing_events = {e.existing.id: e for e in self.events.values() if e.existing is not None}
        if existing_events:
            query = sa.select(PanelMember).where(PanelMember.event_id.in_(list(existing_events))).options(
                selectinload(PanelMember.user).selectinload(User.organization))
            for member in db.session.scalars(query):
                user = member.user
                key = (user.username or f"#{user.id}").lower()
                existing_events[member.event_id].panel[key] = _MemberPlan(
                    key, member.is_chief, [user.organization] if user.organization else [], user=user,
                    existing=member)
        result = self.sheets.get("judges")
        if result is None:
            return
        usernames = {v["username"].lower() for _, v in result.rows}
        users = {u.username.lower(): u for u in db.session.scalars(
            sa.select(User).where(sa.func.lower(User.username).in_(usernames)))} if usernames else {}
        units = self._organizations(v["unit"] for _, v in result.rows)
        for row, v in result.rows:
            event = self._event(result, row, v["event"])
            unit = self._unit(result, row, "unit", v["unit"], units) if v["unit"] else None
            if event is None or (v["unit"] and unit is None):
                continue
            key, chief = v["username"].lower(), bool(v["chief"])
            plan = event.panel.get(key)
            if plan is not None and plan.row is not None:
                self.fail(result, row, "username", _l("appears more than once (row %(row)s)", row=plan.row))
                continue
            wanted = Role.CHIEF_JUDGE if chief else Role.JUDGE
            user = users.get(key)
            new_user = None
            if user is not None:
                if not user.active:
                    self.fail(result, row, "username", _l("this account is deactivated"))
                    continue
                if not user.has_role(wanted):
                    self.fail(result, row, "username", _l("%(name)s does not have the %(role)s role.", name=user.name,
                                                          role=_l("chief judge") if chief else _l("judge")))
                    continue
            else:
                if not account_services.USERNAME_PATTERN.match(v["username"]):
                    self.fail(result, row, "username", _l(
                        "A username starts with a letter and has 3-40 letters, digits, dots, dashes or underscores."))
                    continue
                new_user = self.new_users.get(key)
                if new_user is None:
                    if not v["name"]:
                        self.fail(result, row, "name", _l("is required for a new account"))
                        continue
                    new_user = self.new_users[key] = _NewUser(v["username"], v["name"], unit)
                new_user.roles.add(wanted)
            if plan is not None:  # already on the panel
                if plan.chief != chief:
                    self.fail(result, row, "chief", _l("is already on this panel as %(role)s",
                                                       role=_l("chief judge") if plan.chief else _l("judge")))
                    continue
                plan.row = row
                if unit is not None and all(unit.id != u.id for u in plan.units):
                    plan.units.append(unit)
                continue
            units_of = []
            for candidate in (unit, user.organization if user else None, new_user.unit if new_user else None):
                if candidate is not None and all(candidate.id != u.id for u in units_of):
                    units_of.append(candidate)
            event.panel[key] = _MemberPlan(key, chief, units_of, user=user, new_user=new_user, row=row)
        for event in self.events.values():
            chiefs = [m for m in event.panel.values() if m.chief]
            if len(chiefs) > 1:
                for member in chiefs:
                    if member.row is not None and member.existing is None:
                        self.fail(result, member.row, "chief", _l("An event has at most one chief judge."))

    # -- scores

    def plan_scores(self):
        result = self.sheets.get("scores")
        if result is None:
            return
        fail = self.fail
        events = self.events
        judgement, measurements = self.judgement, self.measurements
        signed = self.signed = self._signed_sheets()
        locked = []  # (row, member or None, entry, criterion, stage, value) on signed sheets
        JUDGEMENT = CriterionKind.JUDGEMENT
        for row, v in result.rows:
            event = events.get(v["event"])
            if event is None:
                fail(result, row, "event", _l("is not an event of this competition"))
                continue
            entry = event.entries.get(v["bib"])
            criterion = event.criteria.get(v["criterion"])
            if entry is None:
                fail(result, row, "bib", _l("is not an entry of event %(event)s", event=event.code))
            if criterion is None:
                fail(result, row, "criterion", _l("is not a criterion of event %(event)s", event=event.code))
            if entry is None or criterion is None:
                continue
            value = v["score"]
            if value > criterion.max_mark:
                fail(result, row, "score", _l("The maximum is %(max)s.", max=criterion.max_mark))
                continue
            stage = event.stages[criterion.stage_code]
            if entry.stopped_at is not None and stage.position > entry.stopped_at:
                fail(result, row, "bib", _l("This entry did not advance to this stage."))
                continue
            judge = v["judge"]
            if criterion.kind == JUDGEMENT:
                if not judge:
                    fail(result, row, "judge", _l("is required for a judgement criterion"))
                    continue
                member = event.panel.get(judge.lower())
                if member is None:
                    fail(result, row, "judge", _l("is not on the panel of event %(event)s", event=event.code))
                    continue
                if member.chief:
                    fail(result, row, "judge", _l("Measurements are entered by the chief judge; judgement marks by "
                                                  "the judges."))
                    continue
                if member.conflicts_with(entry):
                    fail(result, row, "judge", _l("cannot score an entry from their own unit"))
                    continue
                key = (member, entry, criterion)
                first = judgement.get(key)
                if first is not None:
                    fail(result, row, "score", _l("this mark appears more than once (row %(row)s)", row=first[0]))
                    continue
                judgement[key] = (row, value)
            else:
                member = event.chief
                if judge and (member is None or judge.lower() != member.key):
                    fail(result, row, "judge", _l("leave the judge blank for a measurement"))
                    continue
                key = (event, entry, criterion)
                first = measurements.get(key)
                if first is not None:
                    if first[1] != value:
                        fail(result, row, "score", _l("row %(row)s has another value for this measurement",
                                                      row=first[0]))
                    continue
                measurements[key] = (row, value)
            if signed and member is not None and member.existing is not None and stage.existing is not None \
                    and (member.existing.id, stage.existing.id) in signed:
                locked.append((row, member, entry, criterion, stage, value))
        if locked:
            self._check_locked(result, locked)

    def _signed_sheets(self):
        member_ids = [m.existing.id for e in self.events.values() for m in e.panel.values() if m.existing]
        if not member_ids:
            return set()
        return set(db.session.execute(
            sa.select(Sheet.member_id, Sheet.stage_id).where(Sheet.member_id.in_(member_ids),
                                                              Sheet.signed_at.is_not(None))).tuples())

    def _check_locked(self, result, locked):
        """A signed sheet only takes marks identical to the ones it holds."""
        criterion_ids = {c.existing.id for _, _, _, c, _, _ in locked if c.existing}
        stored = {}
        if criterion_ids:
            for entry_id, criterion_id, judge_id, value in db.session.execute(
                sa.select(Score.entry_id, Score.criterion_id, Score.judge_id, Score.value)
                .where(Score.criterion_id.in_(criterion_ids))
            ):
                stored[(entry_id, criterion_id, judge_id)] = value
            for entry_id, criterion_id, value in db.session.execute(
                sa.select(Measurement.entry_id, Measurement.criterion_id, Measurement.value)
                .where(Measurement.criterion_id.in_(criterion_ids))
            ):
                stored[(entry_id, criterion_id, None)] = value
        for row, member, entry, criterion, stage, value in locked:
            judge_id = None if criterion.kind == CriterionKind.MEASUREMENT else member.user.id
            key = (entry.existing.id if entry.existing else None, criterion.existing.id if criterion.existing else None,
                   judge_id)
            if stored.get(key) != value:
                self.fail(result, row, "score", _l("The sheet of %(judge)s for stage %(stage)s is signed and locked.",
                                                   judge=member.user.name, stage=stage.code))

    # -- writing

    def write(self):
        actor, sheets = self.actor, self.sheets
        competition = self.competition
        if self.competition_changed:
            self.where = (sheets["competition"], self.competition_rows.get("code"))
            values = dict(self.competition_values)
            competition = services.save_competition(actor, competition, **values)
        self.outcome.competition = competition
        events = list(self.events.values())
        for event in events:
            event.obj = event.existing
            if event.existing is None:
                self.where = (sheets.get("events"), event.row)
                event.obj = services.save_event(actor, competition, None, **event.values)
        for event in events:
            for stage in event.stages.values():
                stage.obj = stage.existing
                if stage.changed:
                    self.where = (sheets.get("stages"), stage.row)
                    advance = stage.existing.advance_count if stage.existing else None
                    stage.obj = services.save_stage(actor, event.obj, stage.existing, code=stage.code,
                                                    name=stage.name, weight=stage.weight, advance_count=advance)
            for criterion in event.criteria.values():
                criterion.obj = criterion.existing
                if criterion.changed:
                    self.where = (sheets.get("criteria"), criterion.row)
                    criterion.obj = services.save_criterion(
                        actor, event.stages[criterion.stage_code].obj, criterion.existing, code=criterion.code,
                        name=criterion.name, max_mark=criterion.max_mark, kind=criterion.kind)
            self.where = (sheets.get("events"), event.row)
            if event.existing is not None and event.changed:
                services.save_event(actor, competition, event.existing, **event.values)
            if event.awards is not None:
                services.set_award_tiers(actor, event.obj, event.awards)
        created_entries = {}
        for event in events:
            new = []
            for entry in event.entries.values():
                if entry.changed and entry.existing is not None:
                    self.where = (sheets.get("entries"), entry.row)
                    services.save_entry(actor, event.obj, entry.existing, bib=entry.bib, name=entry.name,
                                        unit=entry.unit, members=entry.members, user=entry.existing.user)
                elif entry.changed:
                    new.append(entry)
            if new:
                self.where = (sheets.get("entries"), new[0].row)
                self._insert_entries(event, new)
                created_entries[event.code] = [entry.bib for entry in new]
        for new_user in self.new_users.values():
            self.where = (sheets.get("judges"), None)
            new_user.obj, password = account_services.create_user(
                actor, name=new_user.name, roles=sorted(new_user.roles), username=new_user.username,
                organization=new_user.unit)
            self.outcome.created_accounts.append((new_user.obj, password))
        for event in events:
            for member in event.panel.values():
                member.obj = member.existing
                if member.existing is None:
                    self.where = (sheets.get("judges"), member.row)
                    user = member.user or member.new_user.obj
                    member.obj = services.assign_judge(actor, event.obj, user, chief=member.chief)
        self.where = (sheets.get("scores"), None)
        self._lock_sheets()
        now = utcnow()
        upsert(db.session, Score.__table__, (
            {"judge_id": member.user_id, "entry_id": entry.id, "criterion_id": criterion.obj.id,
             "value": value, "updated_at": now}
            for (member, entry, criterion), (_, value) in self.judgement.items()
        ), ["judge_id", "entry_id", "criterion_id"], ["value", "updated_at"], only_changed_column="value", chunk=CHUNK)
        entered_by = getattr(actor, "id", None)
        upsert(db.session, Measurement.__table__, (
            {"entry_id": entry.id, "criterion_id": criterion.obj.id, "value": value,
             "entered_by_id": entered_by, "updated_at": now}
            for (_, entry, criterion), (_, value) in self.measurements.items()
        ), ["entry_id", "criterion_id"], ["value", "entered_by_id", "updated_at"], only_changed_column="value",
            chunk=CHUNK)
        for event in events:
            standings.touch(event.obj.id)  # cached standings of these events are stale now
        counts = self.outcome.counts
        for key in ("events", "stages", "criteria", "entries", "judges"):
            counts[key] = len(sheets[key].rows) if key in sheets else 0
        counts["scores"] = len(self.judgement)
        counts["measurements"] = len(self.measurements)
        counts["accounts"] = len(self.outcome.created_accounts)
        audit.record(actor, "competition.import", competition,
                     after={"sha256": self.outcome.sha256, **counts, "entries_created": created_entries})

    def _lock_sheets(self):
        """Lock every sheet the marks go to, as a judge's save does, so none is signed meanwhile."""
        touched = {(member, criterion.stage_code, None) for member, _, criterion in self.judgement}
        touched |= {(event.chief, criterion.stage_code, event) for event, _, criterion in self.measurements
                    if event.chief is not None}
        stage_of = {}
        for event in self.events.values():
            for member in event.panel.values():
                for stage in event.stages.values():
                    stage_of[(member, stage.code)] = stage
        for member, stage_code, _ in touched:
            stage = stage_of[(member, stage_code)]
            sheet = scoresheets.lock_sheet(member.obj, stage.obj)
            if sheet.signed_at is not None and (member.obj.id, stage.obj.id) not in self.signed:
                raise DomainError(_l("A sheet was signed during the import; please import again."))

    def _insert_entries(self, event, new):
        """New entries in bulk: the rules of services.save_entry were checked while planning.

        A thousand entries one by one (a savepoint and a chained audit event each)
        would cost seconds; the import's audit event lists their bibs instead.
        """
        if event.obj.competition.status not in services.ENTRIES_EDITABLE:
            raise DomainError(_l("Entries can no longer change: scoring is closed."))
        now = utcnow()
        rows = [{"event_id": event.obj.id, "bib": e.bib, "name": e.name.strip(), "members": e.members,
                 "unit_id": e.unit.id, "created_at": now, "updated_at": now} for e in new]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sa.insert(Entry.__table__), rows[start:start + CHUNK])
        ids = dict(db.session.execute(sa.select(Entry.bib, Entry.id).where(Entry.event_id == event.obj.id)).all())
        for entry in new:
            entry.id = ids[entry.bib]
        db.session.expire(event.obj, ["entries"])  # the collection, if loaded, lacks the new rows


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
    "events": [
        ["HG", "焊工", "个人", None, 5, "SC,LL", "一等奖:1;二等奖:1;三等奖:10%;优秀奖:50%>=60", None, "否",
         "推荐五一劳动奖章"],
    ],
    "stages": [
        ["HG", "LL", "理论知识", 30],
        ["HG", "SC", "实际操作", 70],
    ],
    "criteria": [
        ["HG", "LL", "LL1", "理论考试", 100, "测量"],
        ["HG", "SC", "SC1", "焊缝外观质量", 40, "评分"],
        ["HG", "SC", "SC2", "射线探伤", 40, "测量"],
        ["HG", "SC", "SC3", "安全文明生产", 20, "评分"],
    ],
    "entries": [
        ["HG", "001", "张伟", "徐工集团工程机械股份有限公司工会", None],
        ["HG", "002", "刘强", "徐州和润起重有限公司工会", None],
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
