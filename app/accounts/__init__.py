from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import cli, hooks, views  # noqa: E402,F401
