"""flask apprenticeship import: the people workbook, all rows or none, re-import, units sheet."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.cli import _SystemActor
from app.accounts.models import OrgKind, Organization, Role, User
from app.apprenticeship import workbook
from app.apprenticeship.models import ApprenticeProfile, Master, Preference
from tests.apprenticeship.helpers import make_trades, sheets, stream
from tests.factories import UserFactory


@pytest.fixture()
def trades(db):
    make_trades()


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def by_username(db, model, username):
    return db.session.scalar(sa.select(model).join(User, User.id == model.user_id).where(User.username == username))


def test_import_creates_units_accounts_register_and_preferences(db, english, trades):
    outcome = workbook.import_people(_SystemActor(), stream(sheets()))
    assert outcome.ok, outcome.problems
    assert outcome.counts == {"units": 6, "masters": 3, "apprentices": 7, "accounts": 10, "preferences": 3}
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organization).where(Organization.name.like("学徒%")))}
    assert orgs["学徒市总工会"].kind == OrgKind.FEDERATION and orgs["学徒市总工会"].parent is None
    assert orgs["学徒区总工会"].kind == OrgKind.DISTRICT and orgs["学徒甲厂"].parent.name == "学徒区总工会"
    assert orgs["学徒丙厂"].kind == OrgKind.UNIT and orgs["学徒丙厂"].parent.name == "学徒市总工会"
    li = by_username(db, Master, "m_li")
    assert (li.level, li.capacity, li.trade.name, li.unit.name) == (1, 3, "学徒焊工", "学徒乙厂")
    wang = by_username(db, Master, "m_wang")
    assert (wang.level, wang.capacity, wang.trade.code) == (1, 5, "APL")  # blank capacity: 5
    assert li.user.has_role(Role.MENTOR) and li.user.name == "李师傅" and li.user.organization.name == "学徒乙厂"
    assert not li.user.check_password("") and li.user.password_hash.startswith("!")  # unusable until reset
    zhou = by_username(db, ApprenticeProfile, "a_zhou")
    assert zhou.level == 5 and zhou.user.has_role(Role.TRAINEE) and zhou.preferences == []
    chen = by_username(db, ApprenticeProfile, "a_chen")
    assert [(p.rank, p.master.user.username) for p in chen.preferences] == [(1, "m_li")]


def test_reimport_updates_the_register_and_replaces_preferences(db, english, trades):
    assert workbook.import_people(_SystemActor(), stream(sheets())).ok
    users = count(db, User)
    data = sheets()
    data["masters"][1][5] = 4  # m_zhang: capacity 1 -> 4
    data["masters"][1][4] = "技师"
    data["apprentices"][1][5] = "m_zhang，m_li"  # a_chen: two masters now
    data["apprentices"][1][2] = "学徒乙厂"
    outcome = workbook.import_people(_SystemActor(), stream(data))
    assert outcome.ok, outcome.problems
    assert outcome.counts["accounts"] == 0 and outcome.counts["units"] == 0 and count(db, User) == users
    zhang = by_username(db, Master, "m_zhang")
    assert (zhang.capacity, zhang.level) == (4, 2)
    chen = by_username(db, ApprenticeProfile, "a_chen")
    assert [(p.rank, p.master.user.username) for p in chen.preferences] == [(1, "m_zhang"), (2, "m_li")]
    assert chen.unit.name == "学徒乙厂"
    assert count(db, Master) == 3 and count(db, ApprenticeProfile) == 7 and count(db, Preference) == 4


def test_existing_account_is_used_and_gets_the_role(db, english, trades):
    person = UserFactory(username="m_zhang", name="原有账号", roles=[Role.JUDGE])
    outcome = workbook.import_people(_SystemActor(), stream(sheets()))
    assert outcome.ok, outcome.problems
    assert outcome.counts["accounts"] == 9
    db.session.refresh(person)
    assert person.roles == {Role.JUDGE, Role.MENTOR} and person.name == "原有账号"
    assert by_username(db, Master, "m_zhang").user_id == person.id


def put(sheet, row, column, value):
    def change(data):
        data[sheet][row][column] = value
    return change


def add(sheet, row):
    def change(data):
        data[sheet].append(row)
    return change


def drop_units(data):
    del data["units"]


@pytest.mark.parametrize("change, sheet, row, words", [
    (put("apprentices", 2, 2, "无此厂"), "apprentices", 3, "is not a known organisation"),
    (drop_units, "masters", 2, "is not a known organisation"),  # units must exist or be on the units sheet
    (put("masters", 1, 3, "厨师"), "masters", 2, "is not a known trade"),
    (put("apprentices", 1, 5, "m_li, nobody"), "apprentices", 2, "names nobody, who is not a master"),
    (add("masters", ["m_zhang", "又一个", "学徒甲厂", "APW", 2, 1]), "masters", 5, "appears more than once (row 2)"),
    (add("apprentices", ["M_LI", "李", "学徒甲厂", "APW", 2, None]), "apprentices", 9, "is also on the masters sheet"),
    (put("masters", 1, 4, 6), "masters", 2, "is not a grade"),
    (put("apprentices", 1, 4, "六级"), "apprentices", 2, "is not a grade"),
    (put("masters", 1, 5, 51), "masters", 2, "must be at most 50"),
    (put("masters", 1, 5, -1), "masters", 2, "must be at least 0"),
    (put("apprentices", 6, 5, "m_wang, m_zhang"), "apprentices", 7, "names m_zhang, a master of another trade"),
    (put("apprentices", 1, 5, "m_li m_zhang m_a m_b m_c m_d"), "apprentices", 2, "names more than 5 masters"),
    (put("apprentices", 1, 5, "m_li、m_li"), "apprentices", 2, "names m_li twice"),
    (put("apprentices", 1, 0, "1bad"), "apprentices", 2, "A username starts with a letter"),
    (add("units", ["学徒戊厂", "无此工会"]), "units", 8, "is not a known organisation (nor one listed above it)"),
    (add("units", ["学徒乙厂", "学徒区总工会"]), "units", 8, "appears more than once (row 5)"),
])
def test_a_bad_row_imports_nothing_and_is_reported(db, english, trades, change, sheet, row, words):
    data = sheets()
    change(data)
    before = (count(db, Organization), count(db, User), count(db, Master), count(db, ApprenticeProfile),
              count(db, Preference))
    outcome = workbook.import_people(_SystemActor(), stream(data))
    assert not outcome.ok
    assert any(s == sheet and r == row and words in message for s, r, message in outcome.problems), outcome.problems
    assert (count(db, Organization), count(db, User), count(db, Master), count(db, ApprenticeProfile),
            count(db, Preference)) == before
    report = load_workbook(io.BytesIO(outcome.report()))
    assert sheet in report.sheetnames


def test_a_missing_people_sheet_is_reported(db, english, trades):
    data = sheets()
    del data["apprentices"]
    outcome = workbook.import_people(_SystemActor(), stream(data))
    assert not outcome.ok
    assert any(s == "apprentices" and "no sheet named" in m for s, _, m in outcome.problems), outcome.problems
    assert count(db, Master) == 0


def test_units_sheet_reuses_an_organisation_already_in_place(db, english, trades):
    assert workbook.import_people(_SystemActor(), stream(sheets())).ok
    data = sheets()
    data["units"].append(["学徒庚厂", "学徒区总工会"])
    data["masters"].append(["m_geng", "庚师傅", "学徒庚厂", "APW", 3, 2])
    outcome = workbook.import_people(_SystemActor(), stream(data))
    assert outcome.ok, outcome.problems
    assert outcome.counts["units"] == 1
    assert by_username(db, Master, "m_geng").unit.parent.name == "学徒区总工会"


def test_units_sheet_cannot_hang_an_organisation_under_an_existing_unit(db, english, trades):
    assert workbook.import_people(_SystemActor(), stream(sheets())).ok
    data = sheets()
    data["units"].append(["学徒己厂", "学徒甲厂"])  # 学徒甲厂 is a unit union now
    users = count(db, User)
    outcome = workbook.import_people(_SystemActor(), stream(data))
    assert not outcome.ok
    assert ("units", 8, "上级工会 parent: A unit union cannot have organisations below it.") in outcome.problems
    assert count(db, User) == users and not db.session.scalar(
        sa.select(Organization).where(Organization.name == "学徒己厂"))
