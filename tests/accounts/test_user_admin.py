"""Staff manage accounts, memberships, organisations and trades."""
import io
import re

from openpyxl import Workbook, load_workbook

from app.accounts.models import MembershipStatus, Organization, Role, Trade, User
from app.audit import AuditEvent
from tests.factories import OrganizationFactory, UserFactory, session_identity


def test_staff_create_a_judge_with_an_initial_password(client, login, db, users):
    login("staff")
    org = users["judge"].organization
    response = client.post("/admin/users/new", data={
        "name": "赵评委", "username": "zhaopw", "mobile": "", "organization_id": str(org.id), "roles": ["judge"]})
    assert response.status_code == 303
    judge = db.session.query(User).filter_by(username="zhaopw").one()
    assert judge.roles == {Role.JUDGE} and judge.must_change_password and judge.organization_id == org.id
    flash = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "初始密码" in flash
    assert db.session.query(AuditEvent).filter_by(action="user.create", object_id=str(judge.id)).one().after["roles"] == ["judge"]


def test_staff_cannot_grant_admin_but_admin_can(client, login, db):
    login("staff")
    body = client.post("/admin/users/new", data={"name": "越权", "username": "sneaky", "roles": ["admin"],
                                                 "organization_id": ""}).get_data(as_text=True)
    assert "只有" in body or "管理员" in body
    assert db.session.query(User).filter_by(username="sneaky").count() == 0
    login("admin")
    response = client.post("/admin/users/new", data={"name": "新管理员", "username": "admin2", "roles": ["admin", "staff"],
                                                     "organization_id": ""})
    assert response.status_code == 303
    assert db.session.query(User).filter_by(username="admin2").one().roles == {Role.ADMIN, Role.STAFF}


def test_duplicate_username_or_mobile_is_refused(client, login, db, users):
    login("staff")
    body = client.post("/admin/users/new", data={"name": "重名", "username": users["judge"].username.upper(),
                                                 "roles": ["judge"], "organization_id": ""}).get_data(as_text=True)
    assert "已被使用" in body or "已被占用" in body
    body = client.post("/admin/users/new", data={"name": "重号", "mobile": users["judge"].mobile,
                                                 "roles": ["judge"], "organization_id": ""}).get_data(as_text=True)
    assert "已注册" in body


def test_tampered_organisation_choice_is_a_form_error_not_a_crash(client, login, db):
    login("staff")
    response = client.post("/admin/users/new", data={"name": "篡改", "username": "tamper", "roles": ["judge"],
                                                     "organization_id": "999999"})
    assert response.status_code == 200
    assert db.session.query(User).filter_by(username="tamper").count() == 0


def test_deactivating_signs_the_person_out(app, client, login, db, users):
    judge = users["judge"]
    judge_client = app.test_client()
    with judge_client.session_transaction() as session:
        session["_user_id"] = session_identity(judge)
    login("staff")
    client.post(f"/admin/users/{judge.id}", data={"name": judge.name, "username": judge.username, "mobile": judge.mobile,
                                                 "organization_id": "", "roles": ["judge"], "active": ""})
    db.session.refresh(judge)
    assert not judge.active
    with app.app_context():
        assert judge_client.get("/account").status_code == 302


def test_staff_cannot_deactivate_themselves(client, login, db):
    me = login("staff")
    body = client.post(f"/admin/users/{me.id}", data={"name": me.name, "username": me.username, "roles": ["staff"],
                                                     "organization_id": "", "active": ""}).get_data(as_text=True)
    assert "不能停用" in body
    db.session.refresh(me)
    assert me.active


def test_reset_password_gives_a_new_initial_password(client, login, db, users):
    login("staff")
    mentor = users["mentor"]
    old_hash = mentor.password_hash
    response = client.post(f"/admin/users/{mentor.id}/reset-password", follow_redirects=True)
    assert "初始密码" in response.get_data(as_text=True)
    db.session.refresh(mentor)
    assert mentor.password_hash != old_hash and mentor.must_change_password


def test_membership_application_and_decision(client, login, db, users):
    trainee = login("trainee")
    client.post("/account/membership")
    db.session.refresh(trainee)
    assert trainee.membership_status == MembershipStatus.APPLIED
    assert "已申请" in client.get("/account").get_data(as_text=True) or "申请" in client.get("/account").get_data(as_text=True)

    login("staff")
    listed = client.get("/admin/users?membership=applied").get_data(as_text=True)
    assert trainee.name in listed
    body = client.post(f"/admin/users/{trainee.id}/membership", data={"decision": "approve", "member_number": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "请输入会员证号" in body
    client.post(f"/admin/users/{trainee.id}/membership", data={"decision": "approve", "member_number": "XZ-0001"})
    db.session.refresh(trainee)
    assert trainee.membership_status == MembershipStatus.MEMBER and trainee.member_number == "XZ-0001"


def test_user_list_search_and_pagination_fragment(client, login, db):
    login("staff")
    for n in range(30):
        UserFactory(name=f"批量{n:02d}")
    UserFactory(name="独特的名字")
    body = client.get("/admin/users?q=独特", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "独特的名字" in body and "批量" not in body
    page2 = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "第 2 页" in page2 or "2" in page2


def test_user_list_runs_a_constant_number_of_queries(client, login, db, app):
    from sqlalchemy import event

    login("staff")
    org = OrganizationFactory()

    def count_queries(url):
        statements = []
        engine = db.engines[None]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for n in range(3):
        UserFactory(organization=org, roles=[Role.JUDGE, Role.MENTOR])
    few = count_queries("/admin/users")
    for n in range(20):
        UserFactory(organization=org, roles=[Role.JUDGE, Role.MENTOR])
    many = count_queries("/admin/users")
    assert many == few


def test_export_users_workbook(client, login, db, users):
    login("staff")
    response = client.get("/admin/users/export.xlsx?role=judge")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名 name"
    assert [r[0] for r in rows[1:]] == [users["judge"].name]


def test_organisation_tree_and_moves(client, login, db):
    login("staff")
    city = OrganizationFactory(name="市总", kind="federation")
    district = OrganizationFactory(name="区总", kind="district", parent=city)
    other = OrganizationFactory(name="另一区总", kind="district", parent=city)
    unit = OrganizationFactory(name="某公司", kind="unit", parent=district)
    assert unit.is_within(district) and unit.is_within(city) and not unit.is_within(other)

    # Move the district (and its unit) below the other district: paths follow.
    response = client.post(f"/admin/organizations/{district.id}", data={
        "name": "区总", "kind": "district", "parent_id": str(other.id), "short_name": ""})
    assert response.status_code == 303
    db.session.refresh(unit)
    assert unit.is_within(other)
    # A unit cannot hold organisations; nothing moves below itself.
    body = client.post(f"/admin/organizations/{other.id}", data={
        "name": "另一区总", "kind": "district", "parent_id": str(district.id), "short_name": ""}).get_data(as_text=True)
    assert "field-error" in body  # the parent list offers nothing below itself; a forged choice is refused
    db.session.refresh(other)
    assert other.parent_id == city.id
    body = client.post("/admin/organizations/new", data={
        "name": "下属", "kind": "unit", "parent_id": str(unit.id), "short_name": ""}).get_data(as_text=True)
    assert db.session.query(Organization).filter_by(name="下属").count() == 0


def test_trades_create_and_unique_code(client, login, db):
    login("staff")
    response = client.post("/admin/trades/new", data={"code": "hg", "name": "焊工", "name_en": "Welder",
                                                      "occupation_code": "6-18-02-04"})
    assert response.status_code == 303
    assert db.session.query(Trade).filter_by(code="HG").one().name == "焊工"
    body = client.post("/admin/trades/new", data={"code": "HG", "name": "另一个"}).get_data(as_text=True)
    assert "代码" in body
    assert db.session.query(Trade).count() == 1


def _workbook(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_users_all_or_nothing(client, login, db, users):
    login("staff")
    org = users["judge"].organization
    good = _workbook([["姓名", "用户名", "手机号", "角色", "单位"],
                      ["钱评委", "qianpw", "13700000001", "评委", org.name],
                      ["孙导师", None, 13700000002, "导师、评委", org.name]])
    response = client.post("/admin/users/import", data={"file": (good, "users.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert db.session.query(User).filter(User.mobile.in_(["13700000001", "13700000002"])).count() == 2
    passwords = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"\"/reports/[^\"/]+\.xlsx\"", passwords)

    bad = _workbook([["姓名 name", "用户名 username", "手机号 mobile", "角色 roles", "单位 organization"],
                     ["好人", "goodone", "13700000003", "评委", org.name],
                     ["坏角色", "badrole", "13700000004", "国王", org.name],
                     ["重复", "dup", "13700000001", "评委", "不存在的单位"]])
    response = client.post("/admin/users/import", data={"file": (bad, "users.xlsx")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "未导入" in body
    assert "国王" in body and "不存在" not in body or "单位" in body
    assert db.session.query(User).filter_by(username="goodone").count() == 0  # nothing half-imported
    token = re.search(r"\"/reports/([^\"/]+)\.xlsx\"", body).group(1)
    report = client.get(f"/reports/{token}.xlsx")
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert rows[2][0].startswith("第3行") and rows[3][0].startswith("第4行") and not rows[1][0]

    # The report belongs to whoever ran the import.
    login("admin")
    assert client.get(f"/reports/{token}.xlsx").status_code == 404


def test_import_refuses_wrong_columns_and_wrong_files(client, login, db):
    login("staff")
    wrong_columns = _workbook([["名字", "电话"], ["甲", "13700000009"]])
    body = client.post("/admin/users/import", data={"file": (wrong_columns, "u.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "缺少" in body
    body = client.post("/admin/users/import", data={"file": (io.BytesIO(b"name,mobile\n"), "u.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert ".xlsx" in body
    body = client.post("/admin/users/import", data={"file": (io.BytesIO(b"PK\x03\x04garbage"), "u.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "损坏" in body or "无法打开" in body
    body = client.post("/admin/users/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "请选择" in body
    assert db.session.query(User).filter_by(mobile="13700000009").count() == 0


def test_import_template_has_bilingual_headers(client, login):
    login("staff")
    response = client.get("/admin/users/import/template.xlsx")
    headers = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert headers[:4] == ("姓名 name", "用户名 username", "手机号 mobile", "角色 roles")
