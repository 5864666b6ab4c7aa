from flask import Blueprint
from flask_login import current_user

bp = Blueprint("core", __name__)

from app import jobs, labels, notifications  # noqa: E402
from app.core import views, views_notifications  # noqa: E402,F401

labels.expose(JOB_STATUS_LABELS=jobs.STATUS_LABELS)


@bp.app_template_global("unread_notifications")
def unread_notifications():
    """The header's unread count (one indexed COUNT, only when the header is drawn)."""
    return notifications.unread_count(current_user)


@bp.app_context_processor
def _features():
    """What the platform offers, for the home page and the footer (registered by each module)."""
    from app import navigation

    return {"features": navigation.features()}
