from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
# Public certificate verification (/verify/<code>, printed in every QR code) is the core's
# (app/verification.py); views_certificates registers the answers for training's codes.

from app import labels, personal_data  # noqa: E402
from app.training import exports, hooks, models, views  # noqa: E402,F401
from app.training.certificates import CHECKIN_LABELS, STATE_LABELS  # noqa: E402
from app.training.forms_classroom import MARK_LABELS  # noqa: E402

labels.expose(LEVEL_LABELS=models.LEVEL_LABELS, ENROLMENT_LABELS=models.ENROLMENT_LABELS,
              PROGRESS_LABELS=models.PROGRESS_LABELS,
              CERTIFICATE_STATE_LABELS=STATE_LABELS, CHECKIN_LABELS=CHECKIN_LABELS, MARK_LABELS=MARK_LABELS)
personal_data.provide("training", exports.personal_data)
