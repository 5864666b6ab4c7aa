"""Goals close themselves from a real training certificate and a real published competition award;
independent operation is closed by hand; the studio fact counts a member master's apprentices."""
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app import person_facts, studio_facts
from app.accounts.models import Role
from app.apprenticeship import goals, tasks
from app.audit import AuditEvent
from app.competitions.models import AwardCertificate
from app.extensions import db as _db
from app.training import services as training
from app.training.models import Certificate
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.competitions.conftest import build
from tests.competitions.results_helpers import TIED, close_scoring, publish_final, publish_provisional, score
from tests.factories import TradeFactory, UserFactory
from tests.training.conftest import hold, make_course

D = Decimal


def test_goals_close_from_certificates_and_competition_awards(db, client, login, users):
    staff = users["staff"]
    cup = build(staff)
    winner = cup["entries"][2]  # first place in the TIED marks
    t = tree()
    trade = TradeFactory()
    master = make_master(t["unit"], trade)
    apprentice = make_apprentice(t["unit"], trade, user=winner.user)
    today = date.today()
    due = today + timedelta(days=200)
    ag = make_agreement(make_programme(), master, apprentice, starts_on=today - timedelta(days=60),
                        goals=[("certificate", "焊工证书", due), ("skill_level", "达到五级", due),
                               ("skill_level", "达到三级", due), ("competition", "竞赛获奖", due),
                               ("innovation", "五小成果", due), ("independent_operation", "独立上岗", due)])
    ag.goals[1].target_level, ag.goals[2].target_level = 5, 3

    # a real certificate of a grade-5 course, and a real first place in published results
    course = make_course(staff, title="焊工（初级）培训班")
    enrolment = training.enrol(winner.user, course)
    hold(course)
    training.record_attempt(staff, enrolment, theory=D(80), practical=D(90), rate=D(100))
    training.issue_certificates(staff, course)
    score(cup, TIED)
    close_scoring(cup, staff)
    publish_provisional(cup, staff)
    publish_final(cup, staff)
    certificate = _db.session.scalar(sa.select(Certificate).where(Certificate.user_id == winner.user_id))
    award = _db.session.scalar(sa.select(AwardCertificate).where(AwardCertificate.entry_id == winner.id))
    assert award is not None and certificate is not None

    found = person_facts.evidence([winner.user_id], ag.starts_on, ag.ends_on)
    assert {(e.kind, e.level, e.placed) for e in found} == {("training.certificate", 5, False),
                                                            ("competitions.result", None, True)}

    city_staff = UserFactory(organization=t["city"], roles=[Role.STAFF])
    login(city_staff)
    response = client.post(f"/apprenticeship/agreements/{ag.id}/check-evidence?lang=en", follow_redirects=True)
    assert "3 goals closed" in response.get_data(as_text=True)
    _db.session.refresh(ag)
    by_target = {g.target: g for g in ag.goals}
    assert by_target["焊工证书"].evidence == "焊工（初级）培训班" and by_target["焊工证书"].evidence_ref == certificate.verify_code
    assert by_target["达到五级"].achieved_on == certificate.awarded_on
    assert by_target["竞赛获奖"].evidence_ref == award.verify_code and "一等奖" in by_target["竞赛获奖"].evidence
    assert not any(by_target[t].achieved for t in ("达到三级", "五小成果", "独立上岗"))
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "apprenticeship.goal.achieve")) == 3
    assert tasks.run_daily() == (0, 0)  # the daily round finds nothing more

    # the master closes independent operation by hand, never a skill level
    login(master.user)
    html = client.get(f"/apprenticeship/agreements/{ag.id}?lang=en").get_data(as_text=True)
    assert "Close by hand" in html
    client.post(f"/apprenticeship/agreements/{ag.id}/goals/{by_target['达到三级'].id}/close",
                data={"note": "我说达到了", "achieved_on": today.isoformat()})
    client.post(f"/apprenticeship/agreements/{ag.id}/goals/{by_target['独立上岗'].id}/close",
                data={"note": "已独立操作数控车床", "achieved_on": today.isoformat()})
    _db.session.refresh(ag)
    by_target = {g.target: g for g in ag.goals}
    assert not by_target["达到三级"].achieved
    assert by_target["独立上岗"].achieved_on == today and by_target["独立上岗"].evidence == "已独立操作数控车床"

    # the studio fact: one apprentice this year under a master who is a studio member
    ref = studio_facts.StudioRef(studio_id=1, host_unit_id=t["unit"].id, host_unit_path=t["unit"].path,
                                 member_user_ids=(master.user_id,), year=today.year)
    assert studio_facts.collect(ref)["apprentices"] == 1
    earlier = studio_facts.StudioRef(1, t["unit"].id, t["unit"].path, (master.user_id,), today.year - 3)
    assert studio_facts.collect(earlier)["apprentices"] == 0


def test_an_innovation_award_of_the_apprentices_team_closes_the_innovation_goal(db, users):
    from app.db import utcnow
    from app.innovation import contest
    from app.innovation.models import Application, TeamMember
    from tests.innovation.contest_helpers import import_contest

    programme = import_contest()
    t = tree()
    trade = TradeFactory()
    apprentice = make_apprentice(t["unit"], trade)
    application = _db.session.scalar(sa.select(Application).where(Application.programme_id == programme.id,
                                                                  Application.number == "S1"))
    _db.session.add(TeamMember(application=application, position=9, name=apprentice.user.name,
                               contribution=D(10), user_id=apprentice.user_id))
    contest.publish(users["staff"], programme, final=False, hours=24)
    contest.publish(users["staff"], programme, final=True, now=utcnow() + timedelta(hours=25))
    ag = make_agreement(make_programme(), make_master(t["unit"], trade), apprentice,
                        starts_on=date.today() - timedelta(days=30),
                        goals=[("innovation", "五小成果获奖", date.today() + timedelta(days=100)),
                               ("competition", "竞赛获奖", date.today() + timedelta(days=100))])
    closed = goals.close_goals_from_evidence([ag])
    assert [g.target for g in closed] == ["五小成果获奖"]
    assert "成果S1" in closed[0].evidence and closed[0].evidence_ref.startswith("innovation.")
