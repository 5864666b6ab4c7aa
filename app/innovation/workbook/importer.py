"""The contest import: read every sheet, validate it against the database, then write all or nothing."""
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, excel, scoring
from app.accounts import services as account_services
from app.accounts import units_sheet
from app.accounts.models import Organization, Role, User
from app.accounts.units_sheet import NewOrganization
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db
from app.innovation import contest, ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    PanelSeat,
    Programme,
    ProgrammeCriterion,
    ProgrammeKind,
    ReviewScore,
)
from app.innovation.workbook.columns import CONTEST_ITEMS, HUNDRED, SHEETS
from app.review.conflict import conflicted

CHUNK = 5000


@dataclass
class ImportOutcome:
    ok: bool = False
    programme: Programme | None = None
    counts: dict = field(default_factory=dict)
    results: list = field(default_factory=list)  # ReadResults, for excel.error_report
    sha256: str = ""

    @property
    def problems(self):
        """[(sheet, row, message)] in sheet order."""
        return [(r.sheet, e.row, str(e)) for r in self.results for e in sorted(r.errors, key=lambda e: e.row)]

    def report(self):
        return excel.error_report(self.results)


class Importer:
    def __init__(self, actor, book, sha256):
        self.actor, self.book = actor, book
        self.outcome = ImportOutcome(sha256=sha256)
        self.sheets = {}
        self.programme = None
        self.values = {}
        self.value_rows = {}
        self.tiers = None  # parsed scoring.AwardTier tuple (with prizes) when the sheet names awards
        self.criteria = {}  # code -> dict(existing, name, max, weight, row)
        self.new_orgs = {}  # name -> NewOrganization
        self.submissions = {}  # no -> dict(existing, title, category, unit, row)
        self.experts = {}  # username lower -> dict(user, new, name, unit, row)
        self.scores = {}  # (no, username lower, code) -> (row, value)

    @property
    def ok(self):
        return all(r.ok for r in self.outcome.results)

    @staticmethod
    def fail(result, row, key, message):
        header = next((c.header for c in result.columns if c.key == key), None) if key else None
        result.add_error(row, header, message)

    # ------------------------------------------------------------ reading

    def run(self):
        if not self.read():
            return self.outcome
        if not self.plan_contest():
            return self.outcome
        self.plan_criteria()
        self.plan_units()
        self.plan_submissions()
        self.plan_experts()
        self.plan_scores()
        if not self.ok:
            return self.outcome
        try:
            with db.session.begin_nested():
                self.write()
        except (DomainError, IntegrityError) as error:
            logging.getLogger(__name__).info("contest import refused: %s", error)
            message = error.message if isinstance(error, DomainError) else _l(
                "The database refused the change (was something changed at the same time?); try again.")
            self.sheets["contest"].add_error(1, None, message)
            self.outcome.programme = None
            return self.outcome
        self.outcome.ok = True
        return self.outcome

    def read(self):
        self.sheets.update(excel.read_sheets(self.book, SHEETS))
        self.outcome.results.extend(self.sheets.values())
        return not any(error.row <= 1 for result in self.outcome.results for error in result.errors)

    def plan_contest(self):
        result = self.sheets["contest"]
        words = {w.lower(): key for key, (names, _) in CONTEST_ITEMS.items() for w in names}
        for row, v in result.rows:
            key = words.get(v["key"].lower())
            if key is None:
                self.fail(result, row, "key", _l("is not a contest setting (code, name, year, trim_at, tie_break, "
                                                 "awards, prizes, unit_quota)"))
                continue
            if key in self.value_rows:
                self.fail(result, row, "key", _l("appears more than once (row %(row)s)", row=self.value_rows[key]))
                continue
            self.value_rows[key] = row
            try:
                self.values[key] = CONTEST_ITEMS[key][1](v["value"])
            except ValueError as problem:
                self.fail(result, row, "value", problem.args[0])
        if "code" not in self.values:
            if "code" not in self.value_rows:
                result.add_error(1, None, _l("The contest sheet must give the contest's code."))
            return False
        self.programme = db.session.scalar(sa.select(Programme).where(Programme.code == self.values["code"])
                                           .options(selectinload(Programme.criteria)))
        row = self.value_rows["code"]
        if self.programme is not None and self.programme.kind != ProgrammeKind.ACHIEVEMENT:
            self.fail(result, row, "value", _l("is the code of a programme that is not an achievement contest"))
            return False
        if self.programme is None:
            for key in ("name", "year"):
                if key not in self.value_rows:
                    result.add_error(1, None, _l("A new contest needs its %(key)s.", key=key))
        if self.values.get("awards"):
            try:
                tiers = scoring.parse_award_spec(self.values["awards"])
                prizes = contest.parse_prizes(self.values.get("prizes"), tiers)
                self.tiers = tuple(contest.with_prize(t, prizes.get(t.name)) for t in tiers)
            except (scoring.ScoringError, DomainError) as problem:
                self.fail(result, self.value_rows.get("awards"), "value",
                          getattr(problem, "message", None) or str(problem))
        elif self.values.get("prizes"):
            self.fail(result, self.value_rows["prizes"], "value", _l("Prizes need the awards setting."))
        return result.ok

    def plan_criteria(self):
        for criterion in (self.programme.criteria if self.programme else ()):
            self.criteria[criterion.code] = dict(existing=criterion, name=criterion.name,
                                                 max=Decimal(criterion.max_mark), weight=Decimal(criterion.weight),
                                                 row=None, changed=False)
        result = self.sheets.get("criteria")
        if result is not None:
            seen = {}
            for row, v in result.rows:
                if v["code"] in seen:
                    self.fail(result, row, "code", _l("appears more than once (row %(row)s)", row=seen[v["code"]]))
                    continue
                seen[v["code"]] = row
                plan = self.criteria.setdefault(v["code"], dict(existing=None))
                plan.update(name=v["name"], max=v["max"], weight=v["weight"], row=row, changed=True)
            if result.ok and self.criteria:
                total = sum(p["weight"] for p in self.criteria.values())
                if total != HUNDRED:
                    result.add_error(min(r for r, _ in result.rows) if result.rows else 1, None,
                                     _l("The weights add up to %(total)s; they must add up to 100.", total=total))
        contest_sheet = self.sheets["contest"]
        for code in contest.split_codes(self.values.get("tie_break") or ""):
            if code not in self.criteria:
                self.fail(contest_sheet, self.value_rows["tie_break"], "value",
                          _l("names %(code)s, which is not a criterion of this contest", code=code))
        if self.programme is None and not self.criteria:
            contest_sheet.add_error(1, None, _l("A new contest needs a criteria sheet."))

    def _organizations(self, names):
        names = {n for n in names if n}
        found = {o.name: o for o in db.session.scalars(sa.select(Organization).where(Organization.name.in_(names)))}
        if names - set(found):
            for org in db.session.scalars(sa.select(Organization).where(Organization.short_name.in_(names - set(found)))):
                found.setdefault(org.short_name, org)
        found.update({name: org for name, org in self.new_orgs.items() if name in names})
        return found

    def plan_units(self):
        result = self.sheets.get("units")
        if result is None:
            return
        existing = self._organizations({v["name"] for _, v in result.rows} | {v["parent"] for _, v in result.rows})
        existing = {k: v for k, v in existing.items() if not isinstance(v, NewOrganization)}
        units_sheet.plan(result, existing, self.new_orgs, self.fail)

    def plan_submissions(self):
        if self.programme is not None:
            for application in db.session.scalars(
                    sa.select(Application).where(Application.programme_id == self.programme.id)
                    .options(selectinload(Application.unit))):
                self.submissions[application.number] = dict(existing=application, unit=application.unit, row=None,
                                                            changed=False)
        result = self.sheets.get("submissions")
        if result is None:
            return
        units = self._organizations(v["unit"] for _, v in result.rows)
        for row, v in result.rows:
            plan = self.submissions.get(v["no"])
            if plan is not None and plan["row"] is not None:
                self.fail(result, row, "no", _l("appears more than once (row %(row)s)", row=plan["row"]))
                continue
            unit = units.get(v["unit"])
            if unit is None:
                self.fail(result, row, "unit", _l("is not a known organisation"))
                continue
            plan = self.submissions.setdefault(v["no"], dict(existing=None))
            existing = plan["existing"]
            changed = existing is None or (existing.title, existing.category, existing.unit_id) != (
                v["title"], v["type"], getattr(unit, "id", None))
            plan.update(title=v["title"], category=v["type"], unit=unit, row=row, changed=changed)

    def plan_experts(self):
        seats = {}
        if self.programme is not None:
            for seat in db.session.scalars(sa.select(PanelSeat).where(PanelSeat.programme_id == self.programme.id)
                                           .options(selectinload(PanelSeat.user).selectinload(User.organization))):
                seats[seat.user.username.lower() if seat.user.username else f"#{seat.user_id}"] = seat
                self.experts[(seat.user.username or "").lower()] = dict(user=seat.user, unit=seat.user.organization,
                                                                        seat=seat, row=None, new=False)
        result = self.sheets.get("experts")
        if result is None:
            return
        names = [v["username"] for _, v in result.rows]
        users = {u.username.lower(): u for u in db.session.scalars(
            sa.select(User).where(sa.func.lower(User.username).in_([n.lower() for n in names]))
            .options(selectinload(User.organization), selectinload(User.role_rows)))}
        units = self._organizations(v["unit"] for _, v in result.rows)
        for row, v in result.rows:
            key = v["username"].lower()
            plan = self.experts.get(key)
            if plan is not None and plan["row"] is not None:
                self.fail(result, row, "username", _l("appears more than once (row %(row)s)", row=plan["row"]))
                continue
            unit = None
            if v["unit"]:
                unit = units.get(v["unit"])
                if unit is None:
                    self.fail(result, row, "unit", _l("is not a known organisation"))
                    continue
            user = users.get(key)
            if user is not None:
                if not user.has_role(Role.JUDGE, Role.CHIEF_JUDGE):
                    self.fail(result, row, "username", _l("is an account without the judge role"))
                    continue
                self.experts[key] = dict(user=user, unit=user.organization, seat=seats.get(key), row=row, new=False)
            else:
                if not v["name"]:
                    self.fail(result, row, "name", _l("is required for a new expert's account"))
                    continue
                if not account_services.USERNAME_PATTERN.match(v["username"]):
                    self.fail(result, row, "username", _l(
                        "A username starts with a letter and has 3-40 letters, digits, dots, dashes or underscores."))
                    continue
                self.experts[key] = dict(user=None, username=v["username"], name=v["name"], unit=unit, seat=None,
                                         row=row, new=True)

    def plan_scores(self):
        result = self.sheets.get("scores")
        if result is None:
            return
        for row, v in result.rows:
            submission = self.submissions.get(v["no"])
            expert = self.experts.get(v["expert"].lower())
            criterion = self.criteria.get(v["criterion"])
            if submission is None:
                self.fail(result, row, "no", _l("is not a submission of this contest"))
            if expert is None:
                self.fail(result, row, "expert", _l("is not an expert of this contest"))
            if criterion is None:
                self.fail(result, row, "criterion", _l("is not a criterion of this contest"))
            if submission is None or expert is None or criterion is None:
                continue
            if v["score"] > criterion["max"]:
                self.fail(result, row, "score", _l("must be at most %(n)s", n=criterion["max"]))
                continue
            unit = submission["unit"]
            if conflicted(unit.path if unit is not None else None,
                          expert["unit"].path if expert["unit"] is not None else None):
                self.fail(result, row, "expert", _l("has a conflict of interest: the submission comes from the "
                                                    "expert's organisation or one below it"))
                continue
            key = (v["no"], v["expert"].lower(), v["criterion"])
            if key in self.scores:
                self.fail(result, row, "score", _l("appears more than once (row %(row)s)", row=self.scores[key][0]))
                continue
            self.scores[key] = (row, v["score"])

    # ------------------------------------------------------------ writing

    def write(self):
        actor = self.actor
        for org in self.new_orgs.values():  # in sheet order: a parent is written before its children
            org.obj = account_services.create_organization(actor, name=org.name, kind=org.kind,
                                                            parent=units_sheet.real(org.parent))
        values = {k: v for k, v in self.values.items() if k in ("code", "name", "year", "trim_at", "tie_break",
                                                                 "unit_quota")}
        if "tie_break" in values:
            values["tie_break"] = ",".join(contest.split_codes(values["tie_break"] or ""))
        programme = contest.save_contest(actor, self.programme, **values)
        self.outcome.programme = programme
        criteria = {}
        position = len(programme.criteria)
        for code, plan in self.criteria.items():
            criterion = plan["existing"]
            if criterion is None:
                criterion = ProgrammeCriterion(programme_id=programme.id, code=code, position=position)
                position += 1
                db.session.add(criterion)
            if plan["changed"]:
                criterion.name, criterion.max_mark, criterion.weight = plan["name"], plan["max"], plan["weight"]
            criteria[code] = criterion
        db.session.flush()
        db.session.expire(programme, ["criteria", "panel"])
        if self.tiers is not None:
            contest.set_award_tiers(actor, programme, self.tiers)
        now = utcnow()
        new, changed = [], 0
        for number, plan in self.submissions.items():
            if not plan["changed"]:
                continue
            unit = units_sheet.real(plan["unit"])
            if plan["existing"] is None:
                new.append({"programme_id": programme.id, "number": number, "title": plan["title"], "summary": "",
                            "category": plan["category"].value, "unit_id": unit.id,
                            "stage": ApplicationStage.ACCEPTED.value, "checklist": {}, "benefit_evidence": "",
                            "already_awarded": False, "ip_dispute": False, "government_funded": False,
                            "proposed": False, "outcome_reason": "", "created_at": now, "updated_at": now})
            else:
                application = plan["existing"]
                application.title, application.category, application.unit = plan["title"], plan["category"], unit
                changed += 1
        for start in range(0, len(new), CHUNK):
            db.session.execute(sa.insert(Application.__table__), new[start:start + CHUNK])
        application_ids = dict(db.session.execute(
            sa.select(Application.number, Application.id).where(Application.programme_id == programme.id)).all())
        created_accounts = 0
        for plan in self.experts.values():
            if plan["new"]:
                plan["user"], _ = account_services.create_user(
                    actor, name=plan["name"], roles=[Role.JUDGE], username=plan["username"],
                    organization=units_sheet.real(plan["unit"]), password=secrets.token_urlsafe(24) + "aA1!")
                created_accounts += 1
            if plan.get("seat") is None:
                plan["seat"] = PanelSeat(programme_id=programme.id, user_id=plan["user"].id)
                db.session.add(plan["seat"])
        db.session.flush()
        upsert(db.session, ReviewScore.__table__, (
            {"judge_id": self.experts[expert]["user"].id, "application_id": application_ids[number],
             "criterion_id": criteria[code].id, "value": value, "updated_at": now}
            for (number, expert, code), (_, value) in self.scores.items()
        ), ["judge_id", "application_id", "criterion_id"], ["value", "updated_at"], only_changed_column="value",
            chunk=CHUNK)
        ranking.bump(programme.id)
        counts = self.outcome.counts
        counts.update(units=len(self.new_orgs), criteria=len(self.criteria), submissions_created=len(new),
                      submissions_updated=changed, experts=len(self.experts), accounts=created_accounts,
                      scores=len(self.scores))
        audit.record(actor, "innovation.contest.import", programme, after={"sha256": self.outcome.sha256, **counts})
