"""Contest pages and services: results page, 公示 and objections, final publication, certificates
verified at /verify/<code>, the public page, online submission with the unit quota and formal check."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import OrgKind, Role
from app.db import utcnow
from app.errors import DomainError
from app.innovation import contest
from app.innovation.models import Application, ApplicationStage, ProgrammeStatus, RecommendationStep, StepAction
from app.innovation.models_contest import ContestCertificate, ContestCertificateStatus
from tests.factories import OrganizationFactory, UserFactory
from tests.innovation.contest_helpers import import_contest


@pytest.fixture()
def wx(db):
    programme = import_contest()
    db.session.commit()
    return programme


def add_team_member(db, programme, number, user):
    from app.innovation.models import TeamMember
    application = db.session.scalar(sa.select(Application).where(Application.programme_id == programme.id,
                                                                 Application.number == number))
    db.session.add(TeamMember(application=application, position=1, name=user.name, contribution=Decimal(100),
                              user_id=user.id))
    db.session.flush()
    return application


def test_staff_results_page_shows_ranks_ties_awards_and_exclusions(client, db, login, wx):
    application = db.session.scalar(sa.select(Application).where(Application.number == "S6"))
    application.ip_dispute = True
    db.session.commit()
    login("staff")
    page = client.get(f"/innovation/manage/contests/{wx.code}").get_data(as_text=True)
    assert "成果S1" in page and "效益" in page  # the tie on 85.00 was decided by 效益
    assert 'id="innovation-contest-excluded"' in page and "成果S6" in page.split('id="innovation-contest-excluded"')[1]
    result = contest.standings(wx)
    assert [(r.rank, r.application.number) for r in result.ranked] == [
        (1, "S1"), (2, "S2"), (3, "S3"), (4, "S4"), (4, "S5"), (6, "S7")]
    assert client.get(f"/innovation/manage/contests/{wx.code}/results.xlsx").status_code == 200


def test_trainee_cannot_open_the_staff_page(client, login, wx):
    login("trainee")
    assert client.get(f"/innovation/manage/contests/{wx.code}").status_code == 403


def test_provisional_then_objection_then_final_with_certificates(app, client, db, users, login, wx, tmp_path):
    staff = users["staff"]
    worker = users["trainee"]
    add_team_member(db, wx, "S1", worker)
    db.session.commit()
    assert client.get(f"/innovation/contests/{wx.code}/results").status_code == 404  # nothing published yet

    snapshot = contest.publish(staff, wx, final=False, hours=1)  # below the minimum: the window is 24 h
    db.session.commit()
    assert wx.results_version == 1 and wx.status == ProgrammeStatus.PUBLICITY
    assert contest.objections_until(snapshot) - snapshot.published_at >= timedelta(hours=24)
    public = client.get(f"/innovation/contests/{wx.code}/results").get_data(as_text=True)
    assert "成果S1" in public and "5000" in public and "公示" in public

    with pytest.raises(DomainError):  # the window is open
        contest.publish(staff, wx, final=True)

    login(worker)
    response = client.post(f"/innovation/contests/{wx.code}/submissions/S1/objection",
                           data={"text": "我认为效益分偏低，请复核。"})
    assert response.status_code == 303
    objection = contest.objections(wx)[0]
    assert objection.is_open and objection.author_id == worker.id
    client.post(f"/innovation/contests/{wx.code}/submissions/S1/objection", data={"text": "再提一次异议内容"})
    assert len(contest.objections(wx)) == 1  # one per submission
    other = users["judge"]
    with pytest.raises(DomainError):  # not on the team
        contest.lodge_objection(other, objection.application, "不是本人提交的异议")

    later = utcnow() + timedelta(hours=25)
    assert contest.open_objections(wx) == 1, contest.objections(wx)
    with pytest.raises(DomainError):  # an objection is still open
        contest.publish(staff, wx, final=True, now=later)
    login("staff")
    client.post(f"/innovation/manage/contests/{wx.code}/objections/{objection.id}",
                data={"upheld": "0", "resolution": "复核无误，维持原结果。"})
    assert not contest.objections(wx)[0].is_open

    final = contest.publish(staff, wx, final=True, now=later)
    db.session.commit()
    assert final.final and wx.results_version == 2
    certificates = db.session.scalars(sa.select(ContestCertificate).where(
        ContestCertificate.status == ContestCertificateStatus.VALID)).all()
    assert sorted(c.number.split("-")[-1] for c in certificates) == ["S1", "S2", "S3", "S4", "S5", "S7"]
    assert all(c.verify_code.startswith("innovation.") and len(c.verify_code) > 25 for c in certificates)

    # The team member downloads their own certificate; its QR code opens /verify/<code>.
    from tests.core.test_pdf import decode_qr, run
    login(worker)
    response = client.get(f"/innovation/contests/{wx.code}/certificates.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "mine.pdf"
    path.write_bytes(response.data)
    run("pdftoppm", "-r", "150", "-png", "-singlefile", path, tmp_path / "mine")
    url = decode_qr(str(tmp_path / "mine.png"))
    mine = next(c for c in certificates if c.number.endswith("-S1"))
    assert url == f"http://localhost/verify/{mine.verify_code}"
    page = client.get(url.replace("http://localhost", "")).get_data(as_text=True)
    assert "成果S1" in page and "一等奖" in page
    assert client.get("/verify/innovation.not-a-real-code").status_code == 404
    login("staff")
    assert client.get(f"/innovation/manage/contests/{wx.code}/certificates.pdf").data.startswith(b"%PDF")


@pytest.fixture()
def open_contest(db, wx):
    wx.status = ProgrammeStatus.OPEN
    wx.unit_quota = 1
    db.session.flush()
    return wx


def test_submission_recommendation_quota_and_formal_check(db, users, open_contest, english):
    programme = open_contest
    city = OrganizationFactory(name="检查市总工会", kind=OrgKind.FEDERATION)
    unit = OrganizationFactory(name="检查厂工会", kind=OrgKind.UNIT, parent=city)
    worker = UserFactory(name="王工", organization=unit, roles=[Role.STUDIO])
    unit_staff = UserFactory(organization=unit, roles=[Role.STAFF])
    city_staff = UserFactory(organization=city, roles=[Role.STAFF])

    def draft(title):
        return contest.save_submission(worker, programme, None, title=title, category=contest.AchievementCategory
                                       if False else __import__("app.innovation.models", fromlist=["x"])
                                       .AchievementCategory.DESIGN, unit=unit,
                                       team=[contest.TeamLine("王工", Decimal(60), worker.id),
                                             contest.TeamLine("李工", Decimal(40))],
                                       yearly_benefit=Decimal("120000.00"), benefit_evidence="财务部证明")

    with pytest.raises(DomainError):  # contributions must add up to 100
        contest.save_submission(worker, programme, None, title="x", category=None, unit=unit,
                                team=[contest.TeamLine("王工", Decimal(60))])
    first, second = draft("刀具快换"), draft("节能改造")
    assert [m.name for m in first.team] == ["王工", "李工"] and first.stage == ApplicationStage.DRAFT
    contest.submit(worker, first)
    contest.submit(worker, second)
    with pytest.raises(DomainError):  # city staff are not the unit's union
        contest.recommend(city_staff, first)
    contest.recommend(unit_staff, first)
    with pytest.raises(DomainError, match="recommendation places"):
        contest.recommend(unit_staff, second)  # the unit quota is 1
    assert second.stage == ApplicationStage.SUBMITTED
    with pytest.raises(DomainError):
        contest.formal_check(unit_staff, first, accept=True)
    with pytest.raises(DomainError):  # a rejection needs its reason
        contest.formal_check(city_staff, first, accept=False, reason=" ")
    contest.formal_check(city_staff, first, accept=False, reason="缺少效益证明原件")
    assert first.stage == ApplicationStage.REJECTED and first.returned_reason == "缺少效益证明原件"
    steps = db.session.scalars(sa.select(RecommendationStep).where(RecommendationStep.application_id == first.id)
                               .order_by(RecommendationStep.id)).all()
    assert [(s.action, s.from_stage) for s in steps] == [
        (StepAction.SUBMIT, ApplicationStage.DRAFT), (StepAction.RECOMMEND, ApplicationStage.SUBMITTED),
        (StepAction.REJECT, ApplicationStage.UNIT_RECOMMENDED)]


def test_submission_pages(client, db, users, login, open_contest):
    worker = users["studio"]
    login(worker)
    page = client.get(f"/innovation/contests/{open_contest.code}/submit")
    assert page.status_code == 200
    response = client.post(f"/innovation/contests/{open_contest.code}/submit", data={
        "title": "在线成果", "category": "design", "unit_id": worker.organization_id, "studio_id": 0,
        "team": f"{worker.name} 70\n李工 30", "yearly_benefit": "1000", "benefit_evidence": "证明"})
    assert response.status_code == 303, response.get_data(as_text=True)
    application = db.session.scalar(sa.select(Application).where(Application.title == "在线成果"))
    assert [(m.name, m.contribution) for m in application.team] == [(worker.name, 70), ("李工", 30)]
    bad = client.post(f"/innovation/contests/{open_contest.code}/submit", data={
        "title": "坏的", "category": "design", "unit_id": worker.organization_id, "studio_id": 0,
        "team": f"{worker.name} 70\n李工 20"})
    assert bad.status_code == 200 and "100" in bad.get_data(as_text=True)
    client.post(f"/innovation/contests/{open_contest.code}/submissions/{application.number}/submit")
    assert db.session.get(Application, application.id).stage == ApplicationStage.SUBMITTED
    assert client.get("/innovation/contests/").status_code == 200


def test_import_page(client, db, login):
    from tests.innovation.contest_helpers import sheets, xlsx
    import io
    login("staff")
    data = sheets("WXWEB")
    data["scores"][1][3] = 500
    response = client.post("/innovation/manage/contests/import", data={
        "file": (io.BytesIO(xlsx(data)), "contest.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "scores" in response.get_data(as_text=True)
    assert contest.contest_by_code("WXWEB") is None
    response = client.post("/innovation/manage/contests/import", data={
        "file": (io.BytesIO(xlsx(sheets("WXWEB"))), "contest.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert contest.contest_by_code("WXWEB") is not None


def test_staff_change_the_award_tiers_and_prizes_on_the_page(client, db, login, wx):
    login("staff")
    url = f"/innovation/manage/contests/{wx.code}/awards"
    refused = client.post(url, data={"awards": "一等奖:五个", "prizes": ""})
    assert refused.status_code == 200 and "一等奖:5;二等奖:15" in refused.get_data(as_text=True)
    before = contest.award_spec(wx.id)
    assert client.post(url, data={"awards": "一等奖:1;二等奖:2", "prizes": "特等奖:9000"}).status_code == 200
    assert contest.award_spec(wx.id) == before  # an unknown tier in the prizes changes nothing
    assert client.post(url, data={"awards": "一等奖:1;二等奖:2", "prizes": "一等奖:5000"}).status_code == 303
    tiers = contest.scoring_tiers(wx.id)
    assert [(t.name, t.count, t.prize) for t in tiers] == [("一等奖", 1, Decimal("5000")), ("二等奖", 2, None)]
    assert contest.standings(wx).tier_counts == {"一等奖": 1, "二等奖": 2}
