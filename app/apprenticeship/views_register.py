"""Union staff: the master register (名师档案), apprentice profiles and the people-workbook import
(run as a background job; all rows or none, with the marked workbook on the job's page)."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, imports
from app.access import roles
from app.accounts import forms as account_forms
from app.accounts import queries as account_queries
from app.accounts.coverage import covered_path, covers_unit
from app.apprenticeship import bp, forms_pairing, forms_programmes, queries, register
from app.apprenticeship import jobs as apprenticeship_jobs
from app.apprenticeship.models import Master
from app.errors import saved
from app.extensions import db

PER_PAGE = 50


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _search_form():
    search = forms_pairing.RegisterFilterForm(request.args)
    search.trade.choices = [("", _("All trades"))] + [(str(t.id), t.name) for t in
                                                       db.session.scalars(account_queries.trades()).all()]
    search.validate()
    q = search.q.data.strip() if search.q.data and not search.q.errors else None
    return search, q


@bp.route("/manage/masters")
@roles("staff")
def masters():
    search, q = _search_form()
    active = {"1": True, "0": False}.get(search.active.data)
    query = register.masters(q=q or None, trade_id=_int(search.trade.data), active=active,
                             path=covered_path(current_user))
    page = queries.paginate_rows(query, PER_PAGE)
    return htmx.render("apprenticeship/register/masters.html", "results", search=search, page=page,
                       eligible=register.is_eligible)


@bp.route("/manage/masters/<int:master_id>", methods=["GET", "POST"])
@roles("staff")
def master(master_id):
    master = db.session.get(Master, master_id)
    if master is None or not covers_unit(current_user, master.unit):
        abort(404)
    form = forms_programmes.MasterForm(obj=master)
    if form.validate_on_submit():
        register.save_master(current_user, master, honours=(form.honours.data or "").strip(),
                             studio_name=(form.studio_name.data or "").strip(), capacity=form.capacity.data,
                             years_in_post=form.years_in_post.data,
                             safety_violation_on=form.safety_violation_on.data, active=bool(form.active.data))
        return saved(_("The master's record was saved."), url_for("apprenticeship.master", master_id=master.id))
    return htmx.render("apprenticeship/register/master.html", "form", master=master, form=form,
                       facts=register.eligibility(master), min_years=register.MIN_YEARS_IN_POST)


@bp.route("/manage/apprentices")
@roles("staff")
def apprentices():
    search, q = _search_form()
    query = register.apprentices(q=q or None, trade_id=_int(search.trade.data), path=covered_path(current_user))
    page = queries.paginate_rows(query, PER_PAGE)
    return htmx.render("apprenticeship/register/apprentices.html", "results", search=search, page=page)


@bp.route("/manage/people/import", methods=["GET", "POST"])
@roles("staff")
def import_people():
    """Every upload is imported by a background job; its page shows the progress and any problems."""
    form = account_forms.UploadForm()

    def render(imported=None, report_token=None):
        return htmx.render("apprenticeship/register/import.html", "form", form=form)

    return imports.excel_import(form, run=None, render=render, as_job=imports.AsJob(apprenticeship_jobs.IMPORT))

