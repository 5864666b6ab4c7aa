"""The public front page of the scheme."""
from app import htmx
from app.access import public
from app.apprenticeship import bp, queries


@bp.route("/", endpoint="index")
@public
def index():
    return htmx.render("apprenticeship/index.html", programmes=queries.public_programmes())
