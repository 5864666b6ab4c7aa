"""Logs: the apprentice's list and phone form, the master's confirm / return buttons."""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, roles, signed_in
from app.apprenticeship import agreements, bp, logs
from app.apprenticeship.forms_logs import LogForm, ReviewForm
from app.apprenticeship.models_logs import AgreementLog
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db


@bp.route("/my/logs")
@roles("trainee")
def my_logs():
    rows = db.session.scalars(agreements.of_user(current_user, "apprentice")
                              .where(agreements.Agreement.status.in_(logs.IN_FORCE))).unique().all()
    found = logs.logs_of([a.id for a in rows])
    today = date.today()
    return htmx.render("apprenticeship/logs/mine.html", today=today,
                       rows=[(a, logs.timeline(a, found.get(a.id, []), today)) for a in rows])


def _period_start(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.route("/agreements/<int:agreement_id>/logs/<period>", methods=["GET", "POST"])
@signed_in
def log_write(agreement_id, period):
    agreement = agreements.page_agreement(agreement_id)
    if agreement is None:
        abort(404)
    require(agreement.apprentice.user_id == current_user.id)
    start = _period_start(period)
    current = next((p for p in logs.timeline(agreement, logs.logs_of([agreement.id]).get(agreement.id, []))
                    if p.start == start), None)
    if current is None:
        abort(404)
    form = LogForm(obj=current.log) if request.method == "GET" and current.log else LogForm()
    if form.validate_on_submit():
        try:
            logs.write(current_user, agreement, start, learnt=form.learnt.data, hours=form.hours.data,
                       problems=form.problems.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Your log is sent to your master."), url_for("apprenticeship.my_logs"), full_page=True)
    return htmx.render("apprenticeship/logs/write.html", "form", agreement=agreement, period=current, form=form)


@bp.route("/logs/<int:log_id>/review", methods=["POST"])
@signed_in
def log_review(log_id):
    log = db.session.get(AgreementLog, log_id)
    if log is None:
        abort(404)
    require(log.agreement.master.user_id == current_user.id)
    here = url_for("apprenticeship.agreement", agreement_id=log.agreement_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Your form expired or the page was open too long. Please try again."), "error")
        return redirect(here, code=303)
    confirm = request.form.get("decision") == "confirm"
    return act(lambda: logs.review(current_user, log, confirm, form.comment.data),
               _("Log confirmed.") if confirm else _("Log returned to the apprentice."), here)
