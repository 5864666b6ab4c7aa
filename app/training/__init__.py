from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
# Public certificate verification lives at /verify/<code> (printed in every QR code).
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")

from app.training import models, views  # noqa: E402,F401
