"""The master register for staff (search, record, eligibility), apprentices, the people import as a
job, and an apprentice's own ranked masters and masters to avoid."""
import io
import re
from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app import jobs
from app.accounts.models import Role
from app.apprenticeship.models import AvoidedMaster, Master, Preference
from tests.apprenticeship.factories import make_apprentice, make_master, tree
from tests.apprenticeship.helpers import make_trades, sheets, xlsx
from tests.factories import TradeFactory, UserFactory


def test_register_search_record_and_eligibility(client, db, login):
    t = tree()
    welding, turning = TradeFactory(name="焊工甲"), TradeFactory(name="车工乙")
    zhang = make_master(t["unit"], welding, user=UserFactory(name="张大师", username="m_zhang1", organization=t["unit"]),
                        years_in_post=12)
    make_master(t["other_unit"], turning, user=UserFactory(name="李大师", username="m_li1", organization=t["other_unit"]),
                years_in_post=2, safety_violation_on=date.today())
    make_apprentice(t["unit"], welding, user=UserFactory(name="陈小徒", username="a_chen1", organization=t["unit"]))
    login(UserFactory(organization=t["city"], roles=[Role.STAFF]))
    page = client.get("/apprenticeship/manage/masters?q=张大师").get_data(as_text=True)
    assert "m_zhang1" in page and "m_li1" not in page
    page = client.get(f"/apprenticeship/manage/masters?trade={turning.id}",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "m_li1" in page and "m_zhang1" not in page
    assert page.lstrip().startswith('<div id="apprenticeship-master-list">')
    assert "a_chen1" in client.get("/apprenticeship/manage/apprentices?q=焊工甲").get_data(as_text=True)

    record = client.get(f"/apprenticeship/manage/masters/{zhang.id}?lang=en").get_data(as_text=True)
    assert record.count('data-ok="yes"') == 2 and "At least 5 years in post" in record
    body = client.post(f"/apprenticeship/manage/masters/{zhang.id}?lang=en",
                       data={"capacity": "51", "active": "y"}).get_data(as_text=True)
    assert "Number must be between 0 and 50." in body
    response = client.post(f"/apprenticeship/manage/masters/{zhang.id}",
                           data={"capacity": "0", "honours": "全国技术能手", "studio_name": "张大师工作室",
                                 "years_in_post": "3", "safety_violation_on": "2026-01-05"})
    assert response.status_code == 303
    db.session.expire_all()
    zhang = db.session.get(Master, zhang.id)
    assert (zhang.capacity, zhang.honours, zhang.active, zhang.years_in_post) == (0, "全国技术能手", False, 3)
    record = client.get(f"/apprenticeship/manage/masters/{zhang.id}").get_data(as_text=True)
    assert record.count('data-ok="no"') == 2

    # a unit's staff reach only their units' masters
    login(UserFactory(organization=t["other_unit"], roles=[Role.STAFF]))
    assert client.get(f"/apprenticeship/manage/masters/{zhang.id}").status_code == 404
    assert "m_zhang1" not in client.get("/apprenticeship/manage/masters").get_data(as_text=True)


def test_people_import_page_runs_a_job(client, db, login, english):
    make_trades()
    login("staff")
    assert client.get("/apprenticeship/manage/people/import").status_code == 200
    upload = FileStorage(io.BytesIO(xlsx(sheets())), filename="people.xlsx")
    response = client.post("/apprenticeship/manage/people/import", data={"file": upload},
                           content_type="multipart/form-data")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job = jobs.by_token(re.search(r"/jobs/([\w-]+)", response.headers["Location"]).group(1))
    result = jobs.HANDLERS["apprenticeship.import"](job, lambda *args: None)
    assert "Imported 3 masters and 7 apprentices" in result.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Master)) == 3

    bad = sheets()
    bad["masters"][1][3] = "NOPE"  # an unknown trade: nothing is imported, the marked workbook is offered
    upload = FileStorage(io.BytesIO(xlsx(bad)), filename="people.xlsx")
    response = client.post("/apprenticeship/manage/people/import", data={"file": upload},
                           content_type="multipart/form-data")
    job = jobs.by_token(re.search(r"/jobs/([\w-]+)", response.headers["Location"]).group(1))
    try:
        jobs.HANDLERS["apprenticeship.import"](job, lambda *args: None)
    except jobs.JobFailed as failure:
        assert failure.data and failure.problems and failure.problems[0][0] == "masters"
    else:
        raise AssertionError("a bad workbook was imported")


def test_an_apprentice_ranks_masters_and_names_masters_to_avoid(client, db, login):
    t = tree()
    trade, other = TradeFactory(), TradeFactory()
    masters = [make_master(t["unit"], trade, user=UserFactory(name=f"师傅{i}号", organization=t["unit"]))
               for i in range(4)]
    stranger = make_master(t["unit"], other)
    apprentice = make_apprentice(t["unit"], trade)
    login(apprentice.user)
    page = client.get("/apprenticeship/my/preferences?q=师傅1").get_data(as_text=True)
    assert "师傅1号" in page and "师傅2号" not in page
    data = {"rank_1": str(masters[2].id), "rank_2": str(masters[0].id), "avoid": [str(masters[3].id)]}
    assert client.post("/apprenticeship/my/preferences", data=data).status_code == 303
    ranked = db.session.execute(sa.select(Preference.master_id, Preference.rank)
                                .where(Preference.apprentice_id == apprentice.id).order_by(Preference.rank)).all()
    assert ranked == [(masters[2].id, 1), (masters[0].id, 2)]
    assert db.session.scalars(sa.select(AvoidedMaster.master_id)).all() == [masters[3].id]
    # again, changed; a master of another trade or one both ranked and avoided is refused
    client.post("/apprenticeship/my/preferences", data={"rank_1": str(masters[1].id)})
    assert db.session.scalars(sa.select(Preference.master_id).where(
        Preference.apprentice_id == apprentice.id)).all() == [masters[1].id]
    client.post("/apprenticeship/my/preferences", data={"rank_1": str(stranger.id)})
    client.post("/apprenticeship/my/preferences", data={"rank_1": str(masters[0].id), "avoid": [str(masters[0].id)]})
    assert db.session.scalars(sa.select(Preference.master_id).where(
        Preference.apprentice_id == apprentice.id)).all() == [masters[1].id]
    # someone without a profile is told so
    login(UserFactory(organization=t["unit"]))
    assert "no apprentice profile" in client.get("/apprenticeship/my/preferences?lang=en").get_data(as_text=True)
