"""The competition life cycle through its services: setup, scoring, closing, publishing, appeals."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.competitions import publishing, scoresheets, services, standings
from app.competitions.models import Competition, CompetitionStatus as S, Score, Sheet
from app.db import utcnow
from app.errors import DomainError
from tests.factories import OrganizationFactory, UserFactory

D = Decimal


@pytest.fixture()
def setup(db, users, english):
    """A two-stage welding event: 6 entries from 3 units, 5 judges (one from unit A), a chief."""
    staff = users["staff"]
    city = OrganizationFactory(name="比赛市总", kind="federation")
    district = OrganizationFactory(name="比赛区总", kind="district", parent=city)
    units = [OrganizationFactory(name=f"比赛单位{n}", kind="unit", parent=district) for n in "ABC"]
    competition = services.save_competition(staff, None, code="cup", name="海河工匠杯", edition="第一届", year=2026,
                                            organisers="市总工会", starts_on=None, ends_on=None,
                                            appeal_window_hours=2)
    event = services.save_event(staff, competition, None, code="HG", name="焊工", trade_id=None,
                                entry_type="individual", trim_at=5, tie_break="", blind=False,
                                honour_name="推荐五一劳动奖章", honour_max_rank=1)
    theory = services.save_stage(staff, event, None, code="theory", name="理论", weight=D(30))
    practical = services.save_stage(staff, event, None, code="practical", name="实操", weight=D(70))
    services.save_event(staff, competition, event, code="HG", name="焊工", trade_id=None, entry_type="individual",
                        trim_at=5, tie_break="practical,theory", blind=False, honour_name="推荐五一劳动奖章",
                        honour_max_rank=1)
    exam = services.save_criterion(staff, theory, None, code="T1", name="理论考试", max_mark=D(100), kind="measurement")
    quality = services.save_criterion(staff, practical, None, code="P1", name="焊缝质量", max_mark=D(60), kind="judgement")
    safety = services.save_criterion(staff, practical, None, code="P2", name="安全文明", max_mark=D(40), kind="judgement")
    services.set_award_tiers(staff, event, "一等奖:1;二等奖:2;三等奖:3")
    contestants = [UserFactory(name=f"选手{n}") for n in range(6)]
    entries = [services.save_entry(staff, event, None, bib=f"HG{n:02d}", name=f"选手{n}", unit=units[n % 3],
                                   user=contestants[n]) for n in range(6)]
    judges = [UserFactory(name=f"评委{n}", roles=[Role.JUDGE], organization=units[0] if n == 0 else None)
              for n in range(5)]
    chief_user = UserFactory(name="裁判长", roles=[Role.CHIEF_JUDGE])
    members = [services.assign_judge(staff, event, j) for j in judges]
    chief = services.assign_judge(staff, event, chief_user, chief=True)
    services.change_status(staff, competition, "registration")
    services.change_status(staff, competition, "running")
    return dict(staff=staff, competition=competition, event=event, theory=theory, practical=practical, exam=exam,
                quality=quality, safety=safety, entries=entries, judges=judges, members=members, chief=chief,
                chief_user=chief_user, units=units)


def score_everything(s, quality=None):
    """Every judge marks every entry they may; entry n gets better with n."""
    for n, entry in enumerate(s["entries"]):
        scoresheets.save_mark(s["chief_user"], s["chief"], entry, s["exam"], str(60 + n * 5))
        for j, (judge, member) in enumerate(zip(s["judges"], s["members"])):
            if member.conflicts_with(entry):
                continue
            value = quality(n, j) if quality else 40 + n + j
            scoresheets.save_mark(judge, member, entry, s["quality"], str(value))
            scoresheets.save_mark(judge, member, entry, s["safety"], "30")


def sign_everything(s):
    for judge, member in zip(s["judges"], s["members"]):
        scoresheets.sign(judge, member, s["practical"])
    scoresheets.sign(s["chief_user"], s["chief"], s["theory"])


def test_conflicted_judge_cannot_score_and_is_not_expected(setup):
    s = setup
    unit_a_entry = s["entries"][0]
    with pytest.raises(DomainError, match="own unit"):
        scoresheets.save_mark(s["judges"][0], s["members"][0], unit_a_entry, s["quality"], "50")
    result = standings.compute(s["event"].id)
    assert s["judges"][0].id not in result.expected[unit_a_entry.id]
    assert s["judges"][0].id in result.expected[s["entries"][1].id]


@pytest.mark.parametrize("raw, message", [("61", "60"), ("-1", "negative"), ("12.345", "2 decimal"),
                                          ("abc", "number")])
def test_marks_are_validated(setup, raw, message):
    s = setup
    with pytest.raises(DomainError, match=message):
        scoresheets.save_mark(s["judges"][1], s["members"][1], s["entries"][1], s["quality"], raw)


def test_saving_a_cell_twice_updates_it(setup, db):
    s = setup
    judge, member, entry = s["judges"][1], s["members"][1], s["entries"][1]
    scoresheets.save_mark(judge, member, entry, s["quality"], "50")
    scoresheets.save_mark(judge, member, entry, s["quality"], "55.5")
    rows = db.session.query(Score).filter_by(judge_id=judge.id, entry_id=entry.id, criterion_id=s["quality"].id).all()
    assert [r.value for r in rows] == [D("55.5")]
    scoresheets.save_mark(judge, member, entry, s["quality"], "")
    assert db.session.query(Score).filter_by(judge_id=judge.id, entry_id=entry.id).count() == 0


def test_judges_and_chief_enter_different_kinds(setup):
    s = setup
    with pytest.raises(DomainError, match="chief judge"):
        scoresheets.save_mark(s["judges"][1], s["members"][1], s["entries"][1], s["exam"], "80")
    with pytest.raises(DomainError):
        scoresheets.save_mark(s["chief_user"], s["chief"], s["entries"][1], s["quality"], "50")


def test_full_cycle_ranks_awards_and_publishes(setup, db):
    s = setup
    score_everything(s)
    with pytest.raises(DomainError, match="not signed"):
        services.change_status(s["staff"], s["competition"], "scoring_closed")
    sign_everything(s)
    with pytest.raises(DomainError, match="signed and locked"):
        scoresheets.save_mark(s["judges"][1], s["members"][1], s["entries"][1], s["quality"], "1")
    services.change_status(s["staff"], s["competition"], "scoring_closed")

    result = standings.compute(s["event"].id)
    by_bib = {r.entry.bib: r for r in result.rows}
    # Entry 5: theory 85 → 25.5; practical judges 45..49 (+30 safety): 5 judges → trimmed mean of 46,47,48 = 47.
    best = by_bib["HG05"]
    assert best.result.criteria[s["quality"].id].value == D(47)
    detail, marks = standings.entry_detail(result, best.entry)
    assert detail.final == best.result.final  # mark by mark: the same result, and which marks were dropped
    assert set(detail.criteria[s["quality"].id].dropped_judge_ids) == {s["judges"][0].id, s["judges"][4].id}
    assert len(marks[(best.entry.id, s["quality"].id)]) == 5
    assert best.result.final == D("25.50") + D("53.90")  # 30% × 85 + 70% × 77
    assert best.rank == 1 and best.tier == "一等奖" and best.honours == ("推荐五一劳动奖章",)
    # Unit A entries were judged by 4 judges only: no trimming there.
    unit_a, _ = standings.entry_detail(result, by_bib["HG00"].entry)
    assert unit_a.criteria[s["quality"].id].dropped_judge_ids == ()
    assert [r.rank for r in result.rows] == [1, 2, 3, 4, 5, 6]
    assert [r.tier for r in result.rows] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"]

    publishing.publish_provisional(s["staff"], s["competition"])
    assert s["competition"].status == S.PROVISIONAL and s["competition"].appeals_open()
    snapshot = publishing.latest_snapshot(s["competition"].id)
    assert snapshot.data["events"][0]["rows"][0]["bib"] == "HG05" and not snapshot.final
    assert snapshot.data["medals_by_unit"]["tiers"] == ["一等奖", "二等奖", "三等奖"]

    with pytest.raises(DomainError, match="appeal window"):
        publishing.publish_final(s["staff"], s["competition"])


def test_appeal_upheld_unlocks_and_correction_changes_results(setup, db):
    s = setup
    score_everything(s)
    sign_everything(s)
    services.change_status(s["staff"], s["competition"], "scoring_closed")
    publishing.publish_provisional(s["staff"], s["competition"])

    contestant_entry = s["entries"][1]
    contestant = contestant_entry.user
    with pytest.raises(DomainError, match="Only the contestant"):
        publishing.lodge_appeal(s["entries"][2].user, contestant_entry, "我的实操成绩有误，请复核。")
    appeal = publishing.lodge_appeal(contestant, contestant_entry, "我的实操成绩有误，请复核。")
    with pytest.raises(DomainError, match="already"):
        publishing.lodge_appeal(contestant, contestant_entry, "再申诉一次可以吗？")
    with pytest.raises(DomainError, match="chief judge"):
        publishing.resolve_appeal(s["judges"][1], appeal, upheld=False, resolution="不成立")

    sheet = db.session.query(Sheet).filter_by(member_id=s["members"][2].id, stage_id=s["practical"].id).one()
    publishing.resolve_appeal(s["chief_user"], appeal, upheld=True, resolution="评委2录入错误", sheets=[sheet])
    assert sheet.signed_at is None and sheet.unlock_reason == "评委2录入错误"
    scoresheets.save_mark(s["judges"][2], s["members"][2], contestant_entry, s["quality"], "60")
    scoresheets.sign(s["judges"][2], s["members"][2], s["practical"])

    s["competition"].appeal_deadline = utcnow() - timedelta(minutes=1)  # the window has passed
    publishing.publish_final(s["staff"], s["competition"])
    assert s["competition"].status == S.PUBLISHED
    final = publishing.latest_snapshot(s["competition"].id, final_only=True)
    assert final.final and final.version == 2


def test_unpublish_and_republish_needs_a_reason(setup, db):
    s = setup
    score_everything(s)
    sign_everything(s)
    services.change_status(s["staff"], s["competition"], "scoring_closed")
    publishing.publish_provisional(s["staff"], s["competition"])
    s["competition"].appeal_deadline = utcnow() - timedelta(minutes=1)  # 公示 is over (it lasts at least 24 h)
    publishing.publish_final(s["staff"], s["competition"])
    with pytest.raises(DomainError):
        scoresheets.unlock(s["chief_user"], db.session.query(Sheet).first(), "改分")  # published: unpublish first
    with pytest.raises(DomainError, match="why"):
        publishing.unpublish(s["staff"], s["competition"], "")
    publishing.unpublish(s["staff"], s["competition"], "发现录入错误")
    sheet = db.session.query(Sheet).filter_by(member_id=s["members"][3].id).one()
    scoresheets.unlock(s["chief_user"], sheet, "评委3录入错误")
    with pytest.raises(DomainError):
        publishing.publish_final(s["staff"], s["competition"], "更正")  # a sheet is unsigned
    scoresheets.save_mark(s["judges"][3], s["members"][3], s["entries"][0], s["quality"], "10")
    scoresheets.sign(s["judges"][3], s["members"][3], s["practical"])
    with pytest.raises(DomainError, match="republished"):
        publishing.publish_final(s["staff"], s["competition"], "")
    publishing.publish_final(s["staff"], s["competition"], "评委3录入错误已更正")
    snapshot = publishing.latest_snapshot(s["competition"].id)
    assert snapshot.reason == "评委3录入错误已更正" and s["competition"].first_published_at < s["competition"].published_at


def test_incomplete_entry_blocks_closing(setup):
    s = setup
    score_everything(s)
    with pytest.raises(DomainError, match="fill them"):
        from app.competitions.models import Score as ScoreRow
        from app.extensions import db

        db.session.query(ScoreRow).filter_by(entry_id=s["entries"][4].id, judge_id=s["judges"][1].id).delete()
        scoresheets.sign(s["judges"][1], s["members"][1], s["practical"])
    result = standings.compute(s["event"].id)
    assert [r.entry.bib for r in result.incomplete] == ["HG04"]
    assert next(r for r in result.rows if r.entry.bib == "HG04").rank is None


def test_status_transitions_are_enforced(setup, db):
    s = setup
    with pytest.raises(DomainError):
        services.change_status(s["staff"], s["competition"], "published")
    with pytest.raises(DomainError):
        services.change_status(s["staff"], s["competition"], "draft")
    with pytest.raises(DomainError, match="marking scheme"):
        services.save_stage(s["staff"], s["event"], None, code="extra", name="加赛", weight=D(0))


def test_advancement_keeps_ties_with_the_nth(setup, db):
    s = setup
    s["theory"].advance_count = 2
    for n, entry in enumerate(s["entries"]):
        scoresheets.save_mark(s["chief_user"], s["chief"], entry, s["exam"], ["70", "90", "80", "80", "50", "60"][n])
    going_on = services.apply_advancement(s["staff"], s["theory"])
    kept = sorted(e.bib for e in s["entries"] if e.id in going_on)
    assert kept == ["HG01", "HG02", "HG03"]  # 90, then two tied at 80
    stopped = s["entries"][0]
    assert stopped.eliminated_stage_id == s["theory"].id
    with pytest.raises(DomainError, match="advance"):
        scoresheets.save_mark(s["judges"][1], s["members"][1], stopped, s["quality"], "50")


def test_one_chief_per_event_and_roles_checked(setup, db):
    s = setup
    other_chief = UserFactory(roles=[Role.CHIEF_JUDGE])
    with pytest.raises(DomainError, match="already has a chief"):
        services.assign_judge(s["staff"], s["event"], other_chief, chief=True)
    trainee = UserFactory(roles=[Role.TRAINEE])
    with pytest.raises(DomainError, match="role"):
        services.assign_judge(s["staff"], s["event"], trainee)


def test_reserved_and_duplicate_codes(setup, db):
    s = setup
    with pytest.raises(DomainError, match="reserved"):
        services.save_competition(s["staff"], None, code="manage", name="x", year=2026)
    with pytest.raises(DomainError, match="code"):
        services.save_competition(s["staff"], None, code="cup", name="x", year=2026)
    assert db.session.query(Competition).count() == 1
