"""Experts: their panels, the scoring grid (one cell at a time on a tablet), signing; unlocking."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, score_grid
from app.access import require, roles
from app.errors import DomainError, act
from app.extensions import db
from app.innovation import bp, expert_review, forms
from app.innovation.models import Application, PanelSeat, Programme, ProgrammeCriterion, ReviewSheet


def _seat(programme_id):
    """The current user's seat: 404 for no such programme, 403 when not on its panel."""
    db.get_or_404(Programme, programme_id)
    seat = db.session.scalar(db.select(PanelSeat).where(PanelSeat.programme_id == programme_id,
                                                        PanelSeat.user_id == current_user.id))
    require(seat is not None)
    return seat


@bp.route("/review/")
@roles("judge", "chief_judge")
def my_reviews():
    seats = expert_review.my_seats(current_user)
    progress = {seat.id: expert_review.grid(seat) for seat in seats}
    return htmx.render("innovation/review/index.html", seats=seats, progress=progress)


def _grid_page(seat, errors=None, typed=None):
    return htmx.render("innovation/review/grid.html", "grid", seat=seat, programme=seat.programme,
                       errors=errors or {}, typed=typed or {}, unlock_form=forms.ReasonForm(),
                       **expert_review.grid(seat))


@bp.route("/review/<int:programme_id>", methods=["GET", "POST"])
@roles("judge", "chief_judge")
def review_grid(programme_id):
    seat = _seat(programme_id)
    if request.method == "POST":  # without JavaScript: save every changed cell of the grid
        data = expert_review.grid(seat)
        count, errors, typed = score_grid.save_changed(
            request.form, data["applications"], data["criteria"], data["values"],
            lambda application, criterion, raw: expert_review.save_mark(current_user, seat, application, criterion, raw),
            skip=data["blocked"])
        db.session.commit()
        if errors:
            return _grid_page(seat, errors, typed)
        flash(_("%(n)s marks saved.", n=count), "success")
        return redirect(url_for("innovation.review_grid", programme_id=programme_id), code=303)
    return _grid_page(seat)


@bp.route("/review/<int:programme_id>/cells", methods=["POST"])
@roles("judge", "chief_judge")
def review_cell(programme_id):
    """Save one cell (htmx, on change); answers the cell in its new state and the progress."""
    seat = _seat(programme_id)
    cell = score_grid.posted_cell(request.form)
    if cell is None:
        abort(400)
    application = db.session.get(Application, cell[0])
    criterion = db.session.get(ProgrammeCriterion, cell[1])
    if application is None or criterion is None:
        abort(404)
    raw = cell[2]
    error, value = None, None
    try:
        value = expert_review.save_mark(current_user, seat, application, criterion, raw)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    data = expert_review.grid(seat)
    return htmx.render("innovation/review/_cell.html", seat=seat, programme=seat.programme, application=application,
                       criterion=criterion, value=raw if error else value, error=error, saved=error is None,
                       oob_progress=True, sheet=data["sheet"], filled=data["filled"], expected=data["expected"])


@bp.route("/review/<int:programme_id>/sign", methods=["POST"])
@roles("judge", "chief_judge")
def sign_review(programme_id):
    seat = _seat(programme_id)
    return act(lambda: expert_review.sign(current_user, seat),
               _("Sheet signed. Your marks for this programme are now locked."),
               url_for("innovation.review_grid", programme_id=programme_id), full_page=True)


@bp.route("/review/sheets/<int:sheet_id>/unlock", methods=["POST"])
@roles("judge", "chief_judge", "staff")
def unlock_review(sheet_id):
    sheet = db.session.get(ReviewSheet, sheet_id)
    if sheet is None:
        abort(404)
    programme = sheet.seat.programme
    require(current_user.has_role("staff", "admin") or (programme.seat_of(current_user) or PanelSeat()).is_chief)
    form = forms.ReasonForm()
    back = request.form.get("back") == "manage" and url_for("innovation.manage_programme", code=programme.code) \
        or url_for("innovation.review_grid", programme_id=programme.id)
    if not form.validate_on_submit():
        flash(_("Write why the sheet is unlocked."), "error")
        return redirect(back, code=303)
    return act(lambda: expert_review.unlock(current_user, sheet, form.reason.data),
               _("The sheet of %(name)s is unlocked for correction.", name=sheet.seat.user.name), back)

