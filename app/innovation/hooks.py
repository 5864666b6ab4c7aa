"""What innovation tells the core: its place on the home page and how its audit events read."""
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation, notifications
from app.notifications import N_

navigation.feature("innovation.studios", _l("Innovation studios"),
                   _l("Model-worker and worker innovation studios: designation, subsidies and achievement awards."),
                   order=30)

audit_log.actions({
    "innovation.programme.save": _l("Saved an innovation programme"),
    "innovation.programme.status": _l("Moved an innovation programme to another step"),
    "innovation.application.save": _l("Saved an application"),
    "innovation.application.step": _l("Moved an application along the recommendation chain"),
    "innovation.application.propose": _l("Marked or unmarked a proposal"),
    "innovation.panel.save": _l("Changed an expert panel"),
    "innovation.grant.award": _l("Awarded a grant"),
    "innovation.ledger.record": _l("Recorded a payment, refund or adjustment"),
    "innovation.ledger.correct": _l("Reversed a ledger entry"),
    "innovation.grant.payee": _l("Changed a grant's payee bank details"),
})

audit_log.actions({
    "innovation.contest.import": _l("Imported an achievement contest workbook"),
    "innovation.contest.awards": _l("Set an achievement contest's award tiers"),
    "innovation.contest.publish": _l("Published an achievement contest's results"),
    "innovation.contest.objection": _l("Lodged an objection to an achievement contest's results"),
    "innovation.contest.objection_decide": _l("Decided an objection to an achievement contest's results"),
    "innovation.contest.certificates": _l("Issued or withdrew achievement award certificates"),
})


# ---------------------------------------------------------------- notifications (called by services)

def application_returned(application, reason):
    """A union returned the application to its draft."""
    if application.applicant_id:
        notifications.notify(application.applicant_id, "innovation.returned",
                             N_("Your application “%(title)s” was returned for changes: %(reason)s"),
                             link_to=("innovation.application", {"application_id": application.id}),
                             title=application.title, reason=reason)


def application_rejected(application, reason):
    if application.applicant_id:
        notifications.notify(application.applicant_id, "innovation.rejected",
                             N_("Your application “%(title)s” was not accepted: %(reason)s"),
                             link_to=("innovation.application", {"application_id": application.id}),
                             title=application.title, reason=reason)
