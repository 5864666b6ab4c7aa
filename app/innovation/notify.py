"""What innovation tells people as it happens (called by its services; one line at each call site)."""
from app import notifications
from app.notifications import N_


def application_returned(application, reason):
    """A union returned the application to its draft."""
    if application.applicant_id:
        notifications.notify(application.applicant_id, "innovation.returned",
                             N_("Your application “%(title)s” was returned for changes: %(reason)s"),
                             link_to=("innovation.application", {"application_id": application.id}),
                             title=application.title, reason=reason)


def application_rejected(application, reason):
    """City screening refused the application."""
    if application.applicant_id:
        notifications.notify(application.applicant_id, "innovation.rejected",
                             N_("Your application “%(title)s” was not accepted: %(reason)s"),
                             link_to=("innovation.application", {"application_id": application.id}),
                             title=application.title, reason=reason)
