"""The annual assessment: grades with the 优秀 cap and ties, rectification, self-assessment pre-fill."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app import audit
from app.errors import DomainError
from app.extensions import db
from app.innovation import assessment, evaluation
from app.innovation.models import ProgrammeKind, StudioStatus
from app.innovation.models_evaluation import Grade, RoundStatus
from app.innovation.models_reports import ReportKind, ReportStatus, StudioReport
from tests.factories import OrganizationFactory
from tests.innovation import assess_helpers as h

FINALS = {"甲": "95", "乙": "90", "丙": "90", "丁": "88", "戊": "70", "己": "65", "庚": "62", "辛": "61",
          "壬": "60", "癸": "50"}


@pytest.fixture()
def scored_round(users):
    """Ten studios scored by one expert on one criterion out of 100: finals as in FINALS."""
    staff = users["staff"]
    unit = OrganizationFactory(name="受评单位")
    for name in FINALS:
        h.studio(unit, name=name)
    round_ = assessment.create_annual_round(staff, name="2025年度考核", year=2025, criteria="Z | 综合 | 100 | 100")
    judge = h.expert()
    seat = evaluation.add_seat(staff, round_, judge)
    for subject in round_.subjects:
        evaluation.save_mark(judge, seat, subject, round_.criteria[0], FINALS[subject.studio.name])
    return round_


def by_name(round_):
    return {s.studio.name: s for s in round_.subjects}


def test_grades_cap_excellent_and_flag_the_tie_at_the_cap(users, scored_round):
    round_ = scored_round
    outcome = assessment.propose_grades(users["staff"], round_)
    assert outcome["cap"] == 2  # floor(20 % × 10)
    subjects = by_name(round_)
    assert subjects["甲"].proposed_grade == Grade.EXCELLENT
    assert subjects["乙"].tied_at_cap and subjects["丙"].tied_at_cap  # both at 90 for the last place
    assert subjects["丁"].proposed_grade == Grade.PASS  # ≥ 85 but beyond the cap
    assert subjects["壬"].proposed_grade == Grade.PASS  # 60 is the pass mark
    assert subjects["癸"].proposed_grade == Grade.FAIL
    assert assessment.places_left(round_) == 1

    with pytest.raises(DomainError):  # staff must choose exactly one of the tied
        assessment.confirm_grades(users["staff"], round_, [subjects["乙"].id, subjects["丙"].id])
    assessment.confirm_grades(users["staff"], round_, [subjects["丙"].id])
    grades = {name: s.grade for name, s in by_name(round_).items()}
    assert grades["甲"] == grades["丙"] == Grade.EXCELLENT
    assert grades["乙"] == Grade.PASS and grades["癸"] == Grade.FAIL
    assert list(grades.values()).count(Grade.EXCELLENT) == 2
    assert round_.status == RoundStatus.CLOSED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(audit.AuditEvent)
                             .where(audit.AuditEvent.action == "innovation.assessment.grade")) == 10


def test_the_cap_is_round_data(users, scored_round):
    scored_round.excellent_cap_percent = Decimal(40)  # 4 places: 95, 90, 90, 88 all fit
    assessment.propose_grades(users["staff"], scored_round)
    subjects = by_name(scored_round)
    assert {n for n, s in subjects.items() if s.proposed_grade == Grade.EXCELLENT} == {"甲", "乙", "丙", "丁"}
    assert not any(s.tied_at_cap for s in subjects.values())


def test_grades_page_lists_the_tied_studios_for_staff(client, login, users, scored_round):
    assessment.propose_grades(users["staff"], scored_round)
    login("staff")
    page = client.get(f"/innovation/assessment/{scored_round.id}/grades").get_data(as_text=True)
    assert page.count('name="tied"') == 2
    login("studio")
    assert client.get(f"/innovation/assessment/{scored_round.id}/grades").status_code == 403


def test_grades_need_complete_scores(users):
    h.studio(OrganizationFactory())
    round_ = assessment.create_annual_round(users["staff"], name="r", year=2025, criteria="Z | z | 100 | 100")
    evaluation.add_seat(users["staff"], round_, h.expert())
    with pytest.raises(DomainError):
        assessment.propose_grades(users["staff"], round_)


def test_rectification_then_passed_recheck_makes_the_studio_active(users):
    staff = users["staff"]
    studio = h.studio(OrganizationFactory())
    today = date(2025, 6, 1)
    rectification = assessment.start_rectification(staff, studio, reason="年度考核不合格", tasks="补齐台账\n\n开展培训",
                                                   deadline=date(2025, 9, 1), today=today)
    assert studio.status == StudioStatus.RECTIFYING and studio.status_note == "年度考核不合格"
    assert rectification.task_list == ["补齐台账", "开展培训"]
    with pytest.raises(DomainError):  # before the deadline
        assessment.recheck(staff, rectification, passed=True, note="已整改", today=date(2025, 8, 31))
    assessment.recheck(staff, rectification, passed=True, note="整改到位", today=date(2025, 9, 2))
    assert studio.status == StudioStatus.ACTIVE and studio.status_note == "" and studio.rectify_deadline is None
    events = db.session.scalars(sa.select(audit.AuditEvent).where(
        audit.AuditEvent.action.in_(["innovation.studio.rectify", "innovation.studio.recheck"]))).all()
    assert len(events) == 2  # the rectification note stays in the history


def test_failed_recheck_revokes_with_public_note_and_withdraws_designations(client, login, users):
    staff = users["staff"]
    studio = h.studio(OrganizationFactory())
    first, second = h.designate(studio, date(2020, 1, 1)), h.designate(studio, date(2022, 1, 1))
    rectification = assessment.start_rectification(staff, studio, reason="一年内无成果", tasks="提交成果",
                                                   deadline=date(2025, 3, 1), today=date(2025, 1, 1))
    assessment.recheck(staff, rectification, passed=False, note="整改期满仍无成果，予以摘牌。",
                       today=date(2025, 3, 5))
    assert studio.status == StudioStatus.REVOKED
    assert studio.status_note == "整改期满仍无成果，予以摘牌。"
    db.session.expire_all()
    assert first.withdrawn_on == second.withdrawn_on == date(2025, 3, 5)
    with pytest.raises(DomainError):
        assessment.recheck(staff, rectification, passed=True, note="x", today=date(2025, 3, 6))


def test_rectification_refuses_bad_input_and_leaves_the_studio_untouched(client, login, users):
    studio = h.studio(OrganizationFactory())
    login("staff")
    response = client.post(f"/innovation/studios/{studio.id}/rectify",
                           data={"reason": "不合格", "tasks": "补台账", "deadline": "2000-01-01"})
    assert response.status_code == 200 and "field-error" in response.get_data(as_text=True)
    db.session.refresh(studio)
    assert studio.status == StudioStatus.ACTIVE
    future = (date.today() + timedelta(days=90)).isoformat()
    response = client.post(f"/innovation/studios/{studio.id}/rectify",
                           data={"reason": "不合格", "tasks": "补台账", "deadline": future})
    assert response.status_code == 303
    db.session.refresh(studio)
    assert studio.status == StudioStatus.RECTIFYING


def test_studios_without_results_in_a_year(users):
    today = date(2025, 6, 1)
    idle = h.studio(OrganizationFactory(), name="无成果")
    reporting = h.studio(OrganizationFactory(), name="有报告")
    awarded = h.studio(OrganizationFactory(), name="有获奖")
    h.studio(OrganizationFactory(), name="新成立", founded_on=date(2025, 1, 1))
    grant = h.programme()
    db.session.add(StudioReport(programme=grant, application=h.funded(grant, reporting), studio=reporting,
                                kind=ReportKind.FINAL, due_on=date(2025, 3, 1), status=ReportStatus.ACCEPTED,
                                accepted_at=sa.func.now()))
    contest = h.programme(kind=ProgrammeKind.ACHIEVEMENT, decided_on=date(2025, 2, 1))
    h.funded(contest, awarded, amount=None)
    db.session.flush()
    names = [s.name for s in db.session.scalars(assessment.without_results(today))]
    assert "无成果" in names
    assert not {"有报告", "有获奖", "新成立"} & set(names)


def test_self_assessment_is_prefilled_from_the_platform(client, login, users):
    from app.training.models import Attempt, Course, Enrolment, EnrolmentStatus, TrainingBase
    from tests.factories import TradeFactory, UserFactory

    leader = users["studio"]
    unit = OrganizationFactory(name="宿主单位")
    studio = h.studio(unit, leader=leader)
    contest = h.programme(kind=ProgrammeKind.ACHIEVEMENT, year=2025)
    h.funded(contest, studio, amount=None, title="焊接夹具改进")
    h.funded(h.programme(year=2025), studio, amount="50000.00")
    base = TrainingBase(code="B1", name="宿主单位实训基地", organization_id=unit.id)
    trade = TradeFactory()
    db.session.add(base)
    db.session.flush()
    course = Course(base_id=base.id, trade_id=trade.id, title="焊工", starts_on=date(2025, 3, 1),
                    ends_on=date(2025, 3, 20), seats=10, status="published")
    db.session.add(course)
    db.session.flush()
    for passed in (True, False):
        enrolment = Enrolment(course_id=course.id, user_id=UserFactory().id, status=EnrolmentStatus.ENROLLED)
        db.session.add(enrolment)
        db.session.flush()
        db.session.add(Attempt(enrolment_id=enrolment.id, number=1, passed=passed))
    db.session.flush()

    round_ = assessment.create_annual_round(users["staff"], name="2025年度考核", year=2025,
                                            criteria="Z | 综合 | 100 | 100")
    subject = next(s for s in round_.subjects if s.studio_id == studio.id)
    login(leader)
    page = client.get(f"/innovation/assessment/subjects/{subject.id}").get_data(as_text=True)
    assert 'data-fact="awarded_achievements">1 (焊接夹具改进)' in page
    assert 'data-fact="funded_grants">1 · 50000.00' in page
    assert 'data-fact="trainees">1<' in page  # only the trainee who passed

    response = client.post(f"/innovation/assessment/subjects/{subject.id}",
                           data={"summary": "本年度完成多项技术革新，带徒培训成效明显。", "action": "submit"})
    assert response.status_code == 303
    db.session.refresh(subject)
    assert subject.self_submitted_at is not None and subject.self_assessment["facts"]["trainees"] == 1

    login(h.leader())  # another studio's leader
    assert client.get(f"/innovation/assessment/subjects/{subject.id}").status_code == 403


def test_staff_and_expert_pages_render(client, login, users, scored_round):
    idle = h.studio(OrganizationFactory(), name="闲置工作室")
    login("staff")
    for url in ("/innovation/rounds/", f"/innovation/rounds/{scored_round.id}", "/innovation/reports/",
                "/innovation/rectifications/", f"/innovation/assessment/{scored_round.id}/grades",
                f"/innovation/studios/{idle.id}/rectify"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "闲置工作室" in client.get("/innovation/rectifications/").get_data(as_text=True)
    login("studio")
    assert client.get("/innovation/my/reports").status_code == 200
    login("judge")
    assert client.get("/innovation/evaluating/").status_code == 200
