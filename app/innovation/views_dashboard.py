"""A programme's dashboard for staff: applications by stage, quota and budget, districts, payments."""
from app import htmx
from app.access import roles
from app.extensions import db
from app.innovation import bp
from app.innovation import dashboard as stats
from app.innovation.models import Programme


@bp.route("/manage/programmes/<code>/dashboard")
@roles("staff")
def programme_dashboard(code):
    programme_id = db.first_or_404(db.select(Programme.id).where(Programme.code == code))
    dash = stats.build(programme_id)
    return htmx.render("innovation/dashboard/programme.html", dash=dash, charts=stats.charts(dash),
                       yuan=stats.yuan, wan=stats.wan)
