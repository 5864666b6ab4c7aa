"""The public vote of a commendation cycle: a public page of the checked nominations; signed-in
people vote once per cycle (rate-limited per address)."""
from flask import abort, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, verification
from app.access import public, signed_in
from app.apprenticeship import bp, commendation, votes
from app.apprenticeship.forms_commendation import ReasonForm
from app.apprenticeship.models_commendation import CycleStage, NominationStatus
from app.errors import act
from app.extensions import limiter

DEFAULT_VOTE_RATE_LIMIT = "20 per hour"  # per client address


def _voting_cycle(code):
    cycle = commendation.cycle_by_code(code)
    if cycle is None or not cycle.programme.public_vote or cycle.stage in (CycleStage.NOMINATING,
                                                                           CycleStage.CHECKING):
        abort(404)
    return cycle


@bp.route("/commendations/<code>/vote", methods=["GET"])
@public
def commendation_vote_page(code):
    cycle = _voting_cycle(code)
    rows = commendation.nominations(cycle, statuses=[NominationStatus.ACCEPTED])
    return htmx.render("apprenticeship/commendation/vote.html", cycle=cycle, nominations=rows,
                       open=cycle.stage == CycleStage.VOTING, my_vote=votes.my_vote(cycle, current_user),
                       form=ReasonForm(), mask=verification.mask_name)


@bp.route("/commendations/<code>/vote/<int:number>", methods=["POST"])
@signed_in
@limiter.limit(lambda: current_app.config.get("VOTE_RATE_LIMIT", DEFAULT_VOTE_RATE_LIMIT))
def commendation_vote(code, number):
    cycle = _voting_cycle(code)
    nomination = commendation.nomination_by_number(cycle, number)
    if nomination is None:
        abort(404)
    return act(lambda: votes.cast(current_user, cycle, nomination), _("Thank you: your vote is counted."),
               url_for("apprenticeship.commendation_vote_page", code=code))
