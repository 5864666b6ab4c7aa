"""Staff dashboard of one training base, or of all bases: figures, charts and an Excel export.

One endpoint serves both URLs (`/training/dashboard` with a `base` filter, and
`/training/bases/<id>/dashboard`); an htmx request for the same URL gets only
the results block, so the filter form swaps the figures and pushes the URL.
"""
import io

from flask import abort, request, send_file, url_for

from app import excel, htmx
from app.access import roles
from app.extensions import db
from app.training import bp
from app.training import dashboard as stats
from app.training.models import TrainingBase

TEMPLATE = "training/dashboard/index.html"


def _scope(base_id):
    """(base or None, filters) for the request; 404 for an unknown base in the path."""
    base = None
    if base_id is not None:
        base = db.session.get(TrainingBase, base_id)
        if base is None:
            abort(404)
    return base, stats.Filters.from_args(request.args, base_id=base_id)


def _query_args(base, filters):
    args = filters.args()
    if base is None and filters.base_id:
        args["base"] = filters.base_id
    return args


@bp.route("/dashboard", endpoint="dashboard")
@bp.route("/bases/<int:base_id>/dashboard", endpoint="dashboard")
@roles("staff")
def dashboard_page(base_id=None):
    base, filters = _scope(base_id)
    dash = stats.build(filters)
    bases = stats.bases() if base is None else []
    chosen = base.name if base else dict(bases).get(filters.base_id)
    return htmx.render(
        TEMPLATE, "results", dash=dash, charts=stats.charts(dash), base=base, bases=bases, chosen=chosen,
        money=stats.money, page_url=url_for("training.dashboard", base_id=base_id),
        export_url=url_for("training.dashboard_xlsx", base_id=base_id, **_query_args(base, filters)),
    )


@bp.route("/dashboard.xlsx", endpoint="dashboard_xlsx")
@bp.route("/bases/<int:base_id>/dashboard.xlsx", endpoint="dashboard_xlsx")
@roles("staff")
def dashboard_workbook(base_id=None):
    base, filters = _scope(base_id)
    dash = stats.build(filters)
    named = base or (db.session.get(TrainingBase, filters.base_id) if filters.base_id else None)
    data = stats.workbook(dash, named.name if named else ("—" if filters.base_id else None))
    prefix = f"training-base-{base.code}" if base else "training"
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"{prefix}-dashboard-{filters.date_from}-{filters.date_to}.xlsx")
