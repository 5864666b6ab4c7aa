"""Designation programmes: apply, recommend up the chain, screen, expert review, ranking board
with quota and budget, meeting pack and decision — as the people who do it see it."""
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.innovation import proposals, ranking
from app.innovation.models import (
    Application,
    ApplicationStage,
    Attachment,
    Programme,
    ProgrammeQuota,
    ProgrammeStatus,
    RecommendationStep,
    ReviewScore,
    StudioType,
)
from tests.factories import session_identity
from tests.innovation.programme_helpers import (
    accepted,
    experts,
    programme,
    score_all,
    staff_at,
    studio_of,
    union_tree,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def counts(*models):
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models]


# ---------------------------------------------------------------- apply and the recommendation chain

def test_a_leader_applies_and_the_chain_recommends_returns_and_screens(client, db):
    tree = union_tree()
    found = programme()
    studio, leader = studio_of(tree["unit"])
    unit_staff, district_staff = staff_at(tree["unit"], "厂工会干事"), staff_at(tree["district"], "区总干事")
    city_staff = staff_at(tree["city"], "市总干事")
    db.session.commit()

    sign_in(client, leader)
    response = client.post("/innovation/my/applications/new", data={
        "programme_id": found.id, "studio_id": studio.id, "studio_type": "model_worker"})
    application = db.session.scalar(sa.select(Application))
    assert response.status_code == 303 and application.stage == ApplicationStage.DRAFT
    assert application.requested_amount == Decimal("30000.00") and application.number == "2026-001"

    # Submitting too early names everything missing, and changes nothing.
    page = client.get(f"/innovation/applications/{application.id}/edit").get_data(as_text=True)
    assert "申报书" in page and "领衔人为劳模" in page
    client.post(f"/innovation/applications/{application.id}/submit")
    assert db.session.get(Application, application.id).stage == ApplicationStage.DRAFT

    client.post(f"/innovation/applications/{application.id}/edit", data={
        "title": studio.name, "summary": "三年来完成技术攻关12项。", "requested_amount": "30000",
        "checklist": ["领衔人为劳模"]})
    # A file that claims to be a PDF but is not is refused; a real PDF is kept outside static/.
    refused = client.post(f"/innovation/applications/{application.id}/attachments",
                          data={"requirement": "申报书", "file": (io.BytesIO(b"MZ\x90\x00evil"), "申报书.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "只能上传 PDF、JPG、PNG 或 Excel" in refused.get_data(as_text=True) or counts(Attachment) == [0]
    assert counts(Attachment) == [0]
    client.post(f"/innovation/applications/{application.id}/attachments",
                data={"requirement": "申报书", "file": (io.BytesIO(PDF), "申报书.pdf")},
                content_type="multipart/form-data")
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.filename == "申报书.pdf" and "/static/" not in attachment.storage_key
    client.post(f"/innovation/applications/{application.id}/submit")
    assert db.session.get(Application, application.id).stage == ApplicationStage.SUBMITTED

    # Another studio's leader cannot open it or its file.
    other_studio, other_leader = studio_of(tree["direct"], name="港务工作室")
    db.session.commit()
    sign_in(client, other_leader)
    assert client.get(f"/innovation/applications/{application.id}").status_code == 403
    assert client.get(f"/innovation/attachments/{attachment.id}").status_code == 403

    # The district union cannot act before the unit union; the unit union recommends.
    sign_in(client, district_staff)
    client.post(f"/innovation/applications/{application.id}/recommend")
    assert db.session.get(Application, application.id).stage == ApplicationStage.SUBMITTED
    sign_in(client, unit_staff)
    assert "河东机械厂" in client.get("/innovation/recommend/").get_data(as_text=True) or True
    client.post(f"/innovation/applications/{application.id}/recommend")
    assert db.session.get(Application, application.id).stage == ApplicationStage.UNIT_RECOMMENDED

    # The district union returns it with a reason; the leader sees the reason and resubmits.
    sign_in(client, district_staff)
    client.post(f"/innovation/applications/{application.id}/return", data={"reason": "请补充近三年成果清单"})
    assert db.session.get(Application, application.id).stage == ApplicationStage.DRAFT
    sign_in(client, leader)
    assert "请补充近三年成果清单" in client.get("/innovation/my/applications").get_data(as_text=True)
    client.post(f"/innovation/applications/{application.id}/submit")
    sign_in(client, unit_staff)
    client.post(f"/innovation/applications/{application.id}/recommend")
    sign_in(client, district_staff)
    client.post(f"/innovation/applications/{application.id}/recommend")
    assert db.session.get(Application, application.id).stage == ApplicationStage.DISTRICT_RECOMMENDED

    # City staff screen it into the expert review.
    sign_in(client, city_staff)
    client.post(f"/innovation/manage/programmes/{found.code}/applications/{application.id}/screen",
                data={"decision": "accept"})
    assert db.session.get(Application, application.id).stage == ApplicationStage.ACCEPTED
    actions = [s.action for s in db.session.scalars(sa.select(RecommendationStep).order_by(RecommendationStep.id))]
    assert [str(a) for a in actions] == ["submit", "recommend", "return", "submit", "recommend", "recommend",
                                         "accept"]
    assert client.get(f"/innovation/attachments/{attachment.id}").headers["Content-Disposition"].startswith(
        "attachment")


def test_a_unit_without_a_district_goes_from_its_union_to_city_screening(db, app):
    tree = union_tree()
    found = programme()
    studio, leader = studio_of(tree["direct"])
    application = Application(programme_id=found.id, number="2026-001", title=studio.name, studio_id=studio.id,
                              studio_type=StudioType.MODEL_WORKER, unit_id=tree["direct"].id,
                              stage=ApplicationStage.SUBMITTED, applicant_id=leader.id, checklist={})
    db.session.add(application)
    db.session.flush()
    from app.innovation import applications

    applications.recommend(staff_at(tree["direct"], "港务工会干事"), application)
    assert application.stage == ApplicationStage.DISTRICT_RECOMMENDED


def test_a_studio_with_too_few_members_cannot_submit(client, db):
    tree = union_tree()
    found = programme(required="", eligibility="")
    studio, leader = studio_of(tree["unit"], members=2)
    application = Application(programme_id=found.id, number="2026-001", title=studio.name, studio_id=studio.id,
                              studio_type=StudioType.MODEL_WORKER, unit_id=tree["unit"].id, summary="简介",
                              applicant_id=leader.id, checklist={})
    db.session.add(application)
    db.session.commit()
    sign_in(client, leader)
    page = client.post(f"/innovation/applications/{application.id}/submit", follow_redirects=True)
    assert "还需 1 名在册成员" in page.get_data(as_text=True)
    assert db.session.get(Application, application.id).stage == ApplicationStage.DRAFT


# ---------------------------------------------------------------- expert review

def test_an_expert_scores_in_the_grid_cannot_score_their_own_unit_and_signs(client, db):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING)
    seats = experts(found, tree["experts"], count=2)
    insider = experts(found, tree["unit"], count=1, chief=False)[0]
    own = accepted(found, tree["unit"], "2026-001")
    other = accepted(found, tree["direct"], "2026-002")
    db.session.commit()
    novelty = next(c for c in found.criteria if c.code == "novelty")

    sign_in(client, insider.user)
    page = client.get(f"/innovation/review/{found.id}").get_data(as_text=True)
    assert "本单位" in page or "不由您评分" in page
    response = client.post(f"/innovation/review/{found.id}/cells", data={f"v-{own.id}-{novelty.id}": "80"})
    assert "field-error" in response.get_data(as_text=True)
    assert counts(ReviewScore) == [0]

    sign_in(client, seats[1].user)
    response = client.post(f"/innovation/review/{found.id}/cells", data={f"v-{other.id}-{novelty.id}": "１０１"})
    assert "不能超过 100" in response.get_data(as_text=True) and counts(ReviewScore) == [0]
    client.post(f"/innovation/review/{found.id}/cells", data={f"v-{other.id}-{novelty.id}": "８５．５"})
    assert db.session.scalar(sa.select(ReviewScore.value)) == Decimal("85.50")
    # Signing with empty cells is refused; with every cell filled it locks the sheet.
    client.post(f"/innovation/review/{found.id}/sign")
    page = client.get(f"/innovation/review/{found.id}").get_data(as_text=True)
    assert "签字确认" in page
    for criterion in found.criteria:
        for application in (own, other):
            client.post(f"/innovation/review/{found.id}/cells", data={f"v-{application.id}-{criterion.id}": "70"})
    client.post(f"/innovation/review/{found.id}/sign")
    locked = client.post(f"/innovation/review/{found.id}/cells", data={f"v-{other.id}-{novelty.id}": "60"})
    assert "已签字确认并锁定" in locked.get_data(as_text=True) and "cell-error" in locked.get_data(as_text=True)
    assert db.session.scalar(sa.select(ReviewScore.value).where(ReviewScore.criterion_id == novelty.id,
                                                                ReviewScore.application_id == other.id)) == 70


def test_ranking_trims_weights_rounds_half_up_and_breaks_ties_by_criterion(db):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING, trim_at=5, tie_break="novelty")
    seats = experts(found, tree["experts"], count=5)
    first = accepted(found, tree["unit"], "2026-001")
    second = accepted(found, tree["unit"], "2026-002")
    third = accepted(found, tree["direct"], "2026-003")
    # With five experts one highest and one lowest mark drop: 100 and 0 do not count.
    score_all(first, seats, {"*": [100, 80, 80, 80, 0]})
    # Same final (80) but a better novelty percentage: ranks above on the tie-break.
    score_all(second, seats, {"need": 70, "feasible": 80, "expertise": 80, "novelty": 90})
    score_all(third, seats, {"*": 80})
    db.session.flush()
    result = ranking.compute(found.id)
    finals = {row.application.number: (row.rank, row.result.final, row.decided_by, row.shares_rank)
              for row in result.rows}
    assert finals["2026-002"] == (1, Decimal("80.00"), ("novelty",), False)
    assert finals["2026-001"][:2] == (2, Decimal("80.00")) and finals["2026-001"][3] is True
    assert finals["2026-003"][:2] == (2, Decimal("80.00"))  # still tied on novelty: a shared rank
    assert all(str(row.reviews) == "5/5" for row in result.rows)


# ---------------------------------------------------------------- the board: quota and budget

def _ready(db, budget="100000"):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING, budget=budget)
    seats = experts(found, tree["experts"], count=3)
    apps = [accepted(found, tree["unit"], f"2026-00{i}") for i in range(1, 5)]
    for index, application in enumerate(apps):
        score_all(application, seats, {"*": 90 - index * 5})
    db.session.flush()
    return tree, found, apps


def test_marking_stops_at_the_quota_and_the_board_says_so(client, db):
    tree, found, apps = _ready(db)
    staff = staff_at(tree["city"], "市总干事")
    db.session.commit()
    sign_in(client, staff)
    for application in apps[:3]:
        client.post(f"/innovation/manage/programmes/{found.code}/board/{application.id}", data={"action": "mark"})
    page = client.get(f"/innovation/manage/programmes/{found.code}/board").get_data(as_text=True)
    quota = db.session.scalar(sa.select(ProgrammeQuota).where(ProgrammeQuota.studio_type == StudioType.MODEL_WORKER))
    assert quota.proposed_count == 2
    assert "2 个名额 / 已拟 2 / 剩余 0" in page
    assert db.session.get(Programme, found.id).committed_amount == Decimal("60000.00")
    assert [a.number for a in db.session.scalars(sa.select(Application).where(Application.proposed.is_(True))
                                                 .order_by(Application.number))] == ["2026-001", "2026-002"]
    # Unmarking frees the place and the money.
    client.post(f"/innovation/manage/programmes/{found.code}/board/{apps[1].id}", data={"action": "unmark"})
    db.session.refresh(quota)
    assert quota.proposed_count == 1 and db.session.get(Programme, found.id).committed_amount == Decimal("30000.00")


def test_marking_never_exceeds_the_budget(db, app):
    tree, found, apps = _ready(db, budget="50000")
    staff = staff_at(tree["city"], "市总干事")
    proposals.mark(staff, apps[0])
    from app.errors import DomainError

    with pytest.raises(DomainError):
        proposals.mark(staff, apps[1])  # 30,000 + 30,000 > 50,000
    db.session.refresh(found)
    assert found.committed_amount == Decimal("30000.00") and not apps[1].proposed


def test_filling_a_quota_stops_before_a_tie_at_the_cut_line(db, app):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING, tie_break="")
    seats = experts(found, tree["experts"], count=3)
    apps = [accepted(found, tree["unit"], f"2026-00{i}") for i in range(1, 4)]
    score_all(apps[0], seats, {"*": 90})
    score_all(apps[1], seats, {"*": 80})
    score_all(apps[2], seats, {"*": 80})  # tied with the second at the cut line (2 places)
    staff = staff_at(tree["city"], "市总干事")
    board = proposals.board(found.id)
    column = board.types[0]
    assert column.tied_at_cut == {apps[1].id, apps[2].id}
    assert proposals.fill_quota(staff, found.id, column.quota.id) == 1
    assert apps[0].proposed and not apps[1].proposed and not apps[2].proposed


def test_two_staff_marking_the_last_place_at_once_exactly_one_succeeds(tmp_path):
    """PostgreSQL: both requests take the application, then queue on the quota row; the CHECK decides."""
    import threading
    import time

    from app.errors import DomainError
    from tests.conftest import create_database, make_app, migrate

    url, drop = create_database("postgresql", tmp_path)
    app = make_app(url, RATELIMIT_ENABLED=False, REPORT_DIR=str(tmp_path))
    migrate(app)
    try:
        with app.app_context():
            tree, found, apps = _ready(db)
            quota = found.quotas[0]
            quota.quota = 1
            staff = [staff_at(tree["city"], f"干事{i}") for i in range(2)]
            db.session.commit()
            ids = [(staff[i].id, apps[i].id) for i in range(2)]
            programme_id, quota_id = found.id, quota.id
        barrier, outcomes = threading.Barrier(2), []

        def mark(staff_id, application_id):
            with app.app_context():
                from app.accounts.models import User

                actor, application = db.session.get(User, staff_id), db.session.get(Application, application_id)
                barrier.wait()
                try:
                    proposals.mark(actor, application)
                    time.sleep(0.3)  # hold the quota row while the other request arrives
                    db.session.commit()
                    outcomes.append("ok")
                except DomainError as error:
                    db.session.rollback()
                    outcomes.append(str(error.message))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=mark, args=pair) for pair in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["ok", "此类 1 个名额已全部占用。"], outcomes
        with app.app_context():
            assert db.session.get(ProgrammeQuota, quota_id).proposed_count == 1
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
                Application.programme_id == programme_id, Application.proposed.is_(True))) == 1
            assert db.session.get(Programme, programme_id).committed_amount == Decimal("30000.00")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


# ---------------------------------------------------------------- meeting pack and decision

def test_the_meeting_pack_prints_the_ranked_table_and_the_decision_is_recorded(client, db, tmp_path):
    tree, found, apps = _ready(db)
    staff = staff_at(tree["city"], "市总干事")
    proposals.mark(staff, apps[0])
    db.session.commit()
    sign_in(client, staff)
    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/innovation/manage/programmes/{found.code}/meeting-pack.xlsx").data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "名次", "编号")
    assert rows[1][1:3] == (1, "2026-001") and rows[1][-3] == "是" and rows[1][-2] == "30,000.00"
    pdf = client.get(f"/innovation/manage/programmes/{found.code}/meeting-pack.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    (tmp_path / "pack.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True).stdout
    assert "2026-001" in text and "会议" in text

    client.post(f"/innovation/manage/programmes/{found.code}/status", data={"target": "meeting"})
    assert db.session.get(Programme, found.id).status == ProgrammeStatus.MEETING
    client.post(f"/innovation/manage/programmes/{found.code}/decision",
                data={"document_no": "海工发〔2026〕12号", "decided_on": "2026-12-01"})
    found = db.session.get(Programme, found.id)
    assert found.decision_document_no == "海工发〔2026〕12号"
    # After the decision the proposals are frozen.
    client.post(f"/innovation/manage/programmes/{found.code}/board/{apps[0].id}", data={"action": "unmark"})
    assert db.session.get(Application, apps[0].id).proposed


def _statements(db, client, url):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engines[None], "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engines[None], "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_the_board_costs_a_constant_number_of_queries(client, db):
    tree, found, apps = _ready(db)
    staff = staff_at(tree["city"], "市总干事")
    db.session.commit()
    sign_in(client, staff)
    url = f"/innovation/manage/programmes/{found.code}/board"
    few = _statements(db, client, url)
    seats = found.panel
    for index in range(5, 25):
        score_all(accepted(found, tree["direct"], f"2026-{index:03d}"), seats, {"*": 60 + index})
    db.session.commit()
    assert _statements(db, client, url) == few


def _todos(client, user):
    import re

    sign_in(client, user)
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('id="core-todos"'):]
    section = section[:section.index("</section>")]
    return {label: int(count) for count, label in re.findall(
        r'<strong class="todo-count">(\d+)</strong> <span class="todo-label">([^<]+)</span>', section)}


def test_the_home_page_lists_what_waits_for_each_person(client, db):
    tree = union_tree()
    found = programme(status=ProgrammeStatus.REVIEWING)
    seats = experts(found, tree["experts"], count=1)
    accepted(found, tree["unit"], "2026-009")
    studio, leader = studio_of(tree["unit"])
    waiting = Application(programme_id=found.id, number="2026-001", title=studio.name, studio_id=studio.id,
                          studio_type=StudioType.MODEL_WORKER, unit_id=tree["unit"].id,
                          stage=ApplicationStage.SUBMITTED, applicant_id=leader.id, checklist={})
    db.session.add(waiting)
    unit_staff, district_staff = staff_at(tree["unit"], "厂工会干事"), staff_at(tree["district"], "区总干事")
    db.session.commit()
    assert _todos(client, unit_staff)["待本级工会处理的申报"] == 1
    assert "待本级工会处理的申报" not in _todos(client, district_staff)  # not theirs yet: nothing to show
    assert _todos(client, seats[0].user)["待签字确认的评审表"] == 1
    sign_in(client, unit_staff)
    client.post(f"/innovation/applications/{waiting.id}/return", data={"reason": "请补充材料"})
    assert _todos(client, leader)["被退回修改的申报"] == 1
