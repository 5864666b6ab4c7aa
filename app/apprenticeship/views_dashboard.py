"""A programme's dashboard for staff and its Excel export, limited to the units they cover."""
import io

from flask import send_file
from flask_login import current_user

from app import excel, htmx
from app.access import roles
from app.accounts.coverage import covered_path
from app.apprenticeship import bp
from app.apprenticeship import dashboard as stats
from app.apprenticeship import dashboard_figures  # noqa: F401 (registers the log and stipend figures)
from app.apprenticeship.models import Programme
from app.extensions import db


def _dashboard(code):
    programme = db.first_or_404(db.select(Programme).where(Programme.code == code))
    return stats.build(programme, covered_path(current_user) or "")


@bp.route("/manage/programmes/<code>/dashboard")
@roles("staff")
def programme_dashboard(code):
    dash = _dashboard(code)
    return htmx.render("apprenticeship/dashboard/programme.html", dash=dash, charts=stats.charts(dash))


@bp.route("/manage/programmes/<code>/dashboard.xlsx")
@roles("staff")
def programme_dashboard_xlsx(code):
    dash = _dashboard(code)
    data = excel.write_workbook([excel.Sheet(title, headers, rows, widths=[28] + [12] * (len(headers) - 1))
                                 for title, headers, rows in stats.workbook_sheets(dash)])
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"{dash.programme.code}-dashboard.xlsx")
