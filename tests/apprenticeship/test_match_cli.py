"""flask apprenticeship import / match through the command line: the OUT workbook's two sheets."""
import sqlalchemy as sa
from openpyxl import load_workbook

from app.apprenticeship import matching
from app.apprenticeship.cli import apprenticeship_cli
from app.apprenticeship.models import (
    ApprenticeProfile,
    DEFAULT_CRITERIA,
    Master,
    PairStatus,
    Programme,
    ProgrammeStatus,
    ProposedPair,
    SameUnit,
    UnmatchedApprentice,
)
from app.accounts.models import User
from tests.apprenticeship.helpers import EXPECTED_PAIRS, EXPECTED_UNMATCHED, make_trades, sheets, xlsx


def invoke(app, *args):
    return app.test_cli_runner().invoke(apprenticeship_cli, [str(a) for a in args])


def imported(app, db, tmp_path, data=None):
    make_trades()
    db.session.commit()  # the command rolls back on failure: keep earlier rows out of its reach
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx(data or sheets()))
    result = invoke(app, "import", path)
    assert result.exit_code == 0, result.output
    return result


def read(out):
    book = load_workbook(out)
    pairs = [tuple(r) for r in book["pairs"].iter_rows(values_only=True)]
    unmatched = [tuple(r[:2]) for r in book["unmatched"].iter_rows(values_only=True)]
    return pairs, unmatched


def test_import_then_match_writes_pairs_and_unmatched(app, db, tmp_path):
    result = imported(app, db, tmp_path)
    assert "imported 3 masters and 7 apprentices: 6 units created, 10 accounts created, 3 preferences" in result.output
    out = tmp_path / "pairs.xlsx"
    result = invoke(app, "match", "AP2025", out)
    assert result.exit_code == 0, result.output
    assert "programme AP2025 created and matched: 5 pairs (3 unit, 1 industry, 1 system), 2 unmatched" in result.output
    pairs, unmatched = read(out)
    assert pairs[0] == ("master", "apprentice", "scope", "preference_rank")
    assert pairs[1:] == EXPECTED_PAIRS  # a_chen: own-unit m_zhang wins over the preferred m_li
    assert unmatched == [("apprentice", "reason")] + EXPECTED_UNMATCHED
    programme = matching.programme_by_code("AP2025")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposedPair)
                             .where(ProposedPair.programme_id == programme.id)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnmatchedApprentice)) == 2


def test_a_programme_created_by_match_has_the_default_rules(app, db, tmp_path):
    imported(app, db, tmp_path)
    assert matching.programme_by_code("APNEW") is None
    assert invoke(app, "match", "APNEW", tmp_path / "o.xlsx").exit_code == 0
    programme = matching.programme_by_code("APNEW")
    assert (programme.max_level_gap, programme.same_unit, programme.status) == (None, SameUnit.ANY,
                                                                                ProgrammeStatus.DRAFT)
    assert [(c["name"], c["weight"]) for c in programme.criteria] == [(c["name"], c["weight"])
                                                                      for c in DEFAULT_CRITERIA]
    assert [c["weight"] for c in programme.criteria] == [40, 30, 15, 15]
    # same trade only: a junior master may teach a senior apprentice (a_zhou 五级 … m_zhang 二级 either way)
    rules = matching.rules_of(programme)
    assert rules.allows_gap(-3) and rules.allows_gap(4)


def pair_of(db, programme, username):
    return db.session.scalar(sa.select(ProposedPair).join(ProposedPair.apprentice)
                             .join(User, User.id == ApprenticeProfile.user_id)
                             .where(ProposedPair.programme_id == programme.id, User.username == username))


def test_programme_rules_and_accepted_pairs_are_kept_on_a_rematch(app, db, tmp_path):
    imported(app, db, tmp_path)
    db.session.add(Programme(code="APRULE", name="规则", same_unit=SameUnit.FORBIDDEN, max_level_gap=1))
    db.session.commit()
    out = tmp_path / "o.xlsx"
    assert invoke(app, "match", "APRULE", out).exit_code == 0
    pairs, unmatched = read(out)
    # never the own unit, the master 0-1 grades above: only m_zhang (二级) for the 三级 a_qian / a_feng
    assert pairs[1:] == [("m_zhang", "a_feng", "system", None)]  # equal claims: the earlier record
    assert dict(unmatched[1:]) == {"a_chen": "rules", "a_zhou": "rules", "a_sun": "rules", "a_qian": "masters_full",
                                   "a_wu": "rules", "a_he": "no_master_in_trade"}
    programme = matching.programme_by_code("APRULE")
    pair_of(db, programme, "a_feng").status = PairStatus.ACCEPTED
    db.session.commit()
    assert invoke(app, "match", "APRULE", out).exit_code == 0
    pairs, unmatched = read(out)
    assert pairs[1:] == [("m_zhang", "a_feng", "system", None)]  # accepted: kept, and it holds m_zhang's place
    assert ("a_qian", "masters_full") in unmatched
    assert pair_of(db, programme, "a_feng").status == PairStatus.ACCEPTED


def test_a_rejected_pair_is_not_proposed_again(app, db, tmp_path):
    imported(app, db, tmp_path)
    out = tmp_path / "o.xlsx"
    assert invoke(app, "match", "AP2025", out).exit_code == 0
    programme = matching.programme_by_code("AP2025")
    pair_of(db, programme, "a_wu").status = PairStatus.REJECTED
    db.session.commit()
    assert invoke(app, "match", "AP2025", out).exit_code == 0
    pairs, unmatched = read(out)
    assert not any(p[1] == "a_wu" for p in pairs) and ("a_wu", "rules") in unmatched  # m_wang was the only one
    assert [p for p in pairs[1:] if p[1] != "a_wu"] == [p for p in EXPECTED_PAIRS if p[1] != "a_wu"]


def test_a_refused_import_prints_sheet_row_and_reason_and_writes_the_report(app, db, tmp_path):
    make_trades()
    db.session.commit()
    data = sheets()
    data["masters"][1][4] = 9
    path, report = tmp_path / "people.xlsx", tmp_path / "report.xlsx"
    path.write_bytes(xlsx(data))
    result = invoke(app, "import", path, "--report", report)
    assert result.exit_code != 0
    assert "masters row 2: 等级 level:" in result.output and "nothing was imported" in result.output
    rows = list(load_workbook(report)["masters"].iter_rows(values_only=True))
    assert rows[0][0] == "错误原因 errors" and rows[1][0].startswith("第2行 row 2")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Master)) == 0
