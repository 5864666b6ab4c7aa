"""Importing a whole competition from a workbook: everything or nothing, every problem reported."""
import hashlib
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import Role, User
from app.audit import AuditEvent
from app.competitions import standings, workbook
from app.competitions.models import (
    AwardTier,
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
from app.db import utcnow
from tests.competitions.test_workbook_data import (
    BASE_JUDGEMENT_SCORES,
    BASE_MEASUREMENTS,
    base_sheets,
    orgs,  # noqa: F401 - fixture
    stream,
    volume_xlsx,
    xlsx,
)

D = Decimal
TABLES = (Competition, Event, Stage, Criterion, AwardTier, Entry, PanelMember, User, Score, Measurement, AuditEvent)


def counts(db):
    return {t.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES}


def run(users, sheets):
    return workbook.import_workbook(users["staff"], stream(sheets))


def score_of(db, bib, judge, criterion):
    return db.session.scalar(
        sa.select(Score.value).join(Entry, Entry.id == Score.entry_id).join(User, User.id == Score.judge_id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Entry.bib == bib, User.username == judge, Criterion.code == criterion))


def test_a_valid_workbook_creates_the_whole_competition(db, users, orgs, english):
    data = xlsx(base_sheets())
    outcome = workbook.import_workbook(users["staff"], io.BytesIO(data))
    assert outcome.ok, outcome.problems
    assert outcome.problems == []

    competition = db.session.scalars(sa.select(Competition).where(Competition.code == "T2025")).one()
    assert outcome.competition is competition
    assert (competition.name, competition.year, competition.edition) == ("2025年测试职工技能大赛", 2025, "第一届")
    assert str(competition.starts_on) == "2025-05-10" and competition.appeal_window_hours == 2
    assert competition.status == S.DRAFT

    welding, team = competition.events
    assert (welding.code, welding.entry_type, welding.tie_break, welding.honour_name) == (
        "HG", EntryType.INDIVIDUAL, "SC,LL", "推荐五一劳动奖章")
    assert welding.trade_id == orgs["trade"].id and welding.trim_at == 5 and not welding.blind
    assert [(t.name, t.count) for t in welding.award_tiers] == [("一等奖", 1), ("二等奖", 1), ("三等奖", 1)]
    assert (team.entry_type, team.team_size) == (EntryType.TEAM, 2)
    assert [(s.code, s.weight) for s in welding.stages] == [("LL", D(30)), ("SC", D(70))]
    assert [(c.code, c.kind, c.max_mark) for c in welding.stages[0].criteria] == [
        ("LL1", CriterionKind.MEASUREMENT, D(100))]
    assert [c.code for c in welding.stages[1].criteria] == ["SC1", "SC2"]

    entries = {e.bib: e for e in db.session.scalars(sa.select(Entry))}
    assert entries["003"].unit_id == orgs["a"].id  # found by its short name
    assert entries["T01"].members == "赵六、钱七"

    created = {user.username: password for user, password in outcome.created_accounts}
    assert set(created) == {"judge1", "judge2", "judge3", "chief1"}
    judge1 = db.session.scalars(sa.select(User).where(User.username == "judge1")).one()
    assert judge1.roles == {Role.JUDGE} and judge1.organization_id == orgs["c"].id and judge1.must_change_password
    assert judge1.check_password(created["judge1"])
    chief = db.session.scalars(sa.select(User).where(User.username == "chief1")).one()
    assert chief.roles == {Role.CHIEF_JUDGE}
    panel = {(m.event.code, m.user.username): m.is_chief for m in db.session.scalars(sa.select(PanelMember))}
    assert panel == {("HG", "judge1"): False, ("HG", "judge2"): False, ("HG", "judge3"): False,
                     ("HG", "chief1"): True, ("DG", "judge1"): False}

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == BASE_JUDGEMENT_SCORES
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Measurement)) == BASE_MEASUREMENTS
    assert score_of(db, "003", "judge2", "SC2") == D("30.50")
    assert outcome.counts == {"events": 2, "stages": 3, "criteria": 4, "entries": 4, "judges": 5, "units": 0,
                              "scores": BASE_JUDGEMENT_SCORES, "measurements": BASE_MEASUREMENTS, "accounts": 4}

    # Structure, panels and accounts are audited by their services; new entries and the marks by
    # one import event with the file's hash.
    actions = [a for (a,) in db.session.execute(sa.select(AuditEvent.action))]
    assert actions.count("stage.create") == 3 and actions.count("panel.assign") == 5
    assert actions.count("user.create") == 4 and "event.awards" in actions
    assert "score.save" not in actions and "entry.create" not in actions
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "competition.import")).one()
    assert event.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.after["scores"] == BASE_JUDGEMENT_SCORES and event.actor_id == users["staff"].id
    assert event.after["entries_created"] == {"HG": ["001", "002", "003"], "DG": ["T01"]}

    result = standings.compute(welding.id)
    assert [(r.entry.bib, r.rank, r.tier) for r in result.rows] == [
        ("001", 1, "一等奖"), ("002", 2, "二等奖"), ("003", 3, "三等奖")]


def test_importing_again_changes_nothing_and_updates_what_changed(db, users, orgs, english):
    assert run(users, base_sheets()).ok
    before = counts(db)
    again = run(users, base_sheets())
    assert again.ok, again.problems
    assert again.created_accounts == []
    after = counts(db)
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # only the competition.import event
    assert after == before

    sheets = base_sheets()
    sheets["entries"][2][2] = "李四四"
    sheets["scores"][2][4] = 46  # 001, judge1, SC1
    sheets["stages"][1][2] = "理论"
    sheets["competition"][2][1] = "新名称"
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
    assert run(users, sheets).ok
    assert counts(db)["Entry"] == before["Entry"] and counts(db)["Score"] == before["Score"]
    changes = [a for (a,) in db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.seq)
                                                .where(AuditEvent.seq > last))]
    assert changes == ["competition.update", "stage.update", "entry.update", "competition.import"]
    assert db.session.scalars(sa.select(Entry.name).where(Entry.bib == "002")).one() == "李四四"
    assert score_of(db, "001", "judge1", "SC1") == D(46)
    assert db.session.scalars(sa.select(Stage.name).where(Stage.code == "LL")).one() == "理论"
    assert db.session.scalars(sa.select(Competition.name)).one() == "新名称"


def test_chinese_sheet_names_headers_and_words(db, users, orgs, english):
    labels = {spec.name: spec.label for _, spec, _, _ in workbook.SHEETS}
    columns = {key: {c.key: c.label for c in cols} for key, _, cols, _ in workbook.SHEETS}
    words = {"individual": "个人", "team": "团体", "measurement": "测量", "judgement": "评分", "yes": "是", "no": "否"}
    chinese = {}
    for key, rows in base_sheets().items():
        header = [columns[key][h] for h in rows[0]]
        body = [[words.get(v, v) if isinstance(v, str) else v for v in row] for row in rows[1:]]
        chinese[labels[key]] = [header] + body
    chinese["比赛"][1][0] = "比赛代码"
    chinese["比赛"][2][0] = "比赛名称"
    chinese["比赛"][3][0] = "年度"
    outcome = run(users, chinese)
    assert outcome.ok, outcome.problems
    welding = db.session.scalars(sa.select(Event).where(Event.code == "HG")).one()
    assert welding.stages[0].criteria[0].kind == CriterionKind.MEASUREMENT
    assert db.session.scalars(sa.select(Event.entry_type).where(Event.code == "DG")).one() == EntryType.TEAM
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == BASE_JUDGEMENT_SCORES


def add(sheet, row):
    return lambda s: s[sheet].append(row)


def set_cell(sheet, row, column, value):
    def change(s):
        s[sheet][row - 1][column] = value
    return change


# (id, change to the valid workbook, sheet, row, words of the reason)
INVALID = [
    ("unknown-event", add("stages", ["XX", "A", "甲", 100]), "stages", 5, "is not an event"),
    ("unknown-stage", set_cell("criteria", 3, 1, "ZZ"), "criteria", 3, "is not a stage of event HG"),
    ("unknown-unit", set_cell("entries", 3, 3, "不存在工会"), "entries", 3, "is not a known organisation"),
    ("unknown-trade", set_cell("events", 2, 7, "不存在工种"), "events", 2, "is not a known trade"),
    ("unknown-bib", add("scores", ["HG", "999", "judge1", "SC1", 10]), "scores", 20, "is not an entry"),
    ("unknown-criterion", add("scores", ["HG", "001", "judge1", "ZZ", 10]), "scores", 20, "is not a criterion"),
    ("judge-off-panel", add("scores", ["HG", "001", "staff_user", "SC1", 10]), "scores", 20, "not on the panel"),
    ("judge-other-event", add("scores", ["DG", "T01", "judge2", "P1", 50]), "scores", 20,
     "not on the panel of event DG"),
    ("duplicate-event", add("events", ["HG", "焊工", "individual"] + [None] * 7), "events", 4, "more than once"),
    ("duplicate-stage", add("stages", ["HG", "LL", "重复", 0]), "stages", 5, "more than once"),
    ("duplicate-criterion", add("criteria", ["HG", "SC", "SC1", "重复", 10, "judgement"]), "criteria", 6,
     "more than once"),
    ("duplicate-bib", add("entries", ["HG", "001", "重复", "乙公司工会", None]), "entries", 6, "more than once"),
    ("duplicate-judge", add("judges", ["HG", "JUDGE1", "评委一", "丙学院工会", "no"]), "judges", 7, "more than once"),
    ("weights", set_cell("stages", 3, 3, 60), "stages", 3, "add up to 90, not 100"),
    ("tie-break", set_cell("events", 2, 5, "SC,XX"), "events", 2, "XX"),
    ("award-spec", set_cell("events", 2, 6, "一等奖"), "events", 2, "is not a valid award list"),
    ("above-maximum", set_cell("scores", 3, 4, 51), "scores", 3, "The maximum is 50"),
    ("three-decimals", set_cell("scores", 3, 4, 40.125), "scores", 3, "more than 2 decimal places"),
    ("negative", set_cell("scores", 3, 4, -1), "scores", 3, "at least 0"),
    ("conflict-own-unit", add("scores", ["HG", "001", "judge3", "SC1", 40]), "scores", 20, "own unit"),
    ("blank-judge", add("scores", ["HG", "001", None, "SC1", 40]), "scores", 20, "required for a judgement"),
    ("chief-judgement", add("scores", ["HG", "001", "chief1", "SC1", 40]), "scores", 20, "chief judge"),
    ("measurement-judge", add("scores", ["HG", "001", "judge1", "LL1", 90]), "scores", 20, "blank"),
    ("measurement-twice", add("scores", ["HG", "001", None, "LL1", 91]), "scores", 20, "row 2 has another value"),
    ("mark-twice", add("scores", ["HG", "001", "judge1", "SC1", 45]), "scores", 20, "more than once (row 3)"),
    ("two-chiefs", add("judges", ["HG", "chief2", "裁判长二", "丙学院工会", "yes"]), "judges", 7, "one chief"),
    ("not-a-judge", add("judges", ["HG", "trainee_user", None, None, "no"]), "judges", 7, "judge role"),
    ("not-a-chief", add("judges", ["DG", "judge_user", None, None, "yes"]), "judges", 7, "chief judge role"),
    ("new-judge-without-name", add("judges", ["DG", "newjudge", None, "丙学院工会", "no"]), "judges", 7,
     "required for a new account"),
    ("bad-username", add("judges", ["DG", "9x", "某某", "丙学院工会", "no"]), "judges", 7, "username starts"),
    ("team-size", set_cell("entries", 5, 4, "赵六"), "entries", 5, "has 2 members"),
    ("entry-type", set_cell("events", 2, 2, "pair"), "events", 2, "must be one of"),
    ("bad-code", set_cell("events", 2, 0, "H G!"), "events", 2, "letters, digits"),
    ("end-before-start", set_cell("competition", 7, 1, "2025-05-01"), "competition", 7, "end before"),
    ("unknown-item", add("competition", ["colour", "red"]), "competition", 9, "not a known item"),
]


@pytest.mark.parametrize("change, sheet, row, reason", [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_each_problem_is_reported_on_its_row_and_nothing_is_written(db, users, orgs, english, change, sheet, row,
                                                                    reason):
    sheets = base_sheets()
    change(sheets)
    before = counts(db)
    outcome = run(users, sheets)
    assert not outcome.ok and outcome.competition is None and outcome.created_accounts == []
    assert any(s == sheet and r == row and reason in message for s, r, message in outcome.problems), outcome.problems
    assert counts(db) == before


def test_the_error_report_marks_each_bad_row(db, users, orgs, english):
    sheets = base_sheets()
    sheets["stages"][2][3] = 60
    sheets["scores"][2][4] = 51
    outcome = run(users, sheets)
    report = load_workbook(io.BytesIO(outcome.report()))
    stages = list(report["stages"].iter_rows(values_only=True))
    assert stages[0][0] == "错误原因 errors"
    assert "row 3" in stages[2][0] and "add up to 90" in stages[2][0]
    assert stages[2][1:] == ("HG", "SC", "实际操作", 60)
    assert stages[3][0] in (None, "")  # DG's stage is fine
    scores = list(report["scores"].iter_rows(values_only=True))
    assert "row 3" in scores[2][0] and "maximum is 50" in scores[2][0]


def test_a_judge_from_a_parent_organisation_is_conflicted(db, users, orgs, english):
    sheets = base_sheets()
    sheets["judges"].append(["HG", "judge4", "评委四", "示例区总工会", "no"])  # 甲公司's district
    sheets["scores"].append(["HG", "002", "judge4", "SC1", 40])
    sheets["scores"].append(["HG", "001", "judge4", "SC1", 40])  # row 21: 001 is from 甲公司
    outcome = run(users, sheets)
    assert not outcome.ok
    assert [(s, r) for s, r, _ in outcome.problems] == [("scores", 21)]


def test_an_existing_judges_own_organisation_counts_too(db, users, orgs, english):
    from tests.factories import UserFactory

    UserFactory(username="oldjudge", name="老评委", roles=[Role.JUDGE], organization=orgs["a"])
    sheets = base_sheets()
    sheets["judges"].append(["HG", "oldjudge", None, "丙学院工会", "no"])  # the sheet says another unit
    sheets["scores"].append(["HG", "003", "oldjudge", "SC1", 40])
    outcome = run(users, sheets)
    assert [(s, r) for s, r, _ in outcome.problems] == [("scores", 20)]
    sheets["scores"][-1][1] = "002"
    assert run(users, sheets).ok


def test_identical_duplicate_measurements_are_accepted(db, users, orgs, english):
    sheets = base_sheets()
    sheets["scores"].append(["HG", "001", None, "LL1", 90])
    sheets["scores"].append(["HG", "001", "chief1", "LL1", 90])  # the chief's own name is fine too
    outcome = run(users, sheets)
    assert outcome.ok, outcome.problems
    assert outcome.counts["measurements"] == BASE_MEASUREMENTS


def test_a_signed_sheet_takes_no_new_marks(db, users, orgs, english):
    assert run(users, base_sheets()).ok
    member = db.session.scalars(sa.select(PanelMember).join(User).join(Event).where(
        User.username == "judge1", Event.code == "HG")).one()
    practical = db.session.scalars(sa.select(Stage).where(Stage.code == "SC")).one()
    # The import opened the sheets it filled, as saving a mark does; the judge now signs one.
    sheet = db.session.scalars(sa.select(Sheet).where(Sheet.member_id == member.id,
                                                      Sheet.stage_id == practical.id)).one()
    sheet.signed_at = utcnow()
    db.session.flush()

    assert run(users, base_sheets()).ok  # the same marks again: nothing changes
    sheets = base_sheets()
    sheets["scores"][2][4] = 46  # judge1's SC1 for 001
    sheets["scores"][3][4] = 43  # judge2's sheet is not signed
    before = counts(db)
    outcome = run(users, sheets)
    assert [(s, r) for s, r, _ in outcome.problems] == [("scores", 3)]
    assert "signed and locked" in outcome.problems[0][2]
    assert counts(db) == before and score_of(db, "001", "judge2", "SC1") == D(44)


def test_a_running_competition_takes_marks_and_entries_but_keeps_its_scheme(db, users, orgs, english):
    assert run(users, base_sheets()).ok
    competition = db.session.scalars(sa.select(Competition)).one()
    competition.status = S.RUNNING
    db.session.flush()

    sheets = base_sheets()
    sheets["scores"][2][4] = 47
    sheets["entries"].append(["HG", "004", "孙八", "乙公司工会", None])
    sheets["judges"].append(["HG", "judge4", "评委四", "丙学院工会", "no"])
    outcome = run(users, sheets)
    assert outcome.ok, outcome.problems
    assert score_of(db, "001", "judge1", "SC1") == D(47)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 5

    for change, sheet, row in [
        (set_cell("stages", 2, 3, 40), "stages", 2),
        (set_cell("criteria", 3, 4, 60), "criteria", 3),
        (add("criteria", ["HG", "SC", "SC3", "安全", 10, "judgement"]), "criteria", 6),
        (add("events", ["GJ", "钳工", "individual"] + [None] * 7), "events", 4),
        (set_cell("events", 2, 4, 7), "events", 2),
    ]:
        sheets = base_sheets()
        change(sheets)
        before = counts(db)
        outcome = run(users, sheets)
        assert any(s == sheet and r == row and "under way" in m for s, r, m in outcome.problems), outcome.problems
        assert counts(db) == before


@pytest.mark.parametrize("status", [S.SCORING_CLOSED, S.PROVISIONAL, S.PUBLISHED])
def test_a_closed_competition_refuses_the_whole_import(db, users, orgs, english, status):
    assert run(users, base_sheets()).ok
    competition = db.session.scalars(sa.select(Competition)).one()
    competition.status = status
    db.session.flush()
    before = counts(db)
    outcome = run(users, base_sheets())
    assert [(s, r) for s, r, _ in outcome.problems] == [("competition", 2)]
    assert "only possible while" in outcome.problems[0][2]
    assert counts(db) == before


def test_missing_sheet_and_columns_are_reported(db, users, orgs, english):
    sheets = base_sheets()
    del sheets["competition"]
    outcome = run(users, sheets)
    assert not outcome.ok and "no sheet named" in outcome.problems[0][2]

    sheets = base_sheets()
    sheets["stages"][0] = ["event", "code", "name"]
    outcome = run(users, sheets)
    assert [(s, r) for s, r, _ in outcome.problems] == [("stages", 1)]
    assert "weight" in outcome.problems[0][2]


SHEET_NAMES = ["比赛", "单位", "赛项", "阶段", "评分项", "奖项", "参赛选手", "评委", "成绩"]


def test_the_downloaded_template_imports_as_it_is_in_a_fresh_demo(client, db, login, english):
    """Its sample units do not exist in the demo: its units sheet creates them below the demo's unions."""
    from app.accounts import demo as accounts_demo
    from app.accounts.models import Organization
    from app.demo import DEMO_PASSWORD

    context = {"password": DEMO_PASSWORD}
    accounts_demo.load(context)
    login(context["users"][Role.STAFF])
    data = client.get("/competitions/manage/import/template.xlsx").data
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEET_NAMES
    assert [c.value for c in book["阶段"][1]] == ["赛项 event", "阶段代码 code", "阶段名称 name", "权重 weight",
                                                  "晋级人数 advance_count"]
    assert [c.value for c in book["单位"][1]] == ["单位名称 name", "上级工会 parent", "简称 short_name"]
    assert [c.value for c in book["奖项"][1]] == ["赛项 event", "奖项名称 name", "名额 places", "最低分 minimum",
                                                  "奖金 prize", "分名次奖金 rank_prizes"]
    assert "荣誉名次 honour_max_rank" in [c.value for c in book["赛项"][1]]

    outcome = workbook.import_workbook(context["users"][Role.STAFF], io.BytesIO(data))
    assert outcome.ok, outcome.problems
    units = {o.name: o for o in db.session.scalars(sa.select(Organization).where(Organization.name.in_(
        ["徐州工程机械研究院工会", "徐州恒顺起重机械有限公司工会", "江苏师范大学工会"])))}
    assert {name: (o.kind, o.parent.name, o.short_name) for name, o in units.items()} == {
        "徐州工程机械研究院工会": ("unit", "徐州经济技术开发区总工会", "工程机械研究院"),
        "徐州恒顺起重机械有限公司工会": ("unit", "铜山区总工会", "恒顺起重"),
        "江苏师范大学工会": ("unit", "泉山区总工会", "江苏师大"),
    }
    assert all(o.path == f"{o.parent.path}{o.id}/" for o in units.values())
    assert outcome.counts["units"] == 3
    event = outcome.competition.events[0]
    assert [(s.code, s.weight, s.advance_count) for s in event.stages] == [("LL", D(30), 30), ("SC", D(70), None)]
    assert (event.honour_name, event.honour_max_rank) == ("推荐五一劳动奖章", 1)
    assert [(t.name, t.count, t.percent, t.minimum, t.prize, t.rank_prizes) for t in event.award_tiers] == [
        ("一等奖", 1, None, None, D(10000), ""), ("二等奖", 1, None, None, D(8000), ""),
        ("三等奖", None, D(10), None, D(5000), "3:6000"), ("优秀奖", None, D(50), D(60), D(1000), "")]
    entries = {e.bib: e for e in db.session.scalars(sa.select(Entry))}
    assert entries["001"].unit.name == "徐州工程机械研究院工会"
    judge = db.session.scalars(sa.select(User).where(User.username == "wangjg")).one()
    assert judge.organization.name == "江苏师范大学工会"
    assert outcome.counts["scores"] == 1 and outcome.counts["measurements"] == 2

    again = workbook.import_workbook(context["users"][Role.STAFF], io.BytesIO(data))
    assert again.ok, again.problems  # the units exist now: nothing to create, nothing refused
    assert again.counts["units"] == 0


def test_a_thousand_entries_seven_judges_ten_criteria(db, users, orgs, english, backend):
    # 70,000 marks on SQLite; a tenth of the entries on PostgreSQL keeps the suite quick there.
    entries = 1000 if backend == "sqlite" else 100
    outcome = workbook.import_workbook(users["staff"], io.BytesIO(volume_xlsx(entries=entries)))
    assert outcome.ok, outcome.problems[:5]
    assert outcome.counts["scores"] == entries * 70
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == entries * 70
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == entries
    assert len(outcome.created_accounts) == 7
    assert db.session.scalar(sa.select(sa.func.sum(Score.value))) == sum(
        D(str((e * 7 + j * 3 + c) % 100 / 10)) for e in range(entries) for j in range(7) for c in range(10))
