"""A contestant's own results: breakdown during 公示 and the one written appeal."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, signed_in
from app.competitions import bp, forms, publishing, queries, standings
from app.competitions.models import Appeal, Entry
from app.errors import DomainError
from app.extensions import db


@bp.route("/my/")
@signed_in
def my_results():
    return htmx.render("competitions/my/index.html", entries=queries.my_entries(current_user))


@bp.route("/my/<int:entry_id>", methods=["GET", "POST"])
@signed_in
def my_entry(entry_id):
    entry = db.get_or_404(Entry, entry_id)
    require(entry.belongs_to(current_user))  # nobody sees another contestant's breakdown
    competition = entry.event.competition
    form = forms.AppealForm()
    appeal = db.session.query(Appeal).filter_by(entry_id=entry.id).first()
    if form.validate_on_submit():
        try:
            publishing.lodge_appeal(current_user, entry, form.text.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Your appeal was sent to the chief judge."), "success")
            return redirect(url_for("competitions.my_entry", entry_id=entry.id), code=303)
    elif form.is_submitted() and appeal is None and not competition.appeals_open():
        form.form_errors.append(_("The appeal window is closed."))  # too late: said whatever the text was
    row = result = detail = marks = None
    if competition.results_visible:
        result = standings.compute(entry.event_id)
        row = next((r for r in result.rows if r.entry.id == entry.id), None)
        detail, marks = standings.entry_detail(result, entry)
    return htmx.render("competitions/my/entry.html", "form", entry=entry, competition=competition, row=row,
                       result=result, form=form, appeal=appeal, detail=detail, marks=marks)
