"""What apprenticeship tells the core: its place on the home page and how its audit events read."""
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation, notifications

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
    from flask import url_for

    from app.apprenticeship import commendation_review

    return [notifications.Todo(_l("Commendation score sheets to sign"), commendation_review.unsigned_count(user),
                               url_for("apprenticeship.commendation_reviews"))]
