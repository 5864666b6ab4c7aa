"""The people workbook: masters and apprentices in bulk, all rows or none, with a report.

Sheets (English or Chinese names; headers as keys, Chinese labels or both, "用户名 username"):
- masters / 名师: username, name, unit, trade, level, capacity (blank = 5); optional honours, studio
- apprentices / 徒弟: username, name, unit, trade, level, preferences (master usernames separated by
  commas, best first, at most five); optional hire_date
- units / 单位 (optional): name, parent — organisations to create, in order: the parent exists or is
  listed earlier; a blank parent makes a top-level federation.

A level is 1–5 or its grade name (五级/初级工 … 一级/高级技师); a trade is its code or name. People
without an account get one (username, name, unit; role mentor or trainee) with an unusable
password: they sign in after staff reset it. A person already registered is updated (trade, level,
unit, capacity, preferences replaced). Rows are written in bulk: 28,000 people in seconds.
"""
import hashlib
import re
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit, excel
from app.accounts import services as account_services
from app.accounts import units_sheet
from app.accounts.models import Organization, Role, Trade, User, UserRole
from app.apprenticeship.models import (
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    MAX_PREFERENCES,
    ApprenticeProfile,
    Master,
    Preference,
)
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db

CHUNK = 5000

LEVEL_WORDS = {
    "五级": 5, "初级工": 5, "初级": 5, "四级": 4, "中级工": 4, "中级": 4, "三级": 3, "高级工": 3,
    "二级": 2, "技师": 2, "一级": 1, "高级技师": 1,
}


def level(value):
    if isinstance(value, str) and value.strip() in LEVEL_WORDS:
        return LEVEL_WORDS[value.strip()]
    try:
        number = excel.integer()(value)
    except ValueError as problem:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise
        raise ValueError(_l("is not a grade: give 1–5 or 五级 … 一级 (高级技师)")) from problem
    if not 1 <= number <= 5:
        raise ValueError(_l("is not a grade: give 1–5 or 五级 … 一级 (高级技师)"))
    return number


def capacity(value):
    number = excel.integer(minimum=0, maximum=MAX_CAPACITY, required=False)(value)
    return DEFAULT_CAPACITY if number is None else number


def preference_list(value):
    words = excel.text(400, required=False)(value)
    return [w for w in re.split(r"[\s,，、;；]+", words or "") if w]


def optional_date(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return excel.cell_date(value)


MASTERS = excel.SheetSpec("masters", "名师")
APPRENTICES = excel.SheetSpec("apprentices", "徒弟")
UNITS = excel.SheetSpec("units", "单位")

PERSON = (
    excel.Column("username", "用户名", excel.text(40)),
    excel.Column("name", "姓名", excel.text(60)),
    excel.Column("unit", "单位", excel.text(120)),
    excel.Column("trade", "工种", excel.text(60)),
    excel.Column("level", "等级", level),
)
MASTER_COLUMNS = PERSON + (
    excel.Column("capacity", "带徒名额", capacity, required=False),
    excel.Column("honours", "荣誉", excel.text(1000, required=False), required=False),
    excel.Column("studio", "工作室", excel.text(120, required=False), required=False),
)
APPRENTICE_COLUMNS = PERSON + (
    excel.Column("preferences", "意向师傅", preference_list, required=False),
    excel.Column("hire_date", "入职日期", optional_date, required=False),
)
UNIT_COLUMNS = (
    excel.Column("name", "单位名称", excel.text(120)),
    excel.Column("parent", "上级工会", excel.text(120, required=False), required=False),
)
# (key, spec, columns, required sheet)
SHEETS = (
    ("units", UNITS, UNIT_COLUMNS, False),
    ("masters", MASTERS, MASTER_COLUMNS, True),
    ("apprentices", APPRENTICES, APPRENTICE_COLUMNS, True),
)


@dataclass
class ImportOutcome:
    ok: bool = False
    counts: dict = field(default_factory=dict)
    results: list = field(default_factory=list)  # excel.ReadResult per sheet read
    sha256: str = ""

    @property
    def problems(self):
        """[(sheet, row, message)] in sheet order."""
        return [(r.sheet, e.row, str(e)) for r in self.results for e in sorted(r.errors, key=lambda e: e.row)]

    def report(self):
        return excel.error_report(self.results)


def import_people(actor, stream):
    """Validate the whole workbook against the database, then write all of it or nothing
    (flush, never commit). Raises excel.ExcelError when the file cannot be read at all."""
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    book = excel.open_workbook(stream)
    try:
        return _Importer(actor, book, digest.hexdigest()).run()
    finally:
        book.close()


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Importer:
    def __init__(self, actor, book, sha256):
        self.actor, self.book = actor, book
        self.outcome = ImportOutcome(sha256=sha256)
        self.sheets = {}
        self.new_orgs = {}  # name -> NewOrganization
        self.orgs = {}  # name or short name -> Organization | NewOrganization
        self.trades = {}  # code lower / name -> Trade
        self.users = {}  # username lower -> (id, roles set)
        self.masters = {}  # username lower -> plan dict
        self.apprentices = {}  # username lower -> plan dict

    @property
    def ok(self):
        return all(r.ok for r in self.outcome.results)

    @staticmethod
    def fail(result, row, key, message):
        header = next((c.header for c in result.columns if c.key == key), None) if key else None
        result.add_error(row, header, message)

    def run(self):
        if not self.read():
            return self.outcome
        self.load_reference()
        self.plan_units()
        self.plan_people("masters", self.masters)
        self.plan_people("apprentices", self.apprentices)
        self.plan_preferences()
        if not self.ok:
            return self.outcome
        try:
            with db.session.begin_nested():
                self.write()
        except (DomainError, IntegrityError) as error:
            message = error.message if isinstance(error, DomainError) else _l(
                "The database refused the change (was something changed at the same time?); try again.")
            self.sheets["masters"].add_error(1, None, message)
            return self.outcome
        self.outcome.ok = True
        return self.outcome

    # ------------------------------------------------------------ reading

    def read(self):
        self.sheets.update(excel.read_sheets(self.book, SHEETS))
        self.outcome.results.extend(self.sheets.values())
        return not any(error.row <= 1 for result in self.outcome.results for error in result.errors)

    def load_reference(self):
        names = set()
        for key in ("units", "masters", "apprentices"):
            result = self.sheets.get(key)
            if result is None:
                continue
            for _, v in result.rows:
                names.update(n for n in (v.get("unit"), v.get("name") if key == "units" else None,
                                         v.get("parent")) if n)
        for chunk in _chunks(names):
            for org in db.session.scalars(sa.select(Organization).where(Organization.name.in_(chunk))):
                self.orgs[org.name] = org
        rest = names - set(self.orgs)
        for chunk in _chunks(rest):
            for org in db.session.scalars(sa.select(Organization).where(Organization.short_name.in_(chunk))):
                self.orgs.setdefault(org.short_name, org)
        for trade in db.session.scalars(sa.select(Trade)):
            self.trades[trade.code.lower()] = trade
            self.trades[trade.name] = trade
        usernames = {v["username"].lower() for key in ("masters", "apprentices")
                     for _, v in self.sheets[key].rows}
        ids = {}
        for chunk in _chunks(usernames):
            for user_id, username in db.session.execute(
                    sa.select(User.id, User.username).where(sa.func.lower(User.username).in_(chunk))):
                ids[user_id] = username.lower()
                self.users[username.lower()] = (user_id, set())
        for chunk in _chunks(ids):
            for user_id, role in db.session.execute(
                    sa.select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(chunk))):
                self.users[ids[user_id]][1].add(Role(role))

    def plan_units(self):
        result = self.sheets.get("units")
        if result is None:
            return
        existing = {name: org for name, org in self.orgs.items() if isinstance(org, Organization)}
        units_sheet.plan(result, existing, self.new_orgs, self.fail)
        self.orgs.update(self.new_orgs)

    def plan_people(self, key, plans):
        result = self.sheets[key]
        other = self.masters if key == "apprentices" else {}
        for row, v in result.rows:
            username = v["username"].lower()
            if username in plans:
                self.fail(result, row, "username", _l("appears more than once (row %(row)s)",
                                                      row=plans[username]["row"]))
                continue
            if username in other:
                self.fail(result, row, "username", _l("is also on the masters sheet (row %(row)s)",
                                                      row=other[username]["row"]))
                continue
            plan = dict(v, row=row, username=v["username"])
            plans[username] = plan
            unit = self.orgs.get(v["unit"])
            if unit is None:
                self.fail(result, row, "unit", _l("is not a known organisation (nor on the units sheet)"))
            trade = self.trades.get(v["trade"].lower()) or self.trades.get(v["trade"])
            if trade is None:
                self.fail(result, row, "trade", _l("is not a known trade (give its code or name)"))
            if username not in self.users and not account_services.USERNAME_PATTERN.match(v["username"]):
                self.fail(result, row, "username", _l(
                    "A username starts with a letter and has 3-40 letters, digits, dots, dashes or underscores."))
            plan.update(unit=unit, trade=trade)

    def plan_preferences(self):
        result = self.sheets["apprentices"]
        wanted = {name.lower() for plan in self.apprentices.values() for name in plan["preferences"]}
        registered = {}  # username lower -> (master id, trade id) of masters already on the register
        missing = [w for w in wanted if w not in self.masters]
        for chunk in _chunks(missing):
            for master_id, trade_id, username in db.session.execute(
                    sa.select(Master.id, Master.trade_id, User.username).join(User, User.id == Master.user_id)
                    .where(sa.func.lower(User.username).in_(chunk))):
                registered[username.lower()] = (master_id, trade_id)
        for plan in self.apprentices.values():
            row, names = plan["row"], plan["preferences"]
            if len(names) > MAX_PREFERENCES:
                self.fail(result, row, "preferences", _l("names more than %(n)s masters", n=MAX_PREFERENCES))
                continue
            seen = set()
            for name in names:
                key = name.lower()
                if key in seen:
                    self.fail(result, row, "preferences", _l("names %(name)s twice", name=name))
                    continue
                seen.add(key)
                if key in self.masters:
                    trade = self.masters[key]["trade"]
                    trade_id = getattr(trade, "id", None)
                elif key in registered:
                    trade_id = registered[key][1]
                else:
                    self.fail(result, row, "preferences", _l("names %(name)s, who is not a master", name=name))
                    continue
                if plan["trade"] is not None and trade_id is not None and trade_id != plan["trade"].id:
                    self.fail(result, row, "preferences",
                              _l("names %(name)s, a master of another trade", name=name))
        self.registered_masters = registered

    # ------------------------------------------------------------ writing

    def write_units(self, now):
        """The units sheet's new organisations in bulk, one tree level at a time (a level's parents
        are written by then); paths are set once the ids are known. The import's audit event names them."""
        pending = list(self.new_orgs.values())
        while pending:
            ready = [o for o in pending if o.parent is None or units_sheet.real(o.parent) is not None]
            if not ready:  # cannot happen: plan_units only names parents that exist or come earlier
                raise DomainError(_l(
                    "The database refused the change (was something changed at the same time?); try again."))
            pending = [o for o in pending if o not in ready]
            db.session.execute(sa.insert(Organization.__table__), [
                {"name": o.name, "kind": o.kind.value, "parent_id": units_sheet.real(o.parent).id if o.parent else None,
                 "path": "", "created_at": now, "updated_at": now} for o in ready])
            by_name = {o.name: o for o in ready}
            ids = {}
            for chunk in _chunks(by_name):
                ids.update(db.session.execute(sa.select(Organization.name, Organization.id)
                                              .where(Organization.name.in_(chunk))).all())
            paths = []
            for org in ready:
                parent_path = units_sheet.real(org.parent).path if org.parent else "/"
                paths.append({"org_id": ids[org.name], "org_path": f"{parent_path}{ids[org.name]}/"})
            db.session.execute(sa.update(Organization.__table__).where(Organization.id == sa.bindparam("org_id"))
                               .values(path=sa.bindparam("org_path")), paths)
            for chunk in _chunks(ids.values()):
                for org in db.session.scalars(sa.select(Organization).where(Organization.id.in_(chunk))):
                    by_name[org.name].obj = org


    def write(self):
        actor, now = self.actor, utcnow()
        self.write_units(now)
        new_users, new_roles = [], []
        for plans, role in ((self.masters, Role.MENTOR), (self.apprentices, Role.TRAINEE)):
            for key, plan in plans.items():
                if key not in self.users:
                    new_users.append({"username": plan["username"], "name": plan["name"],
                                      "organization_id": units_sheet.real(plan["unit"]).id,
                                      # no password hash ever equals this: staff reset it to hand one out
                                      "password_hash": "!" + secrets.token_hex(16),
                                      "active": True, "must_change_password": True, "session_version": 1,
                                      "membership_status": "none", "created_at": now, "updated_at": now})
                    plan["new_role"] = role
                elif role not in self.users[key][1]:
                    new_roles.append((key, role))
        for chunk in _chunks(new_users):
            db.session.execute(sa.insert(User), chunk)
        created = [u["username"].lower() for u in new_users]
        for chunk in _chunks(created):
            for user_id, username in db.session.execute(
                    sa.select(User.id, User.username).where(sa.func.lower(User.username).in_(chunk))):
                self.users[username.lower()] = (user_id, set())
        roles = [{"user_id": self.users[key][0], "role": role.value} for key, role in new_roles]
        roles += [{"user_id": self.users[key][0], "role": plans[key]["new_role"].value}
                  for plans in (self.masters, self.apprentices) for key in created if key in plans]
        for chunk in _chunks(roles):
            db.session.execute(sa.insert(UserRole), chunk)

        upsert(db.session, Master.__table__, (
            {"user_id": self.users[key][0], "unit_id": units_sheet.real(p["unit"]).id, "trade_id": p["trade"].id,
             "level": p["level"], "capacity": p["capacity"], "honours": p["honours"] or "",
             "studio_name": p["studio"] or "", "active": True, "created_at": now, "updated_at": now}
            for key, p in self.masters.items()
        ), ["user_id"], ["unit_id", "trade_id", "level", "capacity", "honours", "studio_name", "active",
                         "updated_at"], chunk=CHUNK)
        upsert(db.session, ApprenticeProfile.__table__, (
            {"user_id": self.users[key][0], "unit_id": units_sheet.real(p["unit"]).id, "trade_id": p["trade"].id,
             "level": p["level"], "hire_date": p["hire_date"], "created_at": now, "updated_at": now}
            for key, p in self.apprentices.items()
        ), ["user_id"], ["unit_id", "trade_id", "level", "hire_date", "updated_at"], chunk=CHUNK)

        master_ids = {key: mid for key, (mid, _) in self.registered_masters.items()}
        by_user = {self.users[key][0]: key for key in self.masters}
        for chunk in _chunks(by_user):
            for master_id, user_id in db.session.execute(
                    sa.select(Master.id, Master.user_id).where(Master.user_id.in_(chunk))):
                master_ids[by_user[user_id]] = master_id
        apprentice_ids = {}
        by_user = {self.users[key][0]: key for key in self.apprentices}
        for chunk in _chunks(by_user):
            for profile_id, user_id in db.session.execute(
                    sa.select(ApprenticeProfile.id, ApprenticeProfile.user_id)
                    .where(ApprenticeProfile.user_id.in_(chunk))):
                apprentice_ids[by_user[user_id]] = profile_id
        for chunk in _chunks(apprentice_ids.values()):
            db.session.execute(sa.delete(Preference).where(Preference.apprentice_id.in_(chunk)))
        preferences = [{"apprentice_id": apprentice_ids[key], "master_id": master_ids[name.lower()], "rank": rank}
                       for key, plan in self.apprentices.items()
                       for rank, name in enumerate(plan["preferences"], start=1)]
        for chunk in _chunks(preferences):
            db.session.execute(sa.insert(Preference), chunk)
        db.session.expire_all()
        counts = self.outcome.counts
        counts.update(units=len(self.new_orgs), masters=len(self.masters), apprentices=len(self.apprentices),
                      accounts=len(new_users), preferences=len(preferences))
        audit.record(actor, "apprenticeship.import", ("PeopleWorkbook", self.outcome.sha256[:32]),
                     after={"sha256": self.outcome.sha256, **counts, "units_created": list(self.new_orgs)})
