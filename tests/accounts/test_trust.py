"""Trust fixes: one login allowance per account however it is typed; no control characters in text."""
import io

import pytest
from openpyxl import load_workbook

from app.accounts.models import User
from app.forms import has_control_characters
from tests.factories import PASSWORD, UserFactory


def test_every_spelling_of_an_account_shares_one_login_allowance(client, db):
    user = UserFactory(mobile="13800000001", username="wei_hong")
    spellings = ["138 0000 0001", "+86 138-0000-0001", "8613800000001"]
    for login in spellings + ["WEI_HONG", "１３８００００００01"]:
        response = client.post("/login", data={"login": login, "password": "wrong-password"})
        assert response.status_code == 200  # refused, not yet limited
    response = client.post("/login", data={"login": "13800000001", "password": PASSWORD})
    assert response.status_code == 429  # the sixth try, whatever its spelling
    assert user.last_login_at is None


def test_unknown_names_are_limited_on_their_normalised_form(client, db):
    for login in ["139 1111 2222", "+86 13911112222", "139-1111-2222", "13911112222", "８６13911112222"]:
        assert client.post("/login", data={"login": login, "password": "x" * 8}).status_code == 200
    assert client.post("/login", data={"login": "13911112222", "password": "x" * 8}).status_code == 429


@pytest.mark.parametrize("text, multi_line, refused", [
    ("魏小红", False, False), ("a\x00b", False, True), ("a\x1bb", True, True), ("a\x7f", False, True),
    ("两行\n文字", False, True), ("两行\n文字", True, False), ("tab\tin", True, False),
])
def test_control_character_rule(text, multi_line, refused):
    assert has_control_characters(text, multi_line) is refused


@pytest.mark.parametrize("name", ["魏\x00小红", "魏小红\x1b[31m", "魏\x08红"])
def test_a_control_character_in_a_name_is_refused_with_a_message(client, db, login, users, name):
    response = client.post("/register", data={"name": name, "mobile": "13912340000", "password": "hongyun2026", "consent": "y"})
    assert response.status_code == 200 and "控制字符" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(mobile="13912340000").count() == 0
    user = users["trainee"]
    before = user.name
    staff = login("staff")
    response = client.post(f"/admin/users/{user.id}", data={
        "name": name, "mobile": user.mobile or "", "username": user.username or "", "roles": ["trainee"],
        "active": "y"})
    assert response.status_code == 200
    assert "控制字符" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.name == before and staff.name


def test_export_never_fails_on_stored_control_characters(client, db, login):
    # PostgreSQL cannot store NUL at all (the forms refuse it); other controls can be stored.
    UserFactory(name="坏\x01名\x1b字", mobile="13912340001")
    login("staff")
    response = client.get("/admin/users/export.xlsx")
    assert response.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert "坏名字" in names


def _label(html, field):
    import re

    found = re.search(rf'<label[^>]*for="{field}"[^>]*>\s*([^<]+?)\s*<', html)
    return found.group(1) if found else None


def test_people_have_a_full_name_and_things_a_name(client, db, login, users):
    assert _label(client.get("/register").get_data(as_text=True), "name") == "姓名"
    login("admin")
    assert _label(client.get("/admin/organizations/new").get_data(as_text=True), "name") == "名称"
    assert _label(client.get("/admin/trades/new").get_data(as_text=True), "name") == "名称"
    assert "<th>姓名</th>" in client.get("/admin/users").get_data(as_text=True)
    login("staff")
    assert _label(client.get("/competitions/manage/new").get_data(as_text=True), "name") == "名称"
