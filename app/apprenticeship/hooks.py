"""What apprenticeship tells the core: its place on the home page and how its audit events read."""
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation, notifications, studio_facts
from app.access import is_staff
from app.apprenticeship import logs, signing
from app.apprenticeship.models import ApprenticeProfile, Master
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.extensions import db

navigation.feature("apprenticeship.index", _l("Masters and apprentices"),
                   _l("Master–apprentice pairing: matching, agreements, monthly logs, assessments, stipends "
                      "and commendations."), order=40)

audit_log.actions({
    "apprenticeship.import": _l("Imported masters and apprentices"),
    "apprenticeship.programme": _l("Created an apprenticeship programme"),
    "apprenticeship.match": _l("Ran the master–apprentice matching"),
    "apprenticeship.agreement.create": _l("Drew up a master–apprentice agreement"),
    "apprenticeship.agreement.renew": _l("Renewed a master–apprentice agreement"),
    "apprenticeship.agreement.state": _l("Moved a master–apprentice agreement to another state"),
    "apprenticeship.assessment.create": _l("Created an apprenticeship assessment round"),
    "apprenticeship.assessment.subjects": _l("Added agreements to an assessment round"),
    "apprenticeship.assessment.seat": _l("Appointed an assessor"),
    "apprenticeship.assessment.close": _l("Closed an assessment round and set the grades"),
    "apprenticeship.stipend.accrue": _l("Accrued the monthly mentoring stipends"),
    "apprenticeship.stipend.settle": _l("Settled a mentoring stipend at the final grade"),
    "apprenticeship.bonus.grant": _l("Granted an outcome bonus to a master"),
    "apprenticeship.programme.edit": _l("Changed an apprenticeship programme's settings"),
    "apprenticeship.programme.status": _l("Moved an apprenticeship programme to its next step"),
    "apprenticeship.pair.accept": _l("Accepted a proposed master–apprentice pair"),
    "apprenticeship.pair.staff_accept": _l("Accepted a two-way pair for the union"),
    "apprenticeship.pair.respond": _l("Accepted a proposed pair as master or apprentice"),
    "apprenticeship.pair.reject": _l("Rejected a proposed master–apprentice pair"),
    "apprenticeship.pair.edit": _l("Gave a proposed pair another master"),
    "apprenticeship.master.edit": _l("Changed a master's record on the register"),
    "apprenticeship.preferences": _l("Chose preferred masters and masters to avoid"),
})

audit_log.actions({
    "apprenticeship.agreement.edit": _l("Changed the terms of a master–apprentice agreement"),
    "apprenticeship.agreement.sign": _l("Signed a master–apprentice agreement"),
    "apprenticeship.agreement.objection": _l("Objected to a master–apprentice agreement"),
    "apprenticeship.goal.add": _l("Added a goal to a master–apprentice agreement"),
    "apprenticeship.goal.remove": _l("Removed a goal from a master–apprentice agreement"),
    "apprenticeship.goal.achieve": _l("Closed a goal of a master–apprentice agreement"),
    "apprenticeship.log.write": _l("Wrote an apprenticeship log"),
    "apprenticeship.log.review": _l("Confirmed or returned an apprenticeship log"),
})


@notifications.todos
def apprenticeship_todo_counts(user):
    """Logs to write (apprentice) and to confirm (master), agreements to sign: a few queries."""
    items = []
    if is_staff(user):
        items.append(notifications.Todo(_l("Agreements waiting for the union's signature"),
                                        signing.waiting_for_union(user),
                                        url_for("apprenticeship.agreements", status="awaiting_signatures")))
    if not user.has_role("trainee", "mentor"):
        return items
    as_master, as_apprentice = signing.waiting_for(user)
    if user.has_role("trainee"):
        items.append(notifications.Todo(_l("Agreements to sign"), as_apprentice,
                                        url_for("apprenticeship.my_agreements")))
        items.append(notifications.Todo(_l("Apprenticeship logs to write"), logs.logs_to_write(user),
                                        url_for("apprenticeship.my_logs")))
    if user.has_role("mentor"):
        items.append(notifications.Todo(_l("Agreements to sign"), as_master,
                                        url_for("apprenticeship.my_apprentices")))
        items.append(notifications.Todo(_l("Apprentices' logs to confirm"), logs.logs_to_confirm(user),
                                        url_for("apprenticeship.my_apprentices")))
    return items


def _apprentices_of_studio(ref):
    """Apprentices whose agreement was in force (or completed) during `ref.year` under a master who is
    a member of the studio."""
    if not ref.member_user_ids:
        return 0
    first, last = date(ref.year, 1, 1), date(ref.year, 12, 31)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Agreement.apprentice_id)))
        .join(Master, Master.id == Agreement.master_id)
        .where(Master.user_id.in_(list(ref.member_user_ids)),
               Agreement.status.in_([AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT,
                                     AgreementStatus.COMPLETED]),
               Agreement.starts_on <= last, sa.func.coalesce(Agreement.ended_on, Agreement.ends_on) >= first)) or 0


studio_facts.provide("apprentices", _l("Apprentices taught by the studio's masters this year"),
                     _apprentices_of_studio)

audit_log.actions({
    "apprenticeship.commendation.open": _l("Opened a commendation cycle"),
    "apprenticeship.commendation.stage": _l("Moved a commendation cycle to its next stage"),
    "apprenticeship.commendation.nominate": _l("Nominated a pair for commendation"),
    "apprenticeship.commendation.resubmit": _l("Put a returned commendation nomination forward again"),
    "apprenticeship.commendation.check": _l("Checked a commendation nomination"),
    "apprenticeship.commendation.effect": _l("Evaluated the effect of a nominated pair"),
    "apprenticeship.commendation.vote": _l("Voted in a commendation's public vote"),
    "apprenticeship.commendation.seat": _l("Seated an expert on a commendation panel"),
    "apprenticeship.commendation.publish": _l("Published commendation results"),
    "apprenticeship.commendation.objection": _l("Objected to a commendation notice"),
    "apprenticeship.commendation.objection_decide": _l("Decided an objection to a commendation notice"),
    "apprenticeship.commendation.certificates": _l("Issued commendation certificates"),
    "apprenticeship.commendation.prizes": _l("Recorded commendation prize money"),
    "apprenticeship.commendation.paid": _l("Marked a commendation prize paid"),
})


@notifications.todos
def commendation_todo_counts(user):
    """Experts: commendation score sheets still to sign (one counting query)."""
    if not user.has_role("judge", "chief_judge"):
        return []
    from app.apprenticeship import commendation_review

    return [notifications.Todo(_l("Commendation score sheets to sign"), commendation_review.unsigned_count(user),
                               url_for("apprenticeship.commendation_reviews"))]


def _place_in_scheme(user):
    """(is a master, is an apprentice) for the signed-in user, asked once per request."""
    from flask import g

    if "apprenticeship_place" not in g and not user.has_role("mentor", "trainee"):
        g.apprenticeship_place = (False, False)  # the register gives masters the mentor role, apprentices trainee
    if "apprenticeship_place" not in g:
        g.apprenticeship_place = tuple(bool(found) for found in db.session.execute(sa.select(
            sa.exists().where(Master.user_id == user.id),
            sa.exists().where(ApprenticeProfile.user_id == user.id))).one())
    return g.apprenticeship_place


# The personal menu offers the scheme's pages to the people in it, not to every trainee.
navigation.shown_when("apprenticeship.my_apprentices", lambda user: _place_in_scheme(user)[0])
for _endpoint in ("apprenticeship.my_agreements", "apprenticeship.my_logs"):
    navigation.shown_when(_endpoint, lambda user: _place_in_scheme(user)[1])
for _endpoint in ("apprenticeship.my_pairing", "apprenticeship.my_assessment_results"):
    navigation.shown_when(_endpoint, lambda user: any(_place_in_scheme(user)))
