"""社会公示: opening for N working days, objections from the public, and closing."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.innovation import publicity
from app.innovation.models import (
    Application,
    ApplicationOutcome,
    ApplicationStage,
    Designation,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
    Studio,
    StudioLevel,
    StudioType,
)
from app.innovation.models_publicity import Holiday, Publicity, PublicObjection
from app.notifications import Notification
from app.review.models import ObjectionStatus
from tests.innovation.conftest import make_application, make_programme, make_studio


@pytest.fixture()
def proposals(db, users, leader):
    """A designation programme after its meeting: two proposals and one accepted but not proposed."""
    unit = users["staff"].organization
    programme = make_programme()
    first = make_studio(unit, "焊接创新工作室", leader=leader, level=StudioLevel.DISTRICT)
    second = make_studio(unit, "数控创新工作室", level=StudioLevel.ENTERPRISE, designated=False)
    third = make_studio(unit, "电气创新工作室", level=StudioLevel.ENTERPRISE, designated=False)
    return {
        "programme": programme,
        "kept": make_application(programme, first),
        "objected": make_application(programme, second, applicant=users["studio"]),
        "unplaced": make_application(programme, third, proposed=False),
    }


def opened(users, proposals, starts_on=date(2026, 12, 7)):
    return publicity.open_publicity(users["staff"], proposals["programme"], starts_on=starts_on)


# ---------------------------------------------------------------- opening

def test_opening_needs_the_meeting_decision_and_counts_working_days(db, users, proposals, english):
    programme = proposals["programme"]
    programme.status = ProgrammeStatus.REVIEWING
    with pytest.raises(DomainError, match="after the meeting"):
        opened(users, proposals)
    programme.status, programme.decision_document_no = ProgrammeStatus.MEETING, ""
    with pytest.raises(DomainError, match="decision"):
        opened(users, proposals)
    programme.decision_document_no = "徐工发〔2026〕12号"
    with pytest.raises(DomainError, match="staff"):
        publicity.open_publicity(users["studio"], programme, starts_on=date(2026, 12, 7))
    # A holiday on the Wednesday pushes the end a working day later.
    db.session.add(Holiday(day=date(2026, 12, 9), name="测试假日"))
    db.session.flush()
    notice = opened(users, proposals)
    assert (notice.starts_on, notice.ends_on, notice.working_days) == (date(2026, 12, 7), date(2026, 12, 14), 5)
    assert programme.status == ProgrammeStatus.PUBLICITY
    with pytest.raises(DomainError):
        publicity.open_publicity(users["staff"], programme, starts_on=date(2026, 12, 7))


def test_staff_open_the_notice_from_its_page(client, db, users, login, proposals):
    login("staff")
    programme = proposals["programme"]
    page = client.get(f"/innovation/manage/programmes/{programme.id}/notice").get_data(as_text=True)
    assert "焊接创新工作室" in page and "数控创新工作室" in page and "电气创新工作室" not in page
    response = client.post(f"/innovation/manage/programmes/{programme.id}/notice", data={"starts_on": "2026-12-07"})
    assert response.status_code == 303
    notice = db.session.scalar(sa.select(Publicity).where(Publicity.programme_id == programme.id))
    assert notice.ends_on == date(2026, 12, 11)
    html = client.get(f"/innovation/notices/{notice.id}").get_data(as_text=True)
    assert "2026年12月7日" in html and "焊接创新工作室" in html and "100000" in html
    assert notice.title in client.get("/innovation/notices").get_data(as_text=True)


# ---------------------------------------------------------------- objections

def objection(entry=None, **extra):
    return {"name": "匿名群众", "contact": "13800000000", "reason": "该工作室成员不足三人，申报材料与事实不符。",
            "application_id": str(entry.id) if entry else "", **extra}


def test_anyone_objects_while_the_notice_runs(client, db, users, proposals):
    today = publicity.local_today()
    notice = opened(users, proposals, starts_on=today)
    response = client.post(f"/innovation/notices/{notice.id}", data=objection(proposals["objected"]))
    assert response.status_code == 303
    lodged = db.session.scalars(sa.select(PublicObjection)).all()
    assert [(o.application_id, o.status) for o in lodged] == [(proposals["objected"].id, ObjectionStatus.OPEN)]
    assert len(lodged[0].client_key) == 64 and "127.0.0.1" not in lodged[0].client_key
    # An entry not on the notice, or an empty reason: refused in place, nothing written.
    html = client.post(f"/innovation/notices/{notice.id}",
                       data=objection(proposals["unplaced"], contact="13800000001")).get_data(as_text=True)
    assert "field-error" in html
    client.post(f"/innovation/notices/{notice.id}", data=objection(reason="", contact="13800000002"))
    for garbage in ("abc", "99999999999999", "-1"):
        response = client.post(f"/innovation/notices/{notice.id}",
                               data=objection(application_id=garbage, contact=f"1380000001{len(garbage)}"))
        assert response.status_code == 200 and "field-error" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicObjection)) == 1
    # The whole list may be objected to.
    client.post(f"/innovation/notices/{notice.id}", data=objection(contact="13800000003"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicObjection)) == 2


def test_objections_after_the_end_are_refused(client, db, users, proposals):
    notice = opened(users, proposals, starts_on=date(2026, 1, 5))  # ended long ago
    html = client.get(f"/innovation/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="objections-closed"' in html and 'name="reason"' not in html
    client.post(f"/innovation/notices/{notice.id}", data=objection(proposals["objected"]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicObjection)) == 0


def test_objections_are_rate_limited_per_contact_and_per_address(client, db, users, proposals):
    notice = opened(users, proposals, starts_on=publicity.local_today())
    url = f"/innovation/notices/{notice.id}"
    for _ in range(3):
        assert client.post(url, data=objection()).status_code == 303
    limited = client.post(url, data=objection())
    assert limited.status_code == 429 and 'data-testid="rate-limited"' in limited.get_data(as_text=True)
    # Another contact from the same address: two more, then the address is limited.
    for n in range(2):
        assert client.post(url, data=objection(contact=f"1390000000{n}")).status_code == 303
    assert client.post(url, data=objection(contact="13900000009")).status_code == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicObjection)) == 5
    # Reading the notice is never limited.
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------- deciding and closing

def test_closing_rules(client, db, users, login, proposals, english):
    notice = opened(users, proposals)
    lodged = publicity.lodge_objection(notice, name="张三", contact="138", reason="材料与事实不符，请核查。",
                                       application_id=proposals["objected"].id, today=date(2026, 12, 8))
    with pytest.raises(DomainError, match="runs until"):
        publicity.close(users["staff"], notice, today=date(2026, 12, 11))
    with pytest.raises(DomainError, match="Decide every objection first"):
        publicity.close(users["staff"], notice, today=date(2026, 12, 14))
    with pytest.raises(DomainError):
        publicity.decide_objection(users["staff"], lodged, upheld=True, resolution="  ")
    assert lodged.status == ObjectionStatus.OPEN
    with pytest.raises(DomainError):
        publicity.lodge_objection(notice, name="李四", contact="139", reason="公示期结束后才提出的异议。",
                                  today=date(2026, 12, 12))
    # Through the page: closing before the end date is refused with a message.
    login("staff")
    client.post(f"/innovation/manage/notices/{notice.id}/close")
    assert db.session.get(Publicity, notice.id).is_open


def test_an_upheld_objection_withdraws_the_entry_and_releases_its_place(client, db, users, login, proposals):
    programme = proposals["programme"]
    notice = opened(users, proposals)
    publicity.lodge_objection(notice, name="张三", contact="138", reason="该工作室实际成员不足，材料造假。",
                              application_id=proposals["objected"].id, today=date(2026, 12, 8))
    publicity.lodge_objection(notice, name="李四", contact="139", reason="我认为焊接工作室不够格。",
                              application_id=proposals["kept"].id, today=date(2026, 12, 9))
    db.session.flush()
    upheld, dismissed = notice.objections
    login("staff")
    client.post(f"/innovation/manage/notices/{notice.id}/objections/{upheld.id}",
                data={"decision": "uphold", "resolution": "经核实，该工作室实际成员不足三人，取消拟命名资格。"})
    client.post(f"/innovation/manage/notices/{notice.id}/objections/{dismissed.id}",
                data={"decision": "dismiss", "resolution": "经核实，反映问题不属实。"})
    db.session.expire_all()
    assert [o.status for o in db.session.get(Publicity, notice.id).objections] == [
        ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED]
    assert db.session.get(Programme, programme.id).committed_amount == Decimal("200000")

    approved = publicity.close(users["staff"], db.session.get(Publicity, notice.id), today=date(2026, 12, 14))
    db.session.flush()
    assert [a.id for a in approved] == [proposals["kept"].id]
    kept, objected, unplaced = (db.session.get(Application, proposals[k].id) for k in ("kept", "objected", "unplaced"))
    assert (kept.outcome, kept.proposed) == (ApplicationOutcome.APPROVED, True)
    assert (objected.outcome, objected.proposed, objected.proposed_amount) == (ApplicationOutcome.WITHDRAWN, False, None)
    assert objected.outcome_reason == "经核实，该工作室实际成员不足三人，取消拟命名资格。"
    assert unplaced.outcome == ApplicationOutcome.NOT_SELECTED
    programme = db.session.get(Programme, programme.id)
    assert programme.status == ProgrammeStatus.CONCLUDED
    assert programme.committed_amount == Decimal("100000")
    quota = db.session.scalar(sa.select(ProgrammeQuota).where(ProgrammeQuota.programme_id == programme.id))
    assert quota.proposed_count == 1
    # The approved studio is designated at the programme's level; the withdrawn one is not.
    designation = db.session.scalar(sa.select(Designation).where(Designation.programme_id == programme.id))
    assert (designation.studio_id, designation.level, designation.document_no, designation.designated_on) == (
        kept.studio_id, StudioLevel.CITY, "徐工发〔2026〕12号", date(2026, 11, 30))
    assert db.session.get(Studio, kept.studio_id).level == StudioLevel.CITY
    assert db.session.get(Studio, objected.studio_id).level == StudioLevel.ENTERPRISE
    # Both applicants are told.
    told = {n.user_id for n in db.session.scalars(sa.select(Notification).where(
        Notification.kind == "innovation.outcome"))}
    assert told == {kept.studio.leader_id, users["studio"].id}
    # The public page shows the final list with the public reason.
    html = client.get(f"/innovation/notices/{notice.id}").get_data(as_text=True)
    assert "经核实，该工作室实际成员不足三人，取消拟命名资格。" in html and "焊接创新工作室" in html
    assert "电气创新工作室" not in html
    with pytest.raises(DomainError):
        publicity.close(users["staff"], db.session.get(Publicity, notice.id), today=date(2026, 12, 15))


def test_achievement_contests_create_no_designations(db, users, leader):
    programme = make_programme(kind=ProgrammeKind.ACHIEVEMENT, quotas=((StudioType.WORKER, 2, Decimal(0)),),
                               budget=None)
    studio = make_studio(users["staff"].organization, leader=leader, designated=False,
                         level=StudioLevel.ENTERPRISE)
    make_application(programme, studio, amount=Decimal(0))
    notice = publicity.open_publicity(users["staff"], programme, starts_on=date(2026, 12, 7))
    assert len(publicity.close(users["staff"], notice, today=date(2026, 12, 12))) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Designation)) == 0


# ---------------------------------------------------------------- holidays

def test_staff_keep_the_holiday_list(client, db, users, login):
    login("staff")
    assert client.post("/innovation/manage/holidays", data={"day": "2026-10-01", "name": "国庆节"}).status_code == 303
    assert client.post("/innovation/manage/holidays",
                       data={"day": "2026-10-10", "name": "调休", "working": "y"}).status_code == 303
    html = client.post("/innovation/manage/holidays",
                       data={"day": "2026-10-12", "name": "周一", "working": "y"}).get_data(as_text=True)
    assert "field-error" in html  # a weekday cannot be a working weekend day
    client.post("/innovation/manage/holidays", data={"day": "2026-10-01", "name": "重复"})
    rows = db.session.scalars(sa.select(Holiday).order_by(Holiday.day)).all()
    assert [(h.day, h.working) for h in rows] == [(date(2026, 10, 1), False), (date(2026, 10, 10), True)]
    assert publicity.calendar_from(date(2026, 9, 1)) == ({date(2026, 10, 1)}, {date(2026, 10, 10)})
    assert client.post(f"/innovation/manage/holidays/{rows[0].id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holiday)) == 1
    login("trainee")
    assert client.get("/innovation/manage/holidays").status_code == 403


def test_the_public_cannot_reach_staff_pages(client, db, users, login, proposals):
    notice = opened(users, proposals)
    login("studio")
    assert client.get(f"/innovation/manage/notices/{notice.id}").status_code == 403
    assert client.post(f"/innovation/manage/notices/{notice.id}/close").status_code == 403
    assert client.get("/innovation/notices/999999").status_code == 404
