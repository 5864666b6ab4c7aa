"""The commendation cycle end to end: nominations from completed agreements (within the staff's
coverage), the check, effect evaluation, expert review with a conflict of interest, ranking into
the programme's tiers with a tie at the cut, 公示 with an objection, final publication with
certificates and prize money."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import notifications
from app.accounts.models import OrgKind, Role
from app.apprenticeship import commendation, commendation_review
from app.apprenticeship.models_commendation import (
    CommendationCertificate,
    CommendationCycle,
    CommendationObjection,
    CommendationPrize,
    CycleStage,
    Nomination,
    NominationStatus,
)
from app.db import utcnow
from app.errors import DomainError
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import OrganizationFactory, TradeFactory, UserFactory

TIERS = [{"name": "一等奖", "count": 1, "prize": "3000"}, {"name": "二等奖", "count": 1, "prize": "2000"},
         {"name": "三等奖", "count": 2, "prize": "1000"}]
# Per completed agreement: its unit key, grade, and the marks every expert gives (带徒成效, 技艺传承, 创新成果, 示范作用).
PAIRS = [("unit", "excellent", ("38", "28", "19", "10")),  # 95
         ("unit", "pass", ("36", "27", "18", "9")),  # 90
         ("other_unit", "excellent", ("34", "26", "17", "8")),  # 85
         ("other_unit", "excellent", ("32", "24", "16", "8")),  # 80
         ("other_unit", "pass", ("32", "24", "16", "8")),  # 80: tied with the one above at 三等奖's cut
         ("other_unit", "pass", ("30", "20", "10", "5"))]  # returned at the check


def staff(org, name):
    return UserFactory(name=name, organization=org, roles=[Role.STAFF])


def world():
    t = tree()
    trade = TradeFactory()
    programme = make_programme(code="CMD2026", organiser=t["city"], public_vote=True, commendation_tiers=TIERS)
    agreements = []
    for i, (unit_key, grade, _marks) in enumerate(PAIRS):
        unit = t[unit_key]
        master = make_master(unit, trade, user=UserFactory(name=f"王师傅{i}", organization=unit, roles=[Role.MENTOR]))
        apprentice = make_apprentice(unit, trade, user=UserFactory(name=f"李小徒{i}", organization=unit))
        agreements.append(make_agreement(programme, master, apprentice, status="completed", grade=grade,
                                         goals=[("skill_level", "四级", utcnow().date())]))
    agreements[0].goals[0].achieved_on = utcnow().date()
    # Not nominable: in force, and completed with 不合格.
    for status, grade in (("active", None), ("completed", "fail")):
        make_agreement(programme, make_master(t["unit"], trade), make_apprentice(t["unit"], trade), status=status,
                       grade=grade)
    experts_org = OrganizationFactory(name="表彰专家库", kind=OrgKind.FEDERATION)
    experts = [UserFactory(name=f"专家{i}", organization=experts_org, roles=[Role.JUDGE]) for i in range(2)]
    experts.append(UserFactory(name="甲厂专家", organization=t["unit"], roles=[Role.JUDGE]))  # conflicted with 甲厂
    return t, programme, agreements, experts


def count_queries(db, client, url):
    statements = []

    def listener(*args):
        statements.append(args[2])

    sa.event.listen(db.engines[None], "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engines[None], "before_cursor_execute", listener)
    return len(statements)


def test_the_whole_cycle_from_completed_agreements_to_published_awards(app, client, db, login, monkeypatch):
    t, programme, agreements, experts = world()
    city, district = staff(t["city"], "市总干部"), staff(t["district"], "区总干部")
    unit_staff, other_staff = staff(t["unit"], "甲厂干部"), staff(t["other_unit"], "乙厂干部")

    login(city)
    response = client.post("/apprenticeship/manage/commendations/", data={
        "programme_id": programme.id, "title": "2025–2026 年度优秀师徒表彰"})
    assert response.status_code == 303
    cycle = db.session.scalar(sa.select(CommendationCycle))
    code = cycle.code
    assert [c.name for c in cycle.criteria] == ["带徒成效", "技艺传承", "创新成果", "示范作用"]

    # The nomination page reads its facts in a fixed number of queries: 2 candidates or 6, the same.
    login(district)
    six = count_queries(db, client, f"/apprenticeship/manage/commendations/{code}/nominate")
    login(unit_staff)
    assert count_queries(db, client, f"/apprenticeship/manage/commendations/{code}/nominate") == six

    # 推荐: a unit's staff see only their own unit's completed (优秀 / 合格) agreements.
    login(unit_staff)
    page = client.get(f"/apprenticeship/manage/commendations/{code}/nominate?lang=en").get_data(as_text=True)
    assert f'candidate-{agreements[0].id}"' in page and f'candidate-{agreements[1].id}"' in page
    assert f'candidate-{agreements[2].id}"' not in page  # another unit's
    assert page.count('data-testid="candidate-') == 2  # not the active one, not the 不合格 one
    assert "1/1" in page  # goals achieved, from the platform's own facts
    deeds = "师徒同心，三年攻克焊接难题，徒弟考取四级证书。"
    response = client.post(f"/apprenticeship/manage/commendations/{code}/nominate?lang=en",
                           data={"agreement_id": agreements[2].id, "deeds": deeds})
    assert "You can only nominate agreements of units you cover." in response.get_data(as_text=True)
    for agreement in agreements[:2]:
        assert client.post(f"/apprenticeship/manage/commendations/{code}/nominate",
                           data={"agreement_id": agreement.id, "deeds": deeds}).status_code == 303
    login(other_staff)
    for agreement in agreements[2:]:
        assert client.post(f"/apprenticeship/manage/commendations/{code}/nominate",
                           data={"agreement_id": agreement.id, "deeds": deeds}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 6

    login(city)
    client.post(f"/apprenticeship/manage/commendations/{code}/advance")
    assert db.session.get(CommendationCycle, cycle.id).stage == CycleStage.CHECKING

    # 审核 by the district: a unit's staff cannot; returning needs a reason.
    login(unit_staff)
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/1/check", data={"decision": "accept"})
    assert commendation.nomination_by_number(cycle, 1).status == NominationStatus.NOMINATED
    login(district)
    for number in range(1, 6):
        client.post(f"/apprenticeship/manage/commendations/{code}/nominations/{number}/check",
                    data={"decision": "accept"})
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/6/check", data={"decision": "return"})
    assert commendation.nomination_by_number(cycle, 6).status == NominationStatus.NOMINATED
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/6/check",
                data={"decision": "return", "reason": "事迹材料不完整"})
    assert commendation.nomination_by_number(cycle, 6).status == NominationStatus.RETURNED
    # The unit's staff see the reason and put it forward again; the district returns it once more.
    login(other_staff)
    assert "事迹材料不完整" in client.get(f"/apprenticeship/manage/commendations/{code}/nominate").get_data(as_text=True)
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/6/resubmit",
                data={"deeds": deeds + "补充：徒弟获区技能竞赛三等奖。"})
    assert commendation.nomination_by_number(cycle, 6).status == NominationStatus.NOMINATED
    login(district)
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/6/check",
                data={"decision": "return", "reason": "事迹材料不完整"})
    assert commendation.nomination_by_number(cycle, 6).status == NominationStatus.RETURNED
    client.post(f"/apprenticeship/manage/commendations/{code}/nominations/1/effect",
                data={"rating": "outstanding", "note": "带出三名技师"})
    checking = client.get(f"/apprenticeship/manage/commendations/{code}?lang=en").get_data(as_text=True)
    assert "Outstanding effect — 带出三名技师" in checking and "Returned: 事迹材料不完整" in checking
    assert commendation.nomination_by_number(cycle, 1).effect_note == "带出三名技师"

    login(city)
    client.post(f"/apprenticeship/manage/commendations/{code}/advance")
    assert db.session.get(CommendationCycle, cycle.id).stage == CycleStage.VOTING
    voter = UserFactory(organization=t["unit"])
    login(voter)
    assert client.post(f"/apprenticeship/commendations/{code}/vote/3").status_code == 303
    client.post(f"/apprenticeship/commendations/{code}/vote/3")
    assert commendation.vote_counts(cycle) == {commendation.nomination_by_number(cycle, 3).id: 1}

    login(city)
    client.post(f"/apprenticeship/manage/commendations/{code}/advance")
    assert db.session.get(CommendationCycle, cycle.id).stage == CycleStage.REVIEWING
    for i, expert in enumerate(experts):
        client.post(f"/apprenticeship/manage/commendations/{code}/seats",
                    data={"username": expert.username, **({"is_chief": "y"} if i == 0 else {})})
    refused = client.post(f"/apprenticeship/manage/commendations/{code}/seats?lang=en",
                          data={"username": unit_staff.username}).get_data(as_text=True)
    assert "Choose a user with the judge or chief judge role." in refused

    def sheets_to_sign(user):
        with app.test_request_context("/?lang=en"):
            return [t.count for t in notifications.todos_for(user) if str(t.label) == "Commendation score sheets to sign"]

    assert sheets_to_sign(experts[0]) == [1]

    # Expert review: the grid shows the accepted nominations; the 甲厂 expert cannot score 甲厂's pairs.
    criteria = cycle.criteria
    accepted = {n.number: n for n in commendation.nominations(cycle, statuses=[NominationStatus.ACCEPTED])}
    conflicted = experts[2]
    login(conflicted)
    grid = client.get(f"/apprenticeship/commendation-review/{code}?lang=en").get_data(as_text=True)
    assert "2 nominations from your own organisation or below it are not yours to score." in grid
    response = client.post(f"/apprenticeship/commendation-review/{code}/cells?lang=en",
                           data={f"v-{accepted[1].id}-{criteria[0].id}": "30"})
    assert "An expert cannot score a nomination from their own organisation" in response.get_data(as_text=True)
    for expert in experts:
        login(expert)
        marks = {f"v-{accepted[n].id}-{c.id}": PAIRS[n - 1][2][k] for n in accepted for k, c in enumerate(criteria)
                 if not (expert is conflicted and accepted[n].unit_id == t["unit"].id)}
        assert client.post(f"/apprenticeship/commendation-review/{code}", data=marks).status_code == 303
        assert client.post(f"/apprenticeship/commendation-review/{code}/sign").status_code == 303
    assert sheets_to_sign(experts[0]) == []
    # Staff reopen a signed sheet with a reason; the expert signs again.
    login(city)
    sheet = commendation_review.sheets(cycle)[commendation_review.seat_of(cycle, experts[0]).id]
    client.post(f"/apprenticeship/commendation-review/sheets/{sheet.id}/unlock", data={"reason": "复核一处笔误"})
    assert sheets_to_sign(experts[0]) == [1]
    login(experts[0])
    client.post(f"/apprenticeship/commendation-review/{code}/sign")
    assert sheets_to_sign(experts[0]) == []
    login(conflicted)
    locked = client.post(f"/apprenticeship/commendation-review/{code}/cells?lang=en",
                         data={f"v-{accepted[3].id}-{criteria[0].id}": "1"}).get_data(as_text=True)
    assert "This sheet is signed and locked." in locked

    # Ranking: tiers 1 / 1 / 2 with #4 and #5 tied at 三等奖's cut: both get it, flagged.
    result = commendation.standings(cycle)
    assert [(r.nomination.number, r.rank, r.final, r.tier) for r in result.rows] == [
        (1, 1, Decimal("95.00"), "一等奖"), (2, 2, Decimal("90.00"), "二等奖"), (3, 3, Decimal("85.00"), "三等奖"),
        (4, 4, Decimal("80.00"), "三等奖"), (5, 4, Decimal("80.00"), "三等奖")]
    assert [r.nomination.number for r in result.ties_at_cut] == [4, 5]
    assert result.rows[2].votes == 1
    login(city)
    manage = client.get(f"/apprenticeship/manage/commendations/{code}?lang=en").get_data(as_text=True)
    assert 'data-testid="ties-at-cut"' in manage and "004, 005" in manage
    assert "Publish the public notice (公示)" in manage
    login(experts[0])
    assert "2025–2026 年度优秀师徒表彰" in client.get("/apprenticeship/commendation-review/").get_data(as_text=True)
    login(city)

    # 公示 with an objection window; an objection; the final publication waits for the window and the decision.
    assert client.post(f"/apprenticeship/manage/commendations/{code}/publish", data={"hours": "48"}).status_code == 303
    assert db.session.get(CommendationCycle, cycle.id).stage == CycleStage.PUBLICITY
    notice = client.get(f"/apprenticeship/commendations/{code}?lang=en").get_data(as_text=True)
    assert "王**0" in notice and "李**0" in notice and "王师傅0" not in notice
    monkeypatch.setitem(app.config, "OBJECTION_RATE_LIMIT", "1 per hour")
    login(voter)
    assert client.post(f"/apprenticeship/commendations/{code}/objections",
                       data={"nomination": accepted[5].id, "text": "该徒弟未实际参加带徒活动"}).status_code == 303
    assert client.post(f"/apprenticeship/commendations/{code}/objections",
                       data={"nomination": accepted[4].id, "text": "再提一条异议试试看"}).status_code == 429
    objection = db.session.scalar(sa.select(CommendationObjection))
    assert objection.is_open
    cycle = db.session.get(CommendationCycle, cycle.id)
    later = utcnow() + timedelta(hours=49)
    with app.test_request_context("/?lang=en"):
        with pytest.raises(DomainError, match="The objection window is still open."):
            commendation.publish(city, cycle, final=True, now=utcnow())
        with pytest.raises(DomainError, match="Decide every objection before the final publication."):
            commendation.publish(city, cycle, final=True, now=later)
    login(city)
    client.post(f"/apprenticeship/manage/commendations/{code}/objections/{objection.id}",
                data={"upheld": "0", "resolution": "经核实带徒记录完整，异议不成立"})
    with app.test_request_context("/"):
        commendation.publish(city, db.session.get(CommendationCycle, cycle.id), final=True, now=later)
    db.session.commit()

    # 表彰: a certificate and the tier's prize for each person of the five awarded pairs.
    assert db.session.get(CommendationCycle, cycle.id).stage == CycleStage.PUBLISHED
    certificates = db.session.scalars(sa.select(CommendationCertificate)).all()
    assert len(certificates) == 10
    prizes = db.session.scalars(sa.select(CommendationPrize)).all()
    assert sorted((p.tier, p.amount) for p in prizes) == sorted(
        [("一等奖", Decimal("3000.00"))] * 2 + [("二等奖", Decimal("2000.00"))] * 2 + [("三等奖", Decimal("1000.00"))] * 6)
    results = client.get(f"/apprenticeship/commendations/{code}?lang=en").get_data(as_text=True)
    assert "Published results" in results and 'data-testid="awarded-005"' in results
    assert 'data-testid="awarded-006"' not in results
    assert "Commended masters and apprentices" in client.get("/apprenticeship/?lang=en").get_data(as_text=True)

    assert client.get(f"/apprenticeship/manage/commendations/{code}").status_code == 200
    assert client.get("/apprenticeship/manage/commendations/").status_code == 200
    assert "2025–2026 年度优秀师徒表彰" in client.get("/apprenticeship/commendations/").get_data(as_text=True)
    assert client.get(f"/apprenticeship/manage/commendations/{code}/prizes").status_code == 200
    paid = prizes[0]
    assert client.post(f"/apprenticeship/manage/commendations/{code}/prizes/{paid.id}/paid",
                       data={"paid_on": "2026-12-01"}).status_code == 303
    book = load_workbook(io.BytesIO(client.get(f"/apprenticeship/manage/commendations/{code}/prizes.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 12 and rows[-1][5] == 16000
    assert any(r[6] is not None and str(r[6]).startswith("2026-12-01") for r in rows[1:-1])
