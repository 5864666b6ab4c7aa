"""Staff programme pages: every setting saved, the rules refused in place (translated), statuses."""
from decimal import Decimal

import sqlalchemy as sa

from app.apprenticeship.models import LogCadence, Programme, ProgrammeKind, ProgrammeStatus
from app.audit import AuditEvent
from tests.apprenticeship.factories import make_programme, tree

FORM = {
    "code": "SD2027", "name": "2027 名师带高徒", "cycle": "2026–2027", "kind": "master_apprentice",
    "pairing_mode": "two_way", "default_months": "24", "starts_on": "2027-01-01", "ends_on": "2028-12-31",
    "stipend_monthly": "150", "stipend_pct_excellent": "100", "stipend_pct_pass": "60", "stipend_pct_fail": "0",
    "bonus": "2000", "bonus_window_years": "3", "max_level_gap": "2", "same_unit": "forbidden",
    "log_cadence": "monthly", "criteria": "goals, 目标达成, 40\nfinal, 出师考核, 30\nrecords, 过程记录, 15\nmutual, 互评, 15",
    "commendation_tiers": "十佳师徒, 11, 2000\n优秀师徒, 21, 1000", "public_vote": "y",
}


def programme(db, code):
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def test_staff_create_and_edit_a_programme_with_every_setting(client, db, login, users):
    t = tree()
    login("staff")
    assert client.get("/apprenticeship/manage/programmes/new?lang=en").status_code == 200
    response = client.post("/apprenticeship/manage/programmes/new",
                           data={**FORM, "organiser_id": str(t["district"].id)})
    assert response.status_code == 303
    saved = programme(db, "SD2027")
    assert saved.pairing_mode == "two_way" and saved.default_months == 24 and saved.organiser_id == t["district"].id
    assert saved.stipend_monthly == Decimal("150.00") and saved.stipend_pct_pass == 60
    assert saved.bonus == Decimal("2000")
    assert saved.max_level_gap == 2 and saved.same_unit == "forbidden" and saved.public_vote
    assert [c["weight"] for c in saved.criteria] == [40, 30, 15, 15]
    assert saved.commendation_tiers[1] == {"name": "优秀师徒", "count": 21, "prize": "1000"}
    assert saved.status == ProgrammeStatus.DRAFT

    page = client.get(f"/apprenticeship/manage/programmes/SD2027?lang=en").get_data(as_text=True)
    assert "Run the matching" in page and "Unmatched apprentices: 0" in page
    form = client.get("/apprenticeship/manage/programmes/SD2027/settings").get_data(as_text=True)
    assert "final, 出师考核, 30" in form and "十佳师徒, 11, 2000" in form

    # a 手拉手 programme left without duration and cadence gets the shorter defaults; no level rule
    edit = {**FORM, "kind": "graduate_student", "default_months": "", "log_cadence": "", "max_level_gap": ""}
    assert client.post("/apprenticeship/manage/programmes/SD2027/settings", data=edit).status_code == 303
    db.session.expire_all()
    saved = programme(db, "SD2027")
    assert saved.kind == ProgrammeKind.GRADUATE_STUDENT and saved.default_months == 6
    assert saved.log_cadence == LogCadence.FORTNIGHTLY and saved.max_level_gap is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "apprenticeship.programme.edit")) == 1

    # statuses: draft → matching → active, never backwards from active
    status = "/apprenticeship/manage/programmes/SD2027/status"
    assert client.post(status, data={"target": "matching"}).status_code == 303
    assert client.post(status, data={"target": "active"}).status_code == 303
    client.post(status, data={"target": "draft"})
    db.session.expire_all()
    assert programme(db, "SD2027").status == ProgrammeStatus.ACTIVE


def test_the_rules_are_refused_in_place_in_english(client, db, login, users):
    make_programme("TAKEN")
    login("staff")
    url = "/apprenticeship/manage/programmes/new?lang=en"
    body = client.post(url, data={**FORM, "criteria": "goals, 目标达成, 50\nfinal, 出师考核, 30"}).get_data(as_text=True)
    assert "The weights must add up to 100 (now 80)." in body
    body = client.post(url, data={**FORM, "default_months": "6"}).get_data(as_text=True)
    assert "Agreements of this kind of programme run 12 to 36 months." in body
    body = client.post(url, data={**FORM, "code": "TAKEN"}).get_data(as_text=True)
    assert "Another programme already has this code." in body
    body = client.post(url, data={**FORM, "commendation_tiers": "十佳, many, 2000"}).get_data(as_text=True)
    assert "Line 1: the places are a whole number from 1 to 1000." in body
    assert programme(db, "SD2027") is None


def test_trainees_and_mentors_cannot_reach_the_staff_pages(client, db, login, users):
    make_programme("SD2026")
    for role in ("trainee", "mentor"):
        login(role)
        for url in ("/apprenticeship/manage/programmes", "/apprenticeship/manage/programmes/SD2026",
                    "/apprenticeship/manage/programmes/SD2026/pairs", "/apprenticeship/manage/masters"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post("/apprenticeship/manage/programmes/SD2026/match").status_code == 403
    login("mentor")
    page = client.get("/apprenticeship/my/pairing?lang=en").get_data(as_text=True)
    assert "My pairing" in page
