from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/competitions")

from app import labels, personal_data  # noqa: E402
# certificates registers award certificates with the core's /verify/<code> (app/verification.py).
from app.competitions import certificates, exports, hooks, models, stamps, views  # noqa: E402,F401

labels.expose(COMPETITION_STATUS_LABELS=models.STATUS_LABELS)
personal_data.provide("competitions", exports.personal_data)
