"""Bad input to the innovation pages never answers 500 and never changes data.

The same corpus idea as tests/core/test_bad_input.py, over programme settings,
places, criteria, applications and their attachments, expert grid cells,
ledger entries, the contest import and tampered URLs.
"""
import io

import pytest

from app.extensions import db as _db
from app.innovation.models import Application, ApplicationStage, ProgrammeStatus, StudioType
from tests.core.test_bad_input import BAD_FILES, BAD_SHEETS, CONTROL, NOT_A_DATE, NOT_A_NUMBER, NOT_AN_ID, TOO_LONG, \
    fingerprint
from tests.factories import session_identity
from tests.innovation.programme_helpers import accepted, experts, programme, staff_at, studio_of, union_tree


@pytest.fixture()
def world(db):
    tree = union_tree()
    open_call = programme(code="open-2026")
    reviewing = programme(code="review-2026", status=ProgrammeStatus.REVIEWING)
    seats = experts(reviewing, tree["experts"], count=1)
    in_review = accepted(reviewing, tree["direct"], "2026-001")
    studio, leader = studio_of(tree["unit"])
    draft = Application(programme_id=open_call.id, number="2026-001", title=studio.name, studio_id=studio.id,
                        studio_type=StudioType.MODEL_WORKER, unit_id=tree["unit"].id, applicant_id=leader.id,
                        stage=ApplicationStage.DRAFT, checklist={})
    _db.session.add(draft)
    _db.session.flush()
    return {"staff": staff_at(tree["city"], "市总干事"), "leader": leader, "expert": seats[0].user,
            "open": open_call, "reviewing": reviewing, "draft": draft, "in_review": in_review,
            "novelty": next(c for c in reviewing.criteria if c.code == "novelty")}


def _post(role, url, valid, field, value, htmx=False):
    return {"role": role, "url": url, "data": {**valid, field: value}, "htmx": htmx}


def _programme(field, value):
    valid = {"code": "new-2026", "name": "新项目", "year": "2026", "kind": "designation", "level": "city",
             "publicity_working_days": "5", "trim_at": "5", "total_budget": "100000"}
    return _post("staff", "/innovation/manage/programmes/new", valid, field, value)


def _quota(field, value):
    valid = {"studio_type": "craftsman", "quota": "3", "amount": "20000"}
    return _post("staff", "/innovation/manage/programmes/open-2026/quotas", valid, field, value)


def _criteria(value):
    return _post("staff", "/innovation/manage/programmes/open-2026/criteria", {}, "lines", value)


def _application(field, value):
    valid = {"title": "工作室", "summary": "简介", "requested_amount": "30000"}
    return _post("leader", "/innovation/applications/{draft}/edit", valid, field, value)


def _cell(value):
    return _post("expert", "/innovation/review/{reviewing}/cells", {}, "v-{in_review}-{novelty}", value, htmx=True)


def _entry(field, value):
    valid = {"kind": "adjustment", "grant_id": "", "entry_date": "2026-12-01", "amount": "100", "note": "其他支出"}
    return _post("staff", "/innovation/manage/programmes/open-2026/money", valid, field, value)


CASES = {}
for value in ["", "新 项目", "-x", "x" * 41, "a/b", "\x00"]:
    CASES[f"programme-code-{value!r}"] = _programme("code", value)
for field in ("year", "total_budget", "publicity_working_days", "trim_at", "unit_quota"):
    for value in NOT_A_NUMBER:
        CASES[f"programme-{field}-{value!r}"] = _programme(field, value)
for field in ("opens_on", "closes_on", "final_report_due"):
    for value in NOT_A_DATE[:4]:
        CASES[f"programme-{field}-{value!r}"] = _programme(field, value)
CASES["programme-kind-unknown"] = _programme("kind", "lottery")
CASES["programme-tie-break-unknown"] = _programme("tie_break", "luck")
CASES["programme-closes-before-it-opens"] = {**_programme("opens_on", "2026-12-10"),
                                             "data": {**_programme("opens_on", "2026-12-10")["data"],
                                                      "closes_on": "2026-12-01"}}
for value in CONTROL[:2] + [TOO_LONG]:
    CASES[f"programme-name-{value[:12]!r}"] = _programme("name", value)
for field in ("quota", "amount"):
    for value in NOT_A_NUMBER:
        CASES[f"quota-{field}-{value!r}"] = _quota(field, value)
CASES["quota-type-unknown"] = _quota("studio_type", "wizard")
for value in ["", "novelty", "a, 名称, 100", "a, 名称, 1e999, 100", "a, 名称, NaN, 100", "a, 名称, 100, 60",
              "a, 名称, 100, 50\na, 别名, 100, 50", "a b, 名称, 100, 100", "a, 名称, -5, 100", "a, 名称, 100, 100.001",
              "a, \x00, 100, 100", TOO_LONG]:
    CASES[f"criteria-{value[:20]!r}"] = _criteria(value)
for value in NOT_A_NUMBER + ["30000.001", "9999999999999999"]:
    CASES[f"application-amount-{value!r}"] = _application("requested_amount", value)
for value in CONTROL + ["", TOO_LONG]:
    CASES[f"application-title-{value[:12]!r}"] = _application("title", value)
for value in NOT_A_NUMBER + ["100.5", "101", "٣٠", "½"]:
    CASES[f"cell-{value!r}"] = _cell(value)
for field, values in (("amount", NOT_A_NUMBER), ("entry_date", NOT_A_DATE[:3]), ("grant_id", NOT_AN_ID[:4]),
                      ("kind", ["award", "theft"])):
    for value in values:
        CASES[f"ledger-{field}-{value!r}"] = _entry(field, value)
CASES["ledger-adjustment-without-a-reason"] = _entry("note", "")
# Attachments: only real PDF, JPG, PNG or xlsx files, under the size limit, whose names match their contents.
ATTACHMENTS = {name: (content, f"{name}.pdf") for name, content in BAD_FILES.items() if name != "pdf"}
ATTACHMENTS["png-named-pdf"] = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "申报书.pdf")
ATTACHMENTS["exe-named-pdf"] = (b"MZ\x90\x00" + b"\x00" * 64, "申报书.pdf")
ATTACHMENTS["too-big"] = (b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024), "申报书.pdf")
ATTACHMENTS["no-name"] = (b"%PDF-1.4\n", "")
for name, (content, filename) in ATTACHMENTS.items():
    CASES[f"attachment-{name}"] = {"role": "leader", "url": "/innovation/applications/{draft}/attachments",
                                   "file": (content, filename), "data": {"requirement": "申报书"}}
CASES["attachment-unknown-requirement"] = {"role": "leader", "url": "/innovation/applications/{draft}/attachments",
                                           "file": (b"%PDF-1.4\n%%EOF\n", "a.pdf"), "data": {"requirement": "护照"}}
for name, content in {**BAD_FILES, **BAD_SHEETS}.items():
    CASES[f"contest-import-{name}"] = {"role": "staff", "url": "/innovation/manage/contests/import",
                                       "file": (content, f"{name}.xlsx"), "data": {}}

URLS = ["/innovation/applications/99999999999999999999", "/innovation/applications/0",
        "/innovation/attachments/99999999999999999999", "/innovation/manage/programmes/%00",
        "/innovation/manage/programmes/nope/board", "/innovation/review/99999999999999999999",
        "/innovation/studios?page=-1", "/innovation/studios?page=99999999999999999999", "/innovation/studios?q=%00",
        "/innovation/studios?type=wizard&level=%00&district=abc&trade=-1", "/innovation/studios/%00",
        "/innovation/notices/abc", "/innovation/notices/99999999999999999999", "/innovation/contests/%00/results",
        "/innovation/manage/programmes/open-2026/applications?stage=%00",
        "/innovation/manage/programmes/open-2026/meeting-pack.exe",
        "/innovation/manage/programmes/open-2026/money?page=abc"]
for url in URLS:
    CASES[f"url-{url[:50]}"] = {"role": "staff", "url": url, "method": "GET"}


def test_the_innovation_corpus_is_large_enough():
    assert len(CASES) >= 150, len(CASES)


def _fill(text, world):
    return (text.replace("{draft}", str(world["draft"].id)).replace("{reviewing}", str(world["reviewing"].id))
            .replace("{in_review}", str(world["in_review"].id)).replace("{novelty}", str(world["novelty"].id)))


# A few batches over one shared world, as in tests/core/test_bad_input.py.
BATCHES = 5


@pytest.mark.parametrize("batch", range(BATCHES))
def test_bad_input_is_refused_without_a_server_error_or_a_change(batch, client, db, world):
    failures = [problem for case in sorted(CASES)[batch::BATCHES] if (problem := _try(case, client, db, world))]
    assert not failures, failures


def _try(case, client, db, world):
    spec = CASES[case]
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_identity(world[spec["role"]])
    db.session.flush()
    before = fingerprint()
    url = _fill(spec["url"], world)
    headers = {"HX-Request": "true"} if spec.get("htmx") else {}
    if spec.get("method") == "GET":
        response = client.get(url, headers=headers)
    elif "file" in spec:
        content, filename = spec["file"]
        response = client.post(url, data={**spec["data"], "file": (io.BytesIO(content), filename)},
                               content_type="multipart/form-data", headers=headers)
    else:
        data = {_fill(k, world): _fill(v, world) for k, v in spec["data"].items()}
        response = client.post(url, data=data, headers=headers)
    if response.status_code >= 500:
        return case, response.status_code
    if spec.get("method") != "GET" and response.status_code not in (200, 302, 303, 400, 404, 413, 422, 429):
        return case, response.status_code
    db.session.expire_all()
    if fingerprint() != before:
        return case, "data changed"
    return None
