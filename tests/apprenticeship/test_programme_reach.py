"""A programme draws only on its organiser's people and respects agreements held in other programmes."""
import sqlalchemy as sa

from app.accounts.models import OrgKind
from app.apprenticeship import matching
from app.apprenticeship.models import ProposedPair, UnmatchedApprentice
from app.extensions import db
from tests.apprenticeship.factories import make_agreement, make_apprentice, make_master, make_programme, tree
from tests.factories import OrganizationFactory, TradeFactory


def _proposal(programme):
    pairs = {(p.master_id, p.apprentice_id) for p in db.session.scalars(
        sa.select(ProposedPair).where(ProposedPair.programme_id == programme.id, ProposedPair.status == "proposed"))}
    unmatched = {(u.apprentice_id, u.reason) for u in db.session.scalars(
        sa.select(UnmatchedApprentice).where(UnmatchedApprentice.programme_id == programme.id))}
    return pairs, unmatched


def test_a_programme_matches_the_people_below_its_organiser_and_counts_agreements_held_elsewhere(db):
    city = tree()
    railway = OrganizationFactory(name="铁路局工会", kind=OrgKind.FEDERATION)
    school = OrganizationFactory(name="铁路技师学院", kind=OrgKind.UNIT, parent=railway)
    trade = TradeFactory()
    city_master = make_master(city["unit"], trade, capacity=2)
    graduate = make_master(school, trade, level=3, capacity=1)
    student = make_apprentice(school, trade, level=5)
    worker = make_apprentice(city["unit"], trade)
    placed_elsewhere = make_apprentice(city["other_unit"], trade)

    hand_in_hand = make_programme("SLS", organiser=railway, kind="graduate_student")
    city_programme = make_programme("CITY", organiser=city["city"])
    # city_master already holds one place in an older programme, with an apprentice who is not free either
    make_agreement(make_programme("OLD"), city_master, placed_elsewhere)

    matching.run(None, hand_in_hand)
    assert _proposal(hand_in_hand) == ({(graduate.id, student.id)}, set())

    matching.run(None, city_programme)
    assert _proposal(city_programme) == ({(city_master.id, worker.id)}, set())

    second_worker = make_apprentice(city["unit"], trade)
    matching.run(None, city_programme)
    pairs, unmatched = _proposal(city_programme)
    (paired,) = [a for _m, a in pairs]
    (left_out,) = [a for a, reason in unmatched if reason == "masters_full"]
    assert {paired, left_out} == {worker.id, second_worker.id} and len(unmatched) == 1


def test_a_rejected_master_stays_avoided_on_every_later_run(db):
    orgs, trade = tree(), TradeFactory()
    programme = make_programme("AGAIN", organiser=orgs["city"])
    near = make_master(orgs["unit"], trade, capacity=1)
    far = make_master(orgs["other_unit"], trade, capacity=1)
    apprentice = make_apprentice(orgs["unit"], trade)
    matching.run(None, programme)
    assert _proposal(programme)[0] == {(near.id, apprentice.id)}
    pair = db.session.scalar(sa.select(ProposedPair).where(ProposedPair.programme_id == programme.id))
    pair.status = "rejected"
    db.session.flush()
    for _ in range(2):  # the first rerun deletes the rejected row; the second must still avoid `near`
        matching.run(None, programme)
        assert _proposal(programme)[0] == {(far.id, apprentice.id)}
