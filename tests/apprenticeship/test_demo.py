"""`flask demo`'s apprenticeship data: the city programme with pairs at every scope and agreements in
every state, the demo mentor and trainee as a pair in force, the railway's 121 手拉手 pairs; a second
run changes nothing."""
from collections import Counter

import sqlalchemy as sa

from app.accounts import demo as accounts_demo
from app.apprenticeship import demo
from app.apprenticeship.models import Programme, ProposedPair
from app.apprenticeship.models_agreements import Agreement
from app.apprenticeship.models_assessment import AssessmentRound, AssessmentSubject
from app.apprenticeship.models_commendation import CommendationCertificate, CommendationCycle
from app.apprenticeship.models_logs import AgreementLog
from app.extensions import db


def test_the_apprenticeship_demo_has_every_scope_state_and_the_121_hand_in_hand_pairs(db):
    context = {"password": "demo1234"}
    accounts_demo.load(context)
    demo.load(context)
    city = db.session.scalar(sa.select(Programme).where(Programme.code == demo.PROGRAMME_CODE))
    railway = db.session.scalar(sa.select(Programme).where(Programme.code == demo.HAND_IN_HAND_CODE))

    scopes = Counter(db.session.scalars(sa.select(ProposedPair.scope).where(ProposedPair.programme_id == city.id)))
    assert set(scopes) == {"unit", "industry", "system"}, scopes
    states = Counter(db.session.scalars(sa.select(Agreement.status).where(Agreement.programme_id == city.id)))
    assert {"awaiting_signatures", "active", "awaiting_assessment", "completed"} <= set(states), states
    pair_statuses = Counter(db.session.scalars(sa.select(ProposedPair.status)
                                               .where(ProposedPair.programme_id == city.id)))
    assert pair_statuses["proposed"] >= 1 and pair_statuses["accepted"] >= 20

    showcase = db.session.scalars(sa.select(Agreement).where(Agreement.programme_id == city.id)).all()
    (ours,) = [a for a in showcase if a.apprentice.user.mobile == "13800000001"]
    assert ours.master.user.username == "mentor" and ours.status == "active"
    assert ours.pair.scope == "system" and ours.pair.preference_rank == 1

    railway_states = Counter(db.session.scalars(sa.select(Agreement.status)
                                                .where(Agreement.programme_id == railway.id)))
    assert railway_states == {"active": demo.HAND_IN_HAND_PAIRS}
    assert railway.log_cadence == "fortnightly" and railway.kind == "graduate_student"

    # the demo trainee's logs: confirmed by the mentor, the latest waiting for him
    statuses = [log.status for log in db.session.scalars(sa.select(AgreementLog).where(
        AgreementLog.agreement_id == ours.id).order_by(AgreementLog.period_start))]
    assert len(statuses) >= 2 and set(statuses[:-1]) == {"confirmed"} and statuses[-1] == "submitted"
    # a final assessment round waiting for its three assessors; a commendation published final
    (round_,) = db.session.scalars(sa.select(AssessmentRound)).all()
    assert round_.kind == "final" and len(round_.seats) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentSubject)
                             .where(AssessmentSubject.round_id == round_.id)) == states["awaiting_assessment"]
    (cycle,) = db.session.scalars(sa.select(CommendationCycle)).all()
    assert cycle.stage == "published"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommendationCertificate)) == 2 * 7  # 3 + 4 pairs

    before = db.session.scalar(sa.select(sa.func.count()).select_from(Agreement))
    demo.load(context)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == before
