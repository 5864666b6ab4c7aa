from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/competitions")

from app.competitions import models, stamps, views  # noqa: E402,F401
