"""The workbook sets everything a competition needs: honour ranks, how many advance from a stage,
award tiers with their prizes (awards sheet), new unit unions (units sheet); and exports a
competition in the same format, so the exported file imports again unchanged."""
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import Organization
from app.audit import AuditEvent
from app.competitions import services, workbook
from app.competitions.models import AwardTier, Competition, Event, Stage
from tests.competitions.test_workbook import TABLES, add, set_cell
from tests.competitions.test_workbook_data import base_sheets, orgs, stream  # noqa: F401 - fixture

D = Decimal

AWARDS = [["event", "name", "places", "minimum", "prize", "rank_prizes"],
          ["HG", "一等奖", 1, None, 10000, None],
          ["HG", "二等奖", "1", None, 8000.5, None],
          ["HG", "三等奖", 0.5, 60, 5000, "3：6000；4:5500"]]  # 0.5 is how Excel keeps a 50% cell


def full_sheets():
    """The valid workbook with honour ranks, advancement, an awards sheet and a units sheet."""
    sheets = base_sheets()
    sheets["events"][0] += ["honour_max_rank"]
    sheets["events"][1] += [3]
    sheets["events"][1][6] = None  # HG's tiers come from the awards sheet
    sheets["stages"][0] += ["advance_count"]
    sheets["stages"][1] += [2]
    sheets["awards"] = [list(row) for row in AWARDS]
    sheets["units"] = [["name", "parent", "short_name"], ["丁工厂工会", "示例区总工会", "丁工厂"]]
    sheets["entries"].append(["HG", "004", "赵四", "丁工厂", None])  # by the new unit's short name
    return sheets


def run(users, sheets):
    return workbook.import_workbook(users["staff"], stream(sheets))


def counts(db):
    return {t.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in (*TABLES, Organization)}


def test_honour_ranks_advancement_prizes_and_new_units_are_imported(db, users, orgs, english):
    outcome = run(users, full_sheets())
    assert outcome.ok, outcome.problems
    welding = db.session.scalars(sa.select(Event).where(Event.code == "HG")).one()
    assert welding.honour_max_rank == 3
    assert [(s.code, s.advance_count) for s in welding.stages] == [("LL", 2), ("SC", None)]
    assert [(t.name, t.count, t.percent, t.minimum, t.prize, t.rank_prizes) for t in welding.award_tiers] == [
        ("一等奖", 1, None, None, D(10000), ""), ("二等奖", 1, None, None, D("8000.50"), ""),
        ("三等奖", None, D(50), D(60), D(5000), "3:6000;4:5500")]
    unit = db.session.scalars(sa.select(Organization).where(Organization.name == "丁工厂工会")).one()
    assert (unit.kind, unit.parent_id, unit.short_name) == ("unit", orgs["district"].id, "丁工厂")
    assert unit.path == f"{orgs['district'].path}{unit.id}/"
    assert [e.unit for e in welding.entries if e.bib == "004"] == [unit]
    assert outcome.counts["units"] == 1
    assert "organization.create" in [a for (a,) in db.session.execute(sa.select(AuditEvent.action))]

    # Blank cells keep what is there; "全部" lets everyone advance again; honour ranks change.
    sheets = full_sheets()
    sheets["stages"][1][4] = None
    sheets["events"][1][10] = None
    assert run(users, sheets).ok
    db.session.expire_all()
    assert (welding.honour_max_rank, welding.stages[0].advance_count) == (3, 2)
    sheets["stages"][1][4] = "全部"
    sheets["events"][1][10] = 5
    assert run(users, sheets).ok
    db.session.expire_all()
    assert (welding.honour_max_rank, welding.stages[0].advance_count) == (5, None)


def test_a_judge_of_the_new_units_parent_union_may_not_score_its_entries(db, users, orgs, english):
    sheets = full_sheets()
    sheets["judges"].append(["HG", "judge4", "评委四", "示例区总工会", "no"])
    sheets["scores"].append(["HG", "004", "judge4", "SC1", 40])
    outcome = run(users, sheets)
    assert not outcome.ok
    assert [(s, r) for s, r, _ in outcome.problems] == [("scores", 20)]
    assert "own unit" in outcome.problems[0][2]


# (id, change to the full workbook, sheet, row, words of the reason)
INVALID = [
    ("honour-rank-zero", set_cell("events", 2, 10, 0), "events", 2, "at least 1"),
    ("honour-rank-text", set_cell("events", 2, 10, "前三"), "events", 2, "not a number"),
    ("advance-negative", set_cell("stages", 2, 4, -3), "stages", 2, "at least 1"),
    ("advance-text", set_cell("stages", 2, 4, "一半"), "stages", 2, "not a number"),
    ("advance-last-stage", lambda s: s["stages"][2].append(5), "stages", 3, "no next stage"),
    ("places-missing", set_cell("awards", 2, 2, None), "awards", 2, "is required"),
    ("places-words", set_cell("awards", 2, 2, "两名"), "awards", 2, "share of the ranked entries"),
    ("places-over-100", set_cell("awards", 3, 2, "120%"), "awards", 3, "percentage"),
    ("tier-name-colon", set_cell("awards", 2, 1, "一等奖:金"), "awards", 2, "cannot contain"),
    ("tier-twice", add("awards", ["HG", "一等奖", 1, None, None, None]), "awards", 5, "more than once (row 2)"),
    ("prize-negative", set_cell("awards", 2, 4, -100), "awards", 2, "at least 0"),
    ("prize-text", set_cell("awards", 2, 4, "一万"), "awards", 2, "not a number"),
    ("rank-prizes", set_cell("awards", 4, 5, "第三名6000"), "awards", 4, "rank:amount"),
    ("rank-prizes-twice", set_cell("awards", 4, 5, "3:6000;3:5000"), "awards", 4, "rank:amount"),
    ("awards-twice", set_cell("events", 2, 6, "一等奖:1"), "awards", 2, "also set on the events sheet (row 2)"),
    ("awards-unknown-event", add("awards", ["XX", "一等奖", 1, None, None, None]), "awards", 5, "is not an event"),
    ("unit-parent-unknown", set_cell("units", 2, 1, "不存在总工会"), "units", 2, "is not a known organisation"),
    ("unit-parent-is-a-unit", set_cell("units", 2, 1, "甲公司工会"), "units", 2, "cannot have organisations"),
    ("unit-elsewhere", add("units", ["甲公司工会", "示例市总工会", None]), "units", 3, "already exists below 示例区总工会"),
    ("unit-twice", add("units", ["丁工厂工会", "示例区总工会", None]), "units", 3, "more than once (row 2)"),
    ("entry-from-a-union", set_cell("entries", 2, 3, "示例区总工会"), "entries", 2, "workplace union"),
]


@pytest.mark.parametrize("change, sheet, row, reason", [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_each_problem_is_reported_on_its_row_and_nothing_is_written(db, users, orgs, english, change, sheet, row,
                                                                    reason):
    sheets = full_sheets()
    change(sheets)
    before = counts(db)
    outcome = run(users, sheets)
    assert not outcome.ok and outcome.competition is None
    assert any(s == sheet and r == row and reason in message for s, r, message in outcome.problems), outcome.problems
    assert counts(db) == before  # not even the new unit of the units sheet


def test_a_running_competition_keeps_its_awards(db, users, orgs, english):
    assert run(users, full_sheets()).ok
    competition = db.session.scalars(sa.select(Competition)).one()
    services.change_status(users["staff"], competition, "registration")
    services.change_status(users["staff"], competition, "running")
    sheets = full_sheets()
    sheets["awards"][2][4] = 9000
    outcome = run(users, sheets)
    assert not outcome.ok and ("awards", 2) in [(s, r) for s, r, _ in outcome.problems]
    assert db.session.scalar(sa.select(AwardTier.prize).where(AwardTier.name == "二等奖")) == D("8000.50")


def test_the_exported_workbook_imports_again_unchanged_and_copies_the_competition(client, db, users, orgs, login,
                                                                                  english):
    assert run(users, full_sheets()).ok
    login("staff")
    response = client.get("/competitions/T2025/workbook.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["比赛", "赛项", "阶段", "评分项", "奖项", "参赛选手", "评委"]
    events = list(book["赛项"].iter_rows(values_only=True))
    assert events[0][-1] == "荣誉名次 honour_max_rank" and events[1][0] == "HG" and events[1][-1] == 3
    assert list(book["阶段"].iter_rows(values_only=True))[1] == ("HG", "LL", "理论知识", 30, 2)
    assert list(book["奖项"].iter_rows(values_only=True))[3] == ("HG", "三等奖", "50%", 60, 5000, "3:6000;4:5500")

    before = counts(db)
    again = workbook.import_workbook(users["staff"], io.BytesIO(response.data))
    assert again.ok, again.problems
    after = counts(db)
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # only the competition.import event
    assert after == before

    copy = load_workbook(io.BytesIO(response.data))
    copy["比赛"]["B2"] = "T2026"
    buffer = io.BytesIO()
    copy.save(buffer)
    outcome = workbook.import_workbook(users["staff"], io.BytesIO(buffer.getvalue()))
    assert outcome.ok, outcome.problems

    def shape(code):
        competition = db.session.scalars(sa.select(Competition).where(Competition.code == code)).one()
        return [(e.code, e.name, e.entry_type, e.team_size, e.trim_at, e.tie_break, e.honour_name, e.honour_max_rank,
                 [(s.code, s.name, s.weight, s.advance_count, [(c.code, c.max_mark, c.kind) for c in s.criteria])
                  for s in e.stages],
                 [(t.name, t.count, t.percent, t.minimum, t.prize, t.rank_prizes) for t in e.award_tiers],
                 sorted((x.bib, x.name, x.unit_id, x.members) for x in e.entries),
                 sorted((m.user_id, m.is_chief) for m in e.panel))
                for e in competition.events]

    assert shape("T2026") == shape("T2025")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stage)) == 6


def test_the_services_refuse_honour_ranks_and_advancement_below_one(db, users, orgs, english):
    from app.errors import DomainError

    assert run(users, full_sheets()).ok
    welding = db.session.scalars(sa.select(Event).where(Event.code == "HG")).one()
    with pytest.raises(DomainError, match="rank 1"):
        services.save_event(users["staff"], welding.competition, welding, code="HG", name="焊工", honour_max_rank=0)
    stage = welding.stages[0]
    with pytest.raises(DomainError, match="At least one entry advances"):
        services.save_stage(users["staff"], welding, stage, code=stage.code, name=stage.name, weight=stage.weight,
                            advance_count=0)


def test_units_sheet_parent_earlier_in_the_sheet_and_blank_parent_make_a_tree(db, users, orgs, english):
    """A blank parent makes a top-level federation; a parent may be a row above (it becomes a district union)."""
    from app.accounts.models import OrgKind, Organization

    sheets = full_sheets()
    sheets["units"] += [["新市总工会", None, None], ["新区总工会", "新市总工会", None], ["新厂工会", "新区总工会", "新厂"]]
    outcome = run(users, sheets)
    assert outcome.ok, outcome.problems
    assert outcome.counts["units"] == 4
    made = {o.name: o for o in db.session.scalars(sa.select(Organization).where(Organization.name.like("新%")))}
    assert (made["新市总工会"].kind, made["新市总工会"].parent) == (OrgKind.FEDERATION, None)
    assert (made["新区总工会"].kind, made["新区总工会"].parent.name) == (OrgKind.DISTRICT, "新市总工会")
    assert (made["新厂工会"].kind, made["新厂工会"].parent.name) == (OrgKind.UNIT, "新区总工会")
    assert made["新厂工会"].path.startswith(made["新区总工会"].path) and made["新区总工会"].path.startswith(
        made["新市总工会"].path)


def test_units_sheet_parent_listed_later_is_unknown(db, users, orgs, english):
    sheets = full_sheets()
    sheets["units"] += [["新厂工会", "新区总工会", None], ["新区总工会", "示例市总工会", None]]
    before = counts(db)
    outcome = run(users, sheets)
    assert not outcome.ok
    assert any(s == "units" and r == 3 and "is not a known organisation" in m for s, r, m in outcome.problems)
    assert counts(db) == before
