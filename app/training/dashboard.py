"""Training base dashboard: the figures staff report upwards, as plain data.

Scope: the courses of one base (or of all bases) that start within a date range,
cancelled courses left out. Every figure is computed in a fixed number of SQL
statements, however many courses and trainees there are; Python only combines
rows already aggregated by the database (and takes the medians, which SQLite
cannot). Rates and money are Decimal; display rounding is half-up to 1 decimal.

Definitions (also printed on the page):

- trainees: distinct people holding a seat (enrolment status "enrolled") in a
  course in scope; waitlisted, pending, withdrawn and rejected people are not
  trainees.
- completion rate: of the seats in courses that ended before today, the share
  whose attendance reached the course's minimum (the same rule the assessment
  applies: attended lessons / lessons, in percent with 2 decimals, at least
  `min_attendance`).
- pass rate: of the seats with at least one marked attempt (assessed), the
  share that passed at least one attempt (a passed re-sit counts).
- certificates issued: certificates of courses in scope, renewals not counted.
- union members, identity tags: people's current membership and tags.
- income change: per certificate of a course in scope, its latest outcome
  survey (3, 6 or 12 months) that recorded both incomes; change = after −
  before; the median over those answers.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import excel
from app.accounts.models import IDENTITY_TAG_LABELS, IdentityTag, MembershipStatus, Trade, User, UserTag
from app.extensions import db
from app.training.rules import attended_enough
from app.scoring import round_half_up
from app.scoring.decimals import divide
from app.training.models import (
    Attempt,
    Attendance,
    Certificate,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    Outcome,
    TrainingBase,
)

DASH = "—"
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
TAGS = (IdentityTag.WOMAN, IdentityTag.MIGRANT_WORKER, IdentityTag.NEW_EMPLOYMENT_FORM)


# ---- display helpers (half-up, 1 decimal; a dash where there is nothing to show)


def one_decimal(value):
    return None if value is None else round_half_up(value, TENTH)


def money(value, signed=False):
    """1234.5 → "1,234.5"; signed adds "+" to gains; None → "—"."""
    if value is None:
        return DASH
    rounded = one_decimal(value)
    text = f"{abs(rounded):,f}"
    if rounded < 0:
        return f"−{text}"
    return f"+{text}" if signed and rounded > 0 else text


@dataclass(frozen=True)
class Rate:
    """numerator of denominator; percent is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def percent(self):
        if not self.denominator:
            return None
        return divide(Decimal(self.numerator) * HUNDRED, self.denominator)

    @property
    def rounded(self):
        return one_decimal(self.percent)

    def __str__(self):
        return DASH if self.percent is None else f"{self.rounded}%"


# ---- the filter


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    base_id: int | None = None
    errors: tuple = ()

    @classmethod
    def defaults(cls, today=None, base_id=None):
        today = today or date.today()
        return cls(date(today.year, 1, 1), date(today.year, 12, 31), base_id)

    @classmethod
    def from_args(cls, args, today=None, base_id=None):
        """From query arguments `from`, `to` (YYYY-MM-DD) and `base`; bad values fall back to the defaults."""
        default = cls.defaults(today, base_id)
        errors = []

        def parse(name, fallback):
            raw = (args.get(name) or "").strip()
            if not raw:
                return fallback
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors.append(_l("“%(value)s” is not a date (YYYY-MM-DD); the default is used.", value=raw[:20]))
                return fallback

        date_from, date_to = parse("from", default.date_from), parse("to", default.date_to)
        if date_from > date_to:
            errors.append(_l("The start of the period was after its end; the two dates were swapped."))
            date_from, date_to = date_to, date_from
        if base_id is None:
            base_id = args.get("base", type=int) if hasattr(args, "getlist") else _int(args.get("base"))
        return cls(date_from, date_to, base_id, tuple(errors))

    def args(self):
        """Query arguments that reproduce this filter (the export link, the chart endpoint)."""
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _in_scope(filters):
    conditions = [
        Course.status != CourseStatus.CANCELLED,
        Course.starts_on >= filters.date_from,
        Course.starts_on <= filters.date_to,
    ]
    if filters.base_id:
        conditions.append(Course.base_id == filters.base_id)
    return conditions


def _seats(filters):
    """Enrolments holding a seat in a course in scope (a statement to join or select from)."""
    return (sa.select(Enrolment).join(Course, Course.id == Enrolment.course_id)
            .where(*_in_scope(filters), Enrolment.status == EnrolmentStatus.ENROLLED))


# ---- the figures, one statement each


@dataclass
class People:
    trainees: int = 0
    members: int = 0
    tags: dict = field(default_factory=dict)  # IdentityTag → count


def people(filters):
    """Distinct trainees, union members among them and their identity tags (1 statement)."""
    trainees = (sa.select(Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
                .where(*_in_scope(filters), Enrolment.status == EnrolmentStatus.ENROLLED)
                .distinct().subquery())

    def has_tag(tag):
        return sa.func.coalesce(sa.func.sum(sa.case(
            (sa.exists().where(UserTag.user_id == trainees.c.user_id, UserTag.tag == tag), 1), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((User.membership_status == MembershipStatus.MEMBER, 1), else_=0)), 0),
            *(has_tag(tag) for tag in TAGS),
        ).select_from(trainees).join(User, User.id == trainees.c.user_id)
    ).one()
    return People(int(row[0]), int(row[1]), {tag: int(n) for tag, n in zip(TAGS, row[2:])})


def completion(filters, today=None):
    """course id → Rate of seats that reached the minimum attendance, for courses ended before today (1 statement).

    The database groups seats by (course, lessons attended); the attendance rule
    is then applied per group with the assessment's own rounding.
    """
    today = today or date.today()
    lessons = (sa.select(Lesson.course_id, sa.func.count().label("n")).group_by(Lesson.course_id).subquery())
    present = (sa.select(Attendance.enrolment_id, sa.func.count().label("n"))
               .where(Attendance.present.is_(True)).group_by(Attendance.enrolment_id).subquery())
    rows = db.session.execute(
        sa.select(Course.id, Course.min_attendance, lessons.c.n, present.c.n, sa.func.count(Enrolment.id))
        .select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .outerjoin(present, present.c.enrolment_id == Enrolment.id)
        .where(*_in_scope(filters), Enrolment.status == EnrolmentStatus.ENROLLED, Course.ends_on < today)
        .group_by(Course.id, Course.min_attendance, lessons.c.n, present.c.n)
    ).all()
    counts = {}
    for course_id, minimum, lesson_count, attended, seats in rows:
        done, total = counts.get(course_id, (0, 0))
        if attended_enough(minimum, lesson_count or 0, attended or 0):
            done += int(seats)
        counts[course_id] = (done, total + int(seats))
    return {course_id: Rate(done, total) for course_id, (done, total) in counts.items()}


@dataclass
class CourseRow:
    id: int
    title: str
    base_id: int
    base_name: str
    trade_id: int
    trade_name: str
    starts_on: date
    ends_on: date
    seats: int
    status: str
    enrolled: int
    assessed: int
    passed: int
    certificates: int
    completion: Rate = Rate(0, 0)  # set for courses that have ended

    @property
    def pass_rate(self):
        return Rate(self.passed, self.assessed)


def courses(filters):
    """Per course: seats, trainees holding a seat, assessed, passed, certificates (1 statement)."""
    attempts = (sa.select(
        Attempt.enrolment_id,
        sa.func.max(sa.case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
        sa.func.max(sa.case((Attempt.passed.is_not(None), 1), else_=0)).label("assessed"),
    ).group_by(Attempt.enrolment_id).subquery())
    seats = (sa.select(
        Enrolment.course_id,
        sa.func.count(Enrolment.id).label("enrolled"),
        sa.func.coalesce(sa.func.sum(attempts.c.assessed), 0).label("assessed"),
        sa.func.coalesce(sa.func.sum(attempts.c.passed), 0).label("passed"),
    ).outerjoin(attempts, attempts.c.enrolment_id == Enrolment.id)
        .where(Enrolment.status == EnrolmentStatus.ENROLLED).group_by(Enrolment.course_id).subquery())
    certificates = (sa.select(Certificate.course_id, sa.func.count().label("n"))
                    .where(Certificate.renewed_from_id.is_(None)).group_by(Certificate.course_id).subquery())
    rows = db.session.execute(
        sa.select(Course.id, Course.title, Course.base_id, TrainingBase.name, Course.trade_id, Trade.name,
                  Course.starts_on, Course.ends_on, Course.seats, Course.status,
                  seats.c.enrolled, seats.c.assessed, seats.c.passed, certificates.c.n)
        .join(TrainingBase, TrainingBase.id == Course.base_id).join(Trade, Trade.id == Course.trade_id)
        .outerjoin(seats, seats.c.course_id == Course.id)
        .outerjoin(certificates, certificates.c.course_id == Course.id)
        .where(*_in_scope(filters))
        .order_by(Course.starts_on, Course.id)
    ).all()
    return [CourseRow(*row[:10], *(int(n or 0) for n in row[10:])) for row in rows]


@dataclass
class TradeRow:
    trade_id: int
    name: str
    courses: int = 0
    seats: int = 0
    trainees: int = 0  # distinct people
    enrolled: int = 0
    assessed: int = 0
    passed: int = 0
    certificates: int = 0

    @property
    def pass_rate(self):
        return Rate(self.passed, self.assessed)


def trades(filters, course_rows):
    """Per-trade totals: the course rows summed, plus distinct trainees per trade (1 statement)."""
    distinct = dict(db.session.execute(
        sa.select(Course.trade_id, sa.func.count(sa.distinct(Enrolment.user_id)))
        .select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .where(*_in_scope(filters), Enrolment.status == EnrolmentStatus.ENROLLED)
        .group_by(Course.trade_id)
    ).all())
    totals = {}
    for row in course_rows:
        total = totals.setdefault(row.trade_id, TradeRow(row.trade_id, row.trade_name))
        total.courses += 1
        total.seats += row.seats
        total.enrolled += row.enrolled
        total.assessed += row.assessed
        total.passed += row.passed
        total.certificates += row.certificates
    for total in totals.values():
        total.trainees = int(distinct.get(total.trade_id, 0))
    return sorted(totals.values(), key=lambda t: (-t.trainees, t.name))


@dataclass(frozen=True)
class Spread:
    """Five-number summary of a list of Decimals (None throughout when empty)."""

    minimum: Decimal | None = None
    lower: Decimal | None = None
    median: Decimal | None = None
    upper: Decimal | None = None
    maximum: Decimal | None = None

    @classmethod
    def of(cls, values):
        ordered = sorted(values)
        if not ordered:
            return cls()
        return cls(ordered[0], quantile(ordered, 1, 4), quantile(ordered, 1, 2), quantile(ordered, 3, 4),
                   ordered[-1])


def quantile(ordered, numerator, denominator):
    """Linear interpolation between closest ranks (the median of an even list is the mean of the middle two)."""
    position = Decimal((len(ordered) - 1) * numerator) / denominator
    below = int(position)
    fraction = position - below
    if fraction == 0 or below + 1 >= len(ordered):
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * fraction


def median(values):
    return Spread.of(values).median


@dataclass
class Income:
    answers: int = 0
    change: Spread = Spread()
    before: Spread = Spread()
    after: Spread = Spread()


def income(filters):
    """Monthly income before and after, from the latest outcome per certificate that recorded both (1 statement)."""
    answered = sa.and_(Outcome.income_before.is_not(None), Outcome.income_after.is_not(None))
    latest = (sa.select(Outcome.certificate_id, sa.func.max(Outcome.months).label("months"))
              .join(Certificate, Certificate.id == Outcome.certificate_id)
              .join(Course, Course.id == Certificate.course_id)
              .where(*_in_scope(filters), answered)
              .group_by(Outcome.certificate_id).subquery())
    rows = db.session.execute(
        sa.select(Outcome.income_before, Outcome.income_after)
        .join(latest, sa.and_(latest.c.certificate_id == Outcome.certificate_id, latest.c.months == Outcome.months))
    ).all()
    before = [Decimal(b) for b, _ in rows]
    after = [Decimal(a) for _, a in rows]
    return Income(len(rows), Spread.of([a - b for b, a in zip(before, after)]), Spread.of(before), Spread.of(after))


def bases():
    """(id, name) of every base, for the filter (1 statement)."""
    return db.session.execute(sa.select(TrainingBase.id, TrainingBase.name).order_by(TrainingBase.name)).all()


# ---- everything together


@dataclass
class Dashboard:
    filters: Filters
    people: People
    completion: Rate
    assessed: int
    passed: int
    certificates: int
    income: Income
    courses: list
    trades: list
    today: date

    @property
    def trainees(self):
        return self.people.trainees

    @property
    def members(self):
        return Rate(self.people.members, self.people.trainees)

    @property
    def pass_rate(self):
        return Rate(self.passed, self.assessed)

    @property
    def seats(self):
        return sum(c.seats for c in self.courses)

    @property
    def enrolled(self):
        return sum(c.enrolled for c in self.courses)

    @property
    def tags(self):
        """[(tag, label, Rate of trainees)] in a fixed order."""
        return [(tag, IDENTITY_TAG_LABELS[tag], Rate(self.people.tags.get(tag, 0), self.people.trainees))
                for tag in TAGS]

    @property
    def is_empty(self):
        return not self.courses


def build(filters, today=None):
    """The whole dashboard in 5 statements."""
    today = today or date.today()
    course_rows = courses(filters)
    finished = completion(filters, today)
    for row in course_rows:
        row.completion = finished.get(row.id, Rate(0, 0))
    done = sum(r.numerator for r in finished.values())
    ended = sum(r.denominator for r in finished.values())
    return Dashboard(
        filters=filters,
        people=people(filters),
        completion=Rate(done, ended),
        assessed=sum(c.assessed for c in course_rows),
        passed=sum(c.passed for c in course_rows),
        certificates=sum(c.certificates for c in course_rows),
        income=income(filters),
        courses=course_rows,
        trades=trades(filters, course_rows),
        today=today,
    )


# ---- charts: plain data for app/static/charts.js (which decides the looks)


def charts(dash):
    """name → chart spec; a chart with nothing to show is None (the page shows a dash)."""
    specs = {}
    specs["trade"] = {
        "kind": "bar",
        "categories": [t.name for t in dash.trades],
        "values": [t.trainees for t in dash.trades],
        "series": str(_l("Trainees")),
    } if any(t.trainees for t in dash.trades) else None
    assessed = [c for c in dash.courses if c.assessed]
    specs["pass"] = {
        "kind": "bar",
        "categories": [c.title for c in assessed],
        "values": [c.pass_rate.rounded for c in assessed],
        "series": str(_l("Pass rate")),
        "unit": "%",
        "max": 100,
        "horizontal": True,
    } if assessed else None
    specs["tags"] = {
        "kind": "pie",
        "slices": [{"name": str(label), "value": rate.numerator} for _, label, rate in dash.tags if rate.numerator],
        "series": str(_l("Trainees")),
    } if any(rate.numerator for _, _, rate in dash.tags) else None
    income_ = dash.income
    specs["income"] = {
        "kind": "boxplot",
        "categories": [str(_l("Before training")), str(_l("After training"))],
        "boxes": [[one_decimal(v) for v in (s.minimum, s.lower, s.median, s.upper, s.maximum)]
                  for s in (income_.before, income_.after)],
        "series": str(_l("Monthly income (yuan)")),
        "labels": [str(_l("Lowest")), str(_l("Lower quartile")), str(_l("Median")), str(_l("Upper quartile")),
                   str(_l("Highest"))],
    } if income_.answers else None
    return specs


# ---- the workbook


def _number(rate):
    return rate.rounded  # Decimal percent, 1 decimal, or None (an empty cell)


def workbook(dash, base_name=None):
    """Figures, the per-course table and the per-trade totals as an xlsx (bytes)."""
    filters = dash.filters
    income_ = dash.income
    summary = [
        ["培训基地 base", base_name or "全部基地 all bases", ""],
        ["开班日期自 courses starting from", filters.date_from, ""],
        ["开班日期至 courses starting until", filters.date_to, ""],
        ["培训班数 courses", len(dash.courses), ""],
        ["学员人数 trainees", dash.trainees, "在班学员（去重） distinct people holding a seat"],
        ["结业率 completion rate %", _number(dash.completion),
         f"{dash.completion.numerator}/{dash.completion.denominator} 已结束培训班中出勤达标 "
         "seats in ended courses that reached the minimum attendance"],
        ["合格率 pass rate %", _number(dash.pass_rate),
         f"{dash.pass_rate.numerator}/{dash.pass_rate.denominator} 至少一次考核合格/参加考核 passed / assessed"],
        ["发证数 certificates issued", dash.certificates, "不含换证 renewals not counted"],
        ["工会会员 union members", dash.people.members, ""],
        ["工会会员占比 union members %", _number(dash.members), ""],
    ]
    for tag, _label, rate in dash.tags:
        chinese = {IdentityTag.WOMAN: "女职工", IdentityTag.MIGRANT_WORKER: "农民工",
                   IdentityTag.NEW_EMPLOYMENT_FORM: "新就业形态劳动者"}[tag]
        summary.append([f"{chinese} {tag.value}", rate.numerator, ""])
        summary.append([f"{chinese}占比 {tag.value} %", _number(rate), ""])
    summary += [
        ["月收入变化中位数 median monthly income change", one_decimal(income_.change.median),
         "元；每证书最近一次填报 yuan; latest answer per certificate"],
        ["收入回答数 income answers", income_.answers, ""],
        ["培训前月收入中位数 median income before", one_decimal(income_.before.median), ""],
        ["培训后月收入中位数 median income after", one_decimal(income_.after.median), ""],
    ]

    def course_lines():
        for row in dash.courses:
            yield [row.title, row.base_name, row.trade_name, row.starts_on, row.ends_on, row.seats, row.enrolled,
                   row.assessed, row.passed, _number(row.pass_rate), _number(row.completion), row.certificates]

    def trade_lines():
        for row in dash.trades:
            yield [row.name, row.courses, row.seats, row.trainees, row.enrolled, row.assessed, row.passed,
                   _number(row.pass_rate), row.certificates]

    return excel.write_workbook([
        excel.Sheet("概况 summary", ["指标 figure", "数值 value", "说明 note"], summary, widths=[40, 14, 60]),
        excel.Sheet("培训班 courses",
                    ["培训班 course", "基地 base", "工种 trade", "开班 starts", "结业 ends", "名额 seats",
                     "在班 enrolled", "参加考核 assessed", "合格 passed", "合格率 pass rate %",
                     "结业率 completion %", "发证 certificates"],
                    course_lines(), widths=[30, 24, 12, 12, 12, 8, 10, 10, 8, 12, 12, 10]),
        excel.Sheet("工种 trades",
                    ["工种 trade", "培训班 courses", "名额 seats", "学员 trainees", "在班 enrolled",
                     "参加考核 assessed", "合格 passed", "合格率 pass rate %", "发证 certificates"],
                    trade_lines(), widths=[16, 10, 8, 10, 10, 10, 8, 12, 10]),
    ])
