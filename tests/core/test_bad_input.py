"""Bad input never answers 500 and never changes data.

A corpus of refused inputs over forms, grid cells, uploads and URLs. Each case
starts from a form that would be accepted and spoils one field; the page must
answer without a server error, and every table must hold exactly the rows it
held before (the audit trail included).
"""
import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.extensions import db as _db
from tests.competitions.conftest import build
from tests.factories import OrganizationFactory, TradeFactory
from tests.training.conftest import make_course

CONTROL = ["魏\x00红", "魏\x1b[31m红", "魏\x08红", "a\x7fb", "两行\n名字"]
TOO_LONG = "长" * 5000
# Numbers people and scripts get wrong.
NOT_A_NUMBER = ["abc", "1e999", "NaN", "sNaN", "Infinity", "-1", "0x10", "１２a", "99999999999999999999999", "1,5"]
NOT_A_DATE = ["2026-02-30", "2026-13-01", "not a date", "9999-99-99", "0000-00-00", "26/03/2026"]
NOT_AN_ID = ["abc", "-1", "99999999999999999999", "1.5", "1 OR 1=1", "\x00"]


def _xlsx(rows, title="Sheet"):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# Files no import may accept: not a workbook at all, broken, bombs, wrong or missing columns.
BAD_FILES = {
    "empty": b"",
    "text": "姓名,手机号\n魏小红,13800000001\n".encode(),
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "truncated-xlsx": _xlsx([["姓名 name", "手机号 mobile"], ["魏小红", "13800000001"]])[:700],
    "zip-not-xlsx": _zip({"hello.txt": "hi"}),
    "zip-bomb": _zip({"xl/worksheets/sheet1.xml": b"<" + b"a" * (60 * 1024 * 1024) + b">",
                      "[Content_Types].xml": b"<Types/>"}),
    "html-as-xlsx": b"<html><body><table><tr><td>x</td></tr></table></body></html>",
}
BAD_SHEETS = {
    "wrong-columns": _xlsx([["foo", "bar"], ["魏小红", "13800000001"]]),
    "header-only": _xlsx([["姓名 name", "手机号 mobile"]]),
    "no-rows-at-all": _xlsx([]),
    "formula-injection": _xlsx([["姓名 name", "手机号 mobile"], ["=HYPERLINK(\"http://x\")", "abc"]]),
    "huge-declared-sheet": None,  # built below: a dimension of a million rows
}


def _huge_declared():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名 name", "手机号 mobile"])
    sheet.cell(row=1_048_000, column=2, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BAD_SHEETS["huge-declared-sheet"] = _huge_declared()


def fingerprint():
    """Rows per table: what must not change."""
    counts = {}
    for table in _db.metadata.sorted_tables:
        if table.name == "user_session":
            continue
        counts[table.name] = _db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


@pytest.fixture()
def world(db, users):
    staff = users["staff"]
    cup = build(staff)
    course = make_course(staff)
    parent = OrganizationFactory(name="测试区总工会", kind="federation")
    TradeFactory(code="DG", name="电工")
    db.session.flush()
    return {"cup": cup, "course": course, "parent": parent}


# ---------------------------------------------------------------- the corpus

def _form(role, url, valid, field, value):
    return {"role": role, "method": "POST", "url": url, "data": {**valid, field: value}}


def _register(field, value):
    valid = {"name": "刘晓燕", "mobile": "13912345678", "password": "hongyun2026", "consent": "y"}
    return _form(None, lambda w: "/register", valid, field, value)


def _organization(field, value):
    valid = {"name": "新单位工会", "short_name": "新单位", "kind": "unit", "parent_id": "{parent}"}
    return _form("admin", lambda w: "/admin/organizations/new", valid, field, value)


def _trade(field, value):
    valid = {"code": "HJ", "name": "焊接", "name_en": "Welding", "occupation_code": "6-18-02-04"}
    return _form("admin", lambda w: "/admin/trades/new", valid, field, value)


def _competition(field, value):
    valid = {"code": "newcup", "name": "新杯", "year": "2026", "appeal_window_hours": "24"}
    return _form("staff", lambda w: "/competitions/manage/new", valid, field, value)


def _course(field, value):
    start = date.today() + timedelta(days=30)
    valid = {"title": "电工培训班", "base_id": "{base}", "trade_id": "{trade}", "level": "5",
             "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=5)).isoformat(), "seats": "20",
             "fee": "0", "eligibility": "anyone", "theory_weight": "30", "practical_weight": "70",
             "pass_mark": "60", "min_attendance": "80", "status": "published"}
    return _form("staff", lambda w: "/training/manage/courses/new", valid, field, value)


def _profile(value):
    return _form("trainee", lambda w: "/account", {"name": "学员"}, "name", value)


def _cell(value):
    return {"role": "judge0", "method": "POST", "url": lambda w: f"/competitions/judging/{w['cup']['event'].id}/cells",
            "data": {"v-{entry}-{quality}": value}, "htmx": True}


def _upload(url, role, name, content):
    return {"role": role, "method": "POST", "url": url, "file": (content, f"{name}.xlsx")}


CASES = {}
for value in CONTROL + ["", "   ", TOO_LONG]:
    CASES[f"register-name-{value[:12]!r}"] = _register("name", value)
for value in ["", "abc", "1234567890", "138000000011", "+1 555 0100", "١٣٨١٢٣٤٥٦٧٨", "13800000001; DROP TABLE user",
              "\x00", "138 0000 000", TOO_LONG, "23800000001"]:
    CASES[f"register-mobile-{value[:12]!r}"] = _register("mobile", value)
for value in ["", "short", "1234567", TOO_LONG]:
    CASES[f"register-password-{value[:8]!r}"] = _register("password", value)
CASES["register-without-consent"] = _register("consent", "")
for value in CONTROL + ["", TOO_LONG]:
    CASES[f"profile-name-{value[:12]!r}"] = _profile(value)
for value in CONTROL + ["", TOO_LONG]:
    CASES[f"organization-name-{value[:12]!r}"] = _organization("name", value)
for value in NOT_AN_ID:
    CASES[f"organization-parent-{value!r}"] = _organization("parent_id", value)
for value in ["", "galaxy", "unit'--"]:
    CASES[f"organization-kind-{value!r}"] = _organization("kind", value)
for value in ["", "焊接", "a b", "x" * 13, "HJ;", "\x00"]:
    CASES[f"trade-code-{value!r}"] = _trade("code", value)
for value in CONTROL[:2] + [TOO_LONG]:
    CASES[f"trade-name-{value[:12]!r}"] = _trade("name", value)
for value in ["", "新 杯", "杯", "-start", "x" * 41, "a/b", "../x"]:
    CASES[f"competition-code-{value!r}"] = _competition("code", value)
for value in NOT_A_NUMBER + ["1999", "2101"]:
    CASES[f"competition-year-{value!r}"] = _competition("year", value)
for value in NOT_A_NUMBER[:5] + ["721"]:
    CASES[f"competition-appeal-hours-{value!r}"] = _competition("appeal_window_hours", value)
for field in ("seats", "fee", "theory_weight", "pass_mark", "min_attendance"):
    for value in NOT_A_NUMBER[:7]:
        CASES[f"course-{field}-{value!r}"] = _course(field, value)
for field in ("starts_on", "ends_on"):
    for value in NOT_A_DATE:
        CASES[f"course-{field}-{value!r}"] = _course(field, value)
for field in ("base_id", "trade_id"):
    for value in NOT_AN_ID[:4]:
        CASES[f"course-{field}-{value!r}"] = _course(field, value)
CASES["course-weights-not-100"] = _course("practical_weight", "80")
CASES["course-ends-before-it-starts"] = _course("ends_on", (date.today() + timedelta(days=1)).isoformat())
CASES["course-level-unknown"] = _course("level", "9")
CASES["course-title-control"] = _course("title", CONTROL[0])
for value in NOT_A_NUMBER + ["60.001", "61", "1000", "٣٠", "१०", "3 0", "--5", "5-", ".", "+", "1/2", "½", "⑩"]:
    CASES[f"cell-{value!r}"] = _cell(value)

UPLOADS = {
    "users": (lambda w: "/admin/users/import", "staff"),
    "roster": (lambda w: f"/training/manage/courses/{w['course'].id}/roster", "staff"),
    "marks": (lambda w: f"/training/courses/{w['course'].id}/assessment/import", "staff"),
}
for upload, (url, role) in UPLOADS.items():
    for name, content in {**BAD_FILES, **BAD_SHEETS}.items():
        CASES[f"upload-{upload}-{name}"] = _upload(url, role, name, content)
# The competition workbook is imported by a background job: files that are not workbooks are refused at once.
for name, content in BAD_FILES.items():
    CASES[f"upload-competition-{name}"] = _upload(lambda w: "/competitions/manage/import", "staff", name, content)

URLS = ["/competitions/judging/99999999999999999999/1", "/competitions/judging/-1/1", "/training/courses/abc",
        "/training/courses/99999999999999999999", "/admin/users/99999999999999999999", "/admin/users/0",
        "/verify/%00", "/verify/" + "x" * 3000, "/competitions/%0d%0a/results", "/training/?page=-1",
        "/training/?page=99999999999999999999", "/training/?page=abc", "/training/?q=%00", "/admin/users?q=" + "x" * 3000,
        "/login?next=%0d%0aLocation:%20http://evil.example", "/login?next=//evil.example", "/login?next=javascript:x",
        "/reports/..%2f..%2fetc%2fpasswd.xlsx", "/jobs/%00", "/competitions/?page=-5",
        "/training/manage/courses/1/enrolments?status=%00", "/training/manage/courses/1/enrolments?page=abc",
        "/admin/audit?page=-1", "/competitions/judging/{event}/{stage}?page=%00"]
for url in URLS:
    CASES[f"url-{url[:40]}"] = {"role": "staff" if "/admin" in url or "/manage" in url else "judge0", "method": "GET",
                                "url": (lambda u: lambda w: u)(url)}


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 200, len(CASES)


def _fill(text, world):
    cup = world["cup"]
    return (text.replace("{parent}", str(world["parent"].id)).replace("{base}", str(world["course"].base_id))
            .replace("{trade}", str(world["course"].trade_id)).replace("{entry}", str(cup["entries"][1].id))
            .replace("{quality}", str(cup["quality"].id)).replace("{event}", str(cup["event"].id))
            .replace("{stage}", str(cup["practical"].id)))


# The cases run in a few batches over one shared world (building the world per case was most of the
# suite's time); each case still starts from a fingerprint of its own and is named when it fails.
BATCHES = 6


@pytest.mark.parametrize("batch", range(BATCHES))
def test_bad_input_is_refused_without_a_server_error_or_a_change(batch, client, db, world, login, users):
    failures = [problem for case in sorted(CASES)[batch::BATCHES]
                if (problem := _try(case, client, db, world, login))]
    assert not failures, failures


def _try(case, client, db, world, login):
    spec = CASES[case]
    role = spec["role"]
    with client.session_transaction() as session:
        session.clear()
    if role == "judge0":
        login(world["cup"]["judges"][1])
    elif role:
        login(role)
    db.session.flush()
    before = fingerprint()
    url = _fill(spec["url"](world), world)
    headers = {"HX-Request": "true"} if spec.get("htmx") else {}
    if "file" in spec:
        content, filename = spec["file"]
        response = client.post(url, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data",
                               headers=headers)
    elif spec["method"] == "POST":
        data = {_fill(k, world): _fill(v, world) for k, v in spec["data"].items()}
        response = client.post(url, data=data, headers=headers)
    else:
        response = client.get(url, headers=headers)
    if response.status_code >= 500:
        return case, response.status_code
    if spec["method"] == "POST":
        if response.status_code == 303 and "/jobs/" in response.headers.get("Location", ""):
            return case, "started a job"
        # Said in words: a form or cell re-rendered with its message, or a refusal page.
        if response.status_code not in (200, 302, 303, 400, 404, 413, 422, 429):
            return case, response.status_code
    db.session.expire_all()
    if fingerprint() != before:
        return case, "data changed"
    return None
