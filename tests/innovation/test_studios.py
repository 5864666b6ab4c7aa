"""Studio registry: the public list and page, the plaque, and who may manage what."""
import re
import subprocess
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event

from app import personal_data
from app.accounts.models import Role
from app.audit import AuditEvent
from app.innovation import studios
from app.innovation.models import Designation, Studio, StudioLevel, StudioMember, StudioStatus, StudioType
from tests.factories import TradeFactory, UserFactory, session_identity
from tests.innovation.conftest import make_studio


def sign_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(user)


def listed(client, query=""):
    html = client.get(f"/innovation/studios{query}").get_data(as_text=True)
    return set(re.findall(r'data-testid="studio-([^"]+)"', html)), html


# ---------------------------------------------------------------- public registry

def test_registry_shows_designated_and_revoked_studios_only(client, db, users):
    unit = users["staff"].organization
    held = make_studio(unit, "焊接创新工作室")
    make_studio(unit, "未命名工作室", designated=False)
    withdrawn = make_studio(unit, "已撤销命名工作室")
    withdrawn.designations[0].withdrawn_on = date(2026, 1, 1)
    revoked = make_studio(unit, "被摘牌工作室", designated=False, status=StudioStatus.REVOKED,
                          status_note="年度考核不合格，予以摘牌")
    db.session.flush()
    codes, html = listed(client)
    assert codes == {held.code, revoked.code}
    assert "年度考核不合格，予以摘牌" in html


def test_registry_search_and_filters(client, db, users, district):
    city_unit = users["staff"].organization
    _district, district_unit = district
    welding = TradeFactory(name="焊工")
    a = make_studio(city_unit, "焊接工艺创新工作室", leader_name="李焊", trade=welding)
    b = make_studio(district_unit, "数控加工工作室", leader_name="周数控", level=StudioLevel.PROVINCIAL,
                    studio_type=StudioType.CRAFTSMAN)
    c = make_studio(district_unit, "电气维修工作室", leader_name="吴电", status=StudioStatus.RECTIFYING,
                    rectify_deadline=date(2027, 3, 31), status_note="台账不全")
    assert listed(client)[0] == {a.code, b.code, c.code}
    assert listed(client, "?q=焊接")[0] == {a.code}
    assert listed(client, "?q=周数控")[0] == {b.code}  # by leader
    assert listed(client, "?q=徐工集团")[0] == {b.code, c.code}  # by host unit
    assert listed(client, "?type=craftsman")[0] == {b.code}
    assert listed(client, "?level=provincial")[0] == {b.code}
    codes, html = listed(client, "?status=rectifying")
    assert codes == {c.code} and "台账不全" in html and "2027-03-31" in html
    assert listed(client, f"?district={_district.id}")[0] == {b.code, c.code}  # units below the district
    assert listed(client, f"?trade={welding.id}")[0] == {a.code}
    # Nonsense filters filter nothing and never fail.
    assert listed(client, "?type=spaceship&level=x&district=abc&trade=99999999999")[0] == {a.code, b.code, c.code}


def test_registry_paginates(client, db, users):
    unit = users["staff"].organization
    for n in range(23):
        make_studio(unit, f"工作室{n:02d}")
    first, html = listed(client)
    second, _html = listed(client, "?page=2")
    assert len(first) == 20 and len(second) == 3 and not first & second
    assert "/innovation/studios?page=2" in html


def test_registry_runs_a_constant_number_of_queries(client, db, users, district):
    def count(url):
        statements = []
        engine = db.engines[None]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    _district, unit = district
    make_studio(unit, trade=TradeFactory())
    few = count("/innovation/studios")
    for n in range(12):
        make_studio(unit, trade=TradeFactory(), status=StudioStatus.RECTIFYING if n % 2 else StudioStatus.ACTIVE)
    assert count("/innovation/studios") == few
    assert count(f"/innovation/studios?q=工作室&district={_district.id}") == few


# ---------------------------------------------------------------- public studio page

def test_studio_page_shows_the_public_facts_and_no_personal_data(client, db, users):
    member_user = UserFactory(name="赵成员", mobile="13912345678")
    studio = make_studio(users["staff"].organization, "精密焊接创新工作室", leader_name="王大师",
                         leader_honours="全国劳动模范、江苏工匠", field="焊接工艺", site="二号厂房三楼 200㎡",
                         equipment="焊接机器人 2 台", introduction="攻关高强钢焊接难题。")
    db.session.add(StudioMember(studio=studio, user=member_user, name="赵成员", role="首席技师",
                                joined_on=date(2024, 3, 1)))
    db.session.add(StudioMember(studio=studio, name="离开的人", role="骨干", joined_on=date(2024, 3, 1),
                                left_on=date(2025, 1, 1)))
    db.session.flush()
    html = client.get(f"/innovation/studios/{studio.code}").get_data(as_text=True)
    for text in ("精密焊接创新工作室", "测试单位工会", "王大师", "全国劳动模范、江苏工匠", "焊接工艺", "二号厂房三楼 200㎡",
                 "焊接机器人 2 台", "攻关高强钢焊接难题。", "赵成员", "首席技师", "文", "2025-05-01"):
        assert text in html, text
    assert "离开的人" not in html  # current members only
    assert "13912345678" not in html and "139****5678" not in html


def test_studio_page_shows_revocation_and_unknown_codes_are_404(client, db, users):
    studio = make_studio(users["staff"].organization, status=StudioStatus.REVOKED,
                         status_note="弄虚作假，撤销命名")
    studio.designations[0].withdrawn_on = date(2026, 6, 1)
    db.session.flush()
    html = client.get(f"/innovation/studios/{studio.code}").get_data(as_text=True)
    assert "弄虚作假，撤销命名" in html and "2026-06-01" in html
    assert client.get("/innovation/studios/no-such-code").status_code == 404
    hidden = make_studio(users["staff"].organization, designated=False)
    assert client.get(f"/innovation/studios/{hidden.code}").status_code == 404


def test_plaque_qr_points_to_the_public_page(client, db, users, tmp_path):
    studio = make_studio(users["staff"].organization, "王大师劳模创新工作室",
                         studio_type=StudioType.MODEL_WORKER)
    response = client.get(f"/innovation/studios/{studio.code}/plaque.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "plaque.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width > height  # landscape
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "王大师劳模创新工作室" in text and "测试单位工会" in text
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == f"http://localhost/innovation/studios/{studio.code}"


# ---------------------------------------------------------------- management

def test_a_leader_edits_their_own_studio_and_not_another(client, db, users, leader):
    own = make_studio(leader.organization, "自己的工作室", leader=leader)
    other = make_studio(leader.organization, "别人的工作室")
    sign_in(client, leader)
    assert client.get(f"/innovation/studios/{own.code}/manage").status_code == 200
    response = client.post(f"/innovation/studios/{own.code}/manage", data={
        "name": "自己的工作室（更名）", "studio_type": "worker", "field": "数控", "trade_id": ""})
    assert response.status_code == 303
    assert db.session.get(Studio, own.id).name == "自己的工作室（更名）"
    assert db.session.get(Studio, own.id).host_unit_id == leader.organization_id
    assert client.get(f"/innovation/studios/{other.code}/manage").status_code == 403
    assert client.post(f"/innovation/studios/{other.code}/manage",
                       data={"name": "改别人的", "studio_type": "worker"}).status_code == 403
    assert client.post(f"/innovation/studios/{other.code}/members",
                       data={"name": "混入者", "joined_on": "2026-01-01"}).status_code == 403
    assert db.session.get(Studio, other.id).name == "别人的工作室"
    # A leader cannot record designations or change status, even for their own studio.
    assert client.post(f"/innovation/studios/{own.code}/designations", data={
        "level": "national", "studio_type": "worker", "document_no": "X", "designated_on": "2026-01-01"}
    ).status_code == 403
    assert db.session.get(Studio, own.id).level == StudioLevel.CITY


def test_a_trainee_cannot_manage(client, db, users, login):
    studio = make_studio(users["staff"].organization)
    login("trainee")
    assert client.get(f"/innovation/studios/{studio.code}/manage").status_code == 403
    assert client.get("/innovation/my/studio").status_code == 403
    assert client.get("/innovation/manage/studios").status_code == 403


def test_members_shortfall_adding_and_leaving(client, db, users, leader):
    studio = make_studio(leader.organization, leader=leader, members=1)
    assert studios.member_shortfall(studio) == 2
    sign_in(client, leader)
    assert 'data-testid="member-shortfall"' in client.get(f"/innovation/studios/{studio.code}/manage").get_data(
        as_text=True)
    for name in ("钱一", "孙二"):
        assert client.post(f"/innovation/studios/{studio.code}/members",
                           data={"name": name, "role": "骨干", "joined_on": "2026-02-01"}).status_code == 303
    db.session.expire_all()
    studio = db.session.get(Studio, studio.id)
    assert studios.member_shortfall(studio) == 0
    assert 'data-testid="member-shortfall"' not in client.get(
        f"/innovation/studios/{studio.code}/manage").get_data(as_text=True)
    member = next(m for m in studio.members if m.name == "钱一")
    # Leaving before joining is refused and changes nothing.
    client.post(f"/innovation/studios/{studio.code}/members/{member.id}", data={"role": "骨干", "left_on": "2025-01-01"})
    assert db.session.get(StudioMember, member.id).left_on is None
    client.post(f"/innovation/studios/{studio.code}/members/{member.id}", data={"role": "顾问", "left_on": "2026-06-30"})
    db.session.expire_all()
    member = db.session.get(StudioMember, member.id)
    assert (member.role, member.left_on) == ("顾问", date(2026, 6, 30))
    assert studios.member_shortfall(db.session.get(Studio, studio.id)) == 1


def test_a_leader_registers_their_studio_once(client, db, users, leader):
    sign_in(client, leader)
    assert 'name="name"' in client.get("/innovation/my/studio").get_data(as_text=True)
    response = client.post("/innovation/my/studio", data={"name": "王大师创新工作室", "studio_type": "skill_master",
                                                           "trade_id": ""})
    assert response.status_code == 303
    studio = db.session.scalar(sa.select(Studio).where(Studio.leader_id == leader.id))
    assert (studio.name, studio.host_unit_id, studio.leader_name, studio.level) == (
        "王大师创新工作室", leader.organization_id, "王大师", StudioLevel.ENTERPRISE)
    # Not public until designated, but its leader sees it.
    assert client.get(f"/innovation/studios/{studio.code}").status_code == 200
    html = client.get("/innovation/my/studio").get_data(as_text=True)
    assert "王大师创新工作室" in html and 'name="name"' not in html
    client.post("/innovation/my/studio", data={"name": "第二个", "studio_type": "worker"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Studio).where(Studio.leader_id == leader.id)) == 1
    sign_in(client, users["trainee"])
    assert client.get(f"/innovation/studios/{studio.code}").status_code == 404


def test_staff_designation_raises_the_level_to_the_highest_held(client, db, users, login):
    studio = make_studio(users["staff"].organization, level=StudioLevel.DISTRICT)
    login("staff")
    response = client.post(f"/innovation/studios/{studio.code}/designations", data={
        "level": "provincial", "studio_type": "worker", "document_no": "苏工发〔2026〕8号",
        "designated_on": "2026-09-01"})
    assert response.status_code == 303
    db.session.expire_all()
    studio = db.session.get(Studio, studio.id)
    assert studio.level == StudioLevel.PROVINCIAL
    assert [d.level for d in studio.designations] == [StudioLevel.DISTRICT, StudioLevel.PROVINCIAL]
    # A lower designation later does not lower it; withdrawing the top one does.
    studios.record_designation(users["staff"], studio, "city", "worker", "徐工发1号", date(2026, 10, 1))
    assert studio.level == StudioLevel.PROVINCIAL
    top = next(d for d in studio.designations if d.level == StudioLevel.PROVINCIAL)
    top.withdrawn_on = date(2026, 11, 1)
    assert studios.refresh_level(studio) == StudioLevel.CITY
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "innovation.studio.designation")) == 2
    # Bad input: a message, nothing written.
    client.post(f"/innovation/studios/{studio.code}/designations", data={
        "level": "galactic", "studio_type": "worker", "document_no": "", "designated_on": "x"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Designation).where(
        Designation.studio_id == studio.id)) == 3


def test_staff_status_changes_and_leader_change(client, db, users, login, leader):
    studio = make_studio(users["staff"].organization, leader_name="老领衔人")
    login("staff")
    assert client.post(f"/innovation/studios/{studio.code}/status",
                       data={"status": "leader_change", "note": "原领衔人退休"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Studio, studio.id).status == StudioStatus.LEADER_CHANGE
    assert client.post(f"/innovation/studios/{studio.code}/leader",
                       data={"leader_id": str(leader.id), "honours": "江苏工匠", "note": "变更完成"}).status_code == 303
    db.session.expire_all()
    studio = db.session.get(Studio, studio.id)
    assert (studio.leader_id, studio.leader_name, studio.leader_honours, studio.status) == (
        leader.id, "王大师", "江苏工匠", StudioStatus.ACTIVE)
    assert studio.can_manage(leader)
    # Revoked studios (the assessment's) cannot be moved by hand.
    studio.status = StudioStatus.REVOKED
    db.session.flush()
    html = client.post(f"/innovation/studios/{studio.code}/status",
                       data={"status": "active", "note": ""}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Studio, studio.id).status == StudioStatus.REVOKED
    assert "field-error" in html


def test_personal_data_lists_the_studios_a_person_leads_or_joins(db, users, leader):
    studio = make_studio(leader.organization, "带头的工作室", leader=leader)
    member = UserFactory(roles=[Role.TRAINEE])
    db.session.add(StudioMember(studio=studio, user=member, name=member.name, role="骨干", joined_on=date(2025, 1, 1)))
    db.session.flush()
    led = [s for s in personal_data.sheets_for(leader) if s.title.startswith("创新工作室")][0]
    joined = [s for s in personal_data.sheets_for(member) if s.title.startswith("创新工作室")][0]
    assert [row[0] for row in led.rows] == ["带头的工作室"]
    assert [(row[0], row[3]) for row in joined.rows] == [("带头的工作室", "骨干")]
