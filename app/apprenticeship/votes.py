"""The optional public vote of a commendation cycle: one vote per signed-in user per cycle, held by
the database's unique key (cycle, user). The counts inform the experts; they are not a score."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.apprenticeship.models_commendation import CommendationVote, CycleStage, NominationStatus
from app.errors import DomainError
from app.extensions import db


def cast(actor, cycle, nomination):
    if not cycle.programme.public_vote or cycle.stage != CycleStage.VOTING:
        raise DomainError(_l("The public vote is not open."))
    if nomination.cycle_id != cycle.id or nomination.status != NominationStatus.ACCEPTED:
        raise DomainError(_l("Choose one of the nominations on this page."))
    vote = CommendationVote(cycle_id=cycle.id, nomination_id=nomination.id, user_id=actor.id)
    db.session.add(vote)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("You have already voted in this cycle.")) from None
    audit.record(actor, "apprenticeship.commendation.vote", vote,
                 after={"cycle": cycle.code, "nomination": nomination.number})
    return vote


def my_vote(cycle, user):
    """The nomination id the user voted for in this cycle, or None."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(sa.select(CommendationVote.nomination_id).where(
        CommendationVote.cycle_id == cycle.id, CommendationVote.user_id == user.id))
