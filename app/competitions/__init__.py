from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/competitions")

from app import labels  # noqa: E402
from app.competitions import hooks, models, stamps, views  # noqa: E402,F401

labels.expose(COMPETITION_STATUS_LABELS=models.STATUS_LABELS)
