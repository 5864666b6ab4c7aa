"""Staff review of proposed pairs: accept (the draft agreement), reject, another master, places held
by the database, reach by unit; two-way choice needing both sides; the matching run as a job."""
import re

import pytest
import sqlalchemy as sa

from app import jobs
from app.accounts.models import Role, User
from app.apprenticeship import pairing
from app.extensions import db as _db
from app.apprenticeship.models import PairStatus, ProposedPair, UnmatchedApprentice
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from tests.apprenticeship.factories import make_apprentice, make_master, make_pair, make_programme, tree
from tests.competitions.test_concurrency import pg_live  # noqa: F401  (a live app on its own PostgreSQL database)
from tests.factories import TradeFactory, UserFactory
from tests.innovation.test_money_concurrency import race


def setting(mode="assigned"):
    t = tree()
    trade = TradeFactory()
    t["trade"] = trade
    t["programme"] = make_programme("PR1", status="matching", pairing_mode=mode)
    t["city_staff"] = UserFactory(organization=t["city"], roles=[Role.STAFF])
    t["unit_staff"] = UserFactory(organization=t["unit"], roles=[Role.STAFF])
    t["other_staff"] = UserFactory(organization=t["other_unit"], roles=[Role.STAFF])
    t["master"] = make_master(t["unit"], trade, level=2, capacity=1)
    t["spare"] = make_master(t["other_unit"], trade, level=3, capacity=2)
    t["a1"] = make_apprentice(t["unit"], trade, level=4)
    t["a2"] = make_apprentice(t["unit"], trade, level=5)
    t["a3"] = make_apprentice(t["other_unit"], trade, level=4)
    return t


def pair(db, pair_id):
    db.session.expire_all()
    return db.session.get(ProposedPair, pair_id)


def url(t, p, action):
    return f"/apprenticeship/manage/programmes/PR1/pairs/{p.id}/{action}"


HX = {"HX-Request": "true"}


def test_accept_reject_and_another_master(client, db, login):
    t = setting()
    p1 = make_pair(t["programme"], t["master"], t["a1"], status=PairStatus.PROPOSED)
    p2 = make_pair(t["programme"], t["master"], t["a2"], status=PairStatus.PROPOSED)
    p3 = make_pair(t["programme"], t["spare"], t["a3"], status=PairStatus.PROPOSED)
    login(t["unit_staff"])

    # accept (htmx): the row comes back accepted and the draft agreement exists
    response = client.post(url(t, p1, "accept") + "?lang=en", headers=HX)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith("<tr") and 'data-status="accepted"' in row
    assert pair(db, p1.id).status == PairStatus.ACCEPTED
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.pair_id == p1.id))
    assert agreement.status == AgreementStatus.PROPOSED and agreement.master_id == t["master"].id

    # the master's only place is taken: the second pair is refused in its row and stays proposed
    row = client.post(url(t, p2, "accept") + "?lang=en", headers=HX).get_data(as_text=True)
    assert "This master has no free place left in this programme." in row
    assert pair(db, p2.id).status == PairStatus.PROPOSED

    # another master: only same-trade masters with a free place are offered
    form = client.get(url(t, p2, "edit"), headers=HX).get_data(as_text=True)
    assert f'value="{t["spare"].id}"' in form and f'value="{t["master"].id}"' not in form
    assert "<select" not in client.get(url(t, p2, "edit") + "?cancel=1", headers=HX).get_data(as_text=True)
    client.post(url(t, p2, "edit"), data={"master_id": str(t["spare"].id)}, headers=HX)
    moved = pair(db, p2.id)
    assert moved.master_id == t["spare"].id and moved.scope == "industry" and moved.level_gap == 2

    # reject needs a reason, which is kept
    client.post(url(t, p2, "reject") + "?lang=en", data={"reason": ""}, headers=HX)
    assert pair(db, p2.id).status == PairStatus.PROPOSED
    client.post(url(t, p2, "reject"), data={"reason": "师傅调岗"}, headers=HX)
    assert (pair(db, p2.id).status, pair(db, p2.id).reject_reason) == (PairStatus.REJECTED, "师傅调岗")

    # a unit's staff cannot see or act on another unit's pairs
    listing = client.get("/apprenticeship/manage/programmes/PR1/pairs").get_data(as_text=True)
    assert f"apprenticeship-pair-{p1.id}" in listing and f"apprenticeship-pair-{p3.id}" not in listing
    assert client.post(url(t, p3, "accept")).status_code == 404
    assert client.post(url(t, p3, "reject"), data={"reason": "x"}).status_code == 404
    assert pair(db, p3.id).status == PairStatus.PROPOSED

    # the batch: accept all proposed on the page (city staff see everything)
    login(t["city_staff"])
    response = client.post("/apprenticeship/manage/programmes/PR1/pairs/accept", data={"pair": [str(p3.id)]})
    assert response.status_code == 303 and pair(db, p3.id).status == PairStatus.ACCEPTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 2


def test_two_way_choice_needs_staff_master_and_apprentice(client, db, login):
    t = setting("two_way")
    p1 = make_pair(t["programme"], t["master"], t["a1"], status=PairStatus.PROPOSED)
    p3 = make_pair(t["programme"], t["spare"], t["a3"], status=PairStatus.PROPOSED)
    login(t["city_staff"])
    client.post(url(t, p1, "accept"), headers=HX)
    assert pair(db, p1.id).status == PairStatus.PROPOSED and pair(db, p1.id).staff_accepted_at is not None
    batch = client.post("/apprenticeship/manage/programmes/PR1/pairs/accept?lang=en", data={"pair": [str(p3.id)]},
                        follow_redirects=True).get_data(as_text=True)
    assert "1 accepted by the union now wait for the master and the apprentice." in batch
    assert pair(db, p3.id).status == PairStatus.PROPOSED and pair(db, p3.id).staff_accepted_at is not None

    login(t["master"].user)
    page = client.get("/apprenticeship/my/pairing?lang=en").get_data(as_text=True)
    assert f"apprenticeship-my-pair-{p1.id}" in page and "Accept" in page
    assert client.post(f"/apprenticeship/my/pairing/{p1.id}/accept").status_code == 303
    assert pair(db, p1.id).status == PairStatus.PROPOSED and db.session.scalar(
        sa.select(sa.func.count()).select_from(Agreement)) == 0
    # the master cannot answer for the apprentice, nor for someone else's pair
    assert client.post(f"/apprenticeship/my/pairing/{p3.id}/accept").status_code == 404

    login(t["a1"].user)
    client.post(f"/apprenticeship/my/pairing/{p1.id}/accept")
    assert pair(db, p1.id).status == PairStatus.ACCEPTED
    assert db.session.scalar(sa.select(Agreement.status).where(Agreement.pair_id == p1.id)) == AgreementStatus.PROPOSED

    # either side declining rejects the pair; the next matching run avoids it
    login(t["a3"].user)
    client.post(f"/apprenticeship/my/pairing/{p3.id}/decline", data={"reason": "想去本单位"})
    assert (pair(db, p3.id).status, pair(db, p3.id).reject_reason) == (PairStatus.REJECTED, "想去本单位")
    from app.apprenticeship import matching

    _, apprentices = matching.inputs(t["programme"])
    assert t["spare"].id in next(a for a in apprentices if a.id == t["a3"].id).avoid


def test_matching_runs_as_a_job_once_at_a_time(app, client, db, login, english):
    t = setting()
    login(t["city_staff"])
    response = client.post("/apprenticeship/manage/programmes/PR1/match")
    assert response.status_code == 303
    token = re.search(r"/jobs/([\w-]+)", response.headers["Location"]).group(1)
    again = client.post("/apprenticeship/manage/programmes/PR1/match")
    assert again.headers["Location"].endswith(f"/jobs/{token}")  # the same run, not a second one
    login(t["unit_staff"])
    refused = client.post("/apprenticeship/manage/programmes/PR1/match?lang=en", follow_redirects=True)
    assert "already under way" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(jobs.Job)) == 1

    job = jobs.by_token(token)
    steps = []
    result = jobs.HANDLERS["apprenticeship.match"](job, lambda done, total, message=None: steps.append((done, total)))
    assert steps and steps[-1][0] == steps[-1][1]
    assert "3 pairs proposed" in result.message and result.url.endswith("/apprenticeship/manage/programmes/PR1/pairs")
    pairs = db.session.execute(sa.select(ProposedPair.apprentice_id, ProposedPair.master_id, ProposedPair.scope)).all()
    # own unit first: the master takes one of its unit's two apprentices, the spare its own unit's
    # apprentice and then the other one within the district
    assert sorted(str(scope) for _, _, scope in pairs) == ["industry", "unit", "unit"]
    assert (t["a3"].id, t["spare"].id, "unit") in [(a, m, str(s)) for a, m, s in pairs]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnmatchedApprentice)) == 0


@pytest.mark.parametrize("database", ["postgresql"])
def test_two_staff_accepting_for_a_masters_last_place_at_once(pg_live, database):  # noqa: F811
    """Two pairs of a one-place master accepted at the same moment: the database lets exactly one in."""
    with pg_live.app_context():
        t = setting()
        p1 = make_pair(t["programme"], t["master"], t["a1"], status=PairStatus.PROPOSED)
        p2 = make_pair(t["programme"], t["master"], t["a2"], status=PairStatus.PROPOSED)
        _db.session.commit()
        ids = {"staff": t["city_staff"].id, "pairs": [p1.id, p2.id]}

    def accept(index):
        pairing.accept(_db.session.get(User, ids["staff"]), _db.session.get(ProposedPair, ids["pairs"][index]))

    outcomes = race(pg_live, accept)
    with pg_live.app_context():
        assert outcomes.count("ok") == 1 and len(outcomes) == 2, outcomes
        statuses = _db.session.scalars(sa.select(ProposedPair.status).where(ProposedPair.id.in_(ids["pairs"]))).all()
        assert sorted(statuses) == [PairStatus.ACCEPTED, PairStatus.PROPOSED]
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 1
