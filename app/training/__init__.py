from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
# Public certificate verification lives at /verify/<code> (printed in every QR code).
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")

from app import labels  # noqa: E402
from app.training import hooks, models, views  # noqa: E402,F401
from app.training.certificates import CHECKIN_LABELS, STATE_LABELS  # noqa: E402
from app.training.forms_classroom import MARK_LABELS  # noqa: E402

labels.expose(LEVEL_LABELS=models.LEVEL_LABELS, ENROLMENT_LABELS=models.ENROLMENT_LABELS,
              CERTIFICATE_STATE_LABELS=STATE_LABELS, CHECKIN_LABELS=CHECKIN_LABELS, MARK_LABELS=MARK_LABELS)
