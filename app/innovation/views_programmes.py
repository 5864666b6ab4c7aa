"""Union staff: programmes (annual calls), their quotas, criteria and panels."""
from app import htmx
from app.access import roles
from app.extensions import db
from app.innovation import bp, queries


@bp.route("/manage/")
@roles("staff")
def manage_index():
    programmes = db.session.scalars(queries.all_programmes()).all()
    counts = dict(db.session.execute(queries.application_counts()).all())
    return htmx.render("innovation/manage/index.html", programmes=programmes, counts=counts)
