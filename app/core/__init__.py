from flask import Blueprint

bp = Blueprint("core", __name__)

from app import jobs, labels  # noqa: E402
from app.core import views  # noqa: E402,F401

labels.expose(JOB_STATUS_LABELS=jobs.STATUS_LABELS)
