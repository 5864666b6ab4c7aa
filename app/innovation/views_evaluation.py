"""Evaluation rounds: staff set them up and follow them; experts score on a tablet grid."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, score_grid
from app.access import is_staff, require, roles
from app.accounts.models import User
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import assessment, bp, evaluation, queries
from app.innovation.forms_reports import ReasonForm, RoundForm, SeatForm
from app.innovation.models import Programme
from app.innovation.models_evaluation import (
    EvaluationCriterion,
    EvaluationRound,
    EvaluationSheet,
    EvaluationSubject,
    RoundKind,
)


def _round_form(formdata=None):
    form = RoundForm() if formdata is None else RoundForm(formdata=formdata)
    programmes = db.session.scalars(queries.all_programmes()).all()
    form.programme_id.choices = [(0, "—")] + [(p.id, f"{p.year} {p.name}") for p in programmes]
    return form


@bp.route("/rounds/", methods=["GET", "POST"])
@roles("staff")
def rounds_index():
    form = _round_form()
    if form.validate_on_submit():
        data = form.data
        programme = None
        if data["programme_id"]:
            programme = db.session.get(Programme, data["programme_id"])
        settings = dict(name=data["name"], year=data["year"], criteria=data["criteria"], trim_at=data["trim_at"],
                        excellent_cap_percent=20 if data["excellent_cap_percent"] is None
                        else data["excellent_cap_percent"],
                        pass_mark=60 if data["pass_mark"] is None else data["pass_mark"],
                        excellent_mark=85 if data["excellent_mark"] is None else data["excellent_mark"])
        try:
            if data["kind"] == RoundKind.ANNUAL:
                round_ = assessment.create_annual_round(current_user, **settings)
            else:
                round_ = evaluation.create_round(current_user, kind=data["kind"], programme=programme, **settings)
                evaluation.add_report_subjects(current_user, round_)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Round created."), url_for("innovation.round_detail", round_id=round_.id), full_page=True)
    rounds = db.session.scalars(sa.select(EvaluationRound).order_by(EvaluationRound.year.desc(),
                                                                    EvaluationRound.id.desc())).all()
    return htmx.render("innovation/evaluation/rounds.html", "form", rounds=rounds, form=form)


@bp.route("/rounds/<int:round_id>")
@roles("staff")
def round_detail(round_id):
    standings = evaluation.compute(round_id)
    if standings is None:
        abort(404)
    return htmx.render("innovation/evaluation/round.html", standings=standings, round=standings.round,
                       seat_form=SeatForm(formdata=None), unlock_form=ReasonForm(formdata=None))


@bp.route("/rounds/<int:round_id>/seats", methods=["POST"])
@roles("staff")
def add_round_seat(round_id):
    round_ = db.get_or_404(EvaluationRound, round_id)
    form = SeatForm()
    back = url_for("innovation.round_detail", round_id=round_id)
    if not form.validate_on_submit():
        flash(_("Give the expert's user name or mobile."), "error")
        return redirect(back, code=303)
    who = form.who.data.strip()
    user = db.session.scalar(sa.select(User).where(sa.or_(User.username == who, User.mobile == who)))
    if user is None:
        flash(_("No user %(who)s.", who=who), "error")
        return redirect(back, code=303)
    return act(lambda: evaluation.add_seat(current_user, round_, user, form.is_chief.data),
               _("%(name)s is on the panel.", name=user.name), back)


@bp.route("/rounds/<int:round_id>/subjects", methods=["POST"])
@roles("staff")
def add_round_subjects(round_id):
    round_ = db.get_or_404(EvaluationRound, round_id)
    return act(lambda: evaluation.add_report_subjects(current_user, round_),
               lambda n: _("%(n)s reports added.", n=n), url_for("innovation.round_detail", round_id=round_id))


# ---------------------------------------------------------------- experts

@bp.route("/evaluating/")
@roles("judge", "chief_judge")
def my_rounds():
    return htmx.render("innovation/evaluation/mine.html", seats=evaluation.my_seats(current_user))


def _seat(round_id):
    db.get_or_404(EvaluationRound, round_id)
    seat = evaluation.seat_for(round_id, current_user)
    require(seat is not None)
    return seat


def _grid_page(seat, errors=None, typed=None):
    return htmx.render("innovation/evaluation/grid.html", "grid", seat=seat, errors=errors or {},
                       typed=typed or {}, **evaluation.grid(seat))


@bp.route("/evaluating/<int:round_id>", methods=["GET", "POST"])
@roles("judge", "chief_judge")
def eval_grid(round_id):
    seat = _seat(round_id)
    if request.method == "POST":  # without JavaScript: every changed cell of the form
        data = evaluation.grid(seat)
        saved, errors, typed = score_grid.save_changed(
            request.form, data["subjects"], data["criteria"], data["values"],
            lambda subject, criterion, raw: evaluation.save_mark(current_user, seat, subject, criterion, raw),
            skip=data["conflicted"])
        db.session.commit()
        if errors:
            return _grid_page(seat, errors, typed)
        flash(_("%(n)s marks saved.", n=saved), "success")
        return redirect(url_for("innovation.eval_grid", round_id=round_id), code=303)
    return _grid_page(seat)


@bp.route("/evaluating/<int:round_id>/cell", methods=["POST"])
@roles("judge", "chief_judge")
def eval_cell(round_id):
    """One cell (htmx, on change): answers the cell with its saved value or its error."""
    seat = _seat(round_id)
    cell = score_grid.posted_cell(request.form)
    if cell is None:
        abort(400)
    subject = db.get_or_404(EvaluationSubject, cell[0])
    criterion = db.get_or_404(EvaluationCriterion, cell[1])
    if subject.round_id != round_id or criterion.round_id != round_id:
        abort(404)
    raw = cell[2]
    error, value = None, None
    try:
        value = evaluation.save_mark(current_user, seat, subject, criterion, raw)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    sheet = db.session.scalar(sa.select(EvaluationSheet).where(EvaluationSheet.seat_id == seat.id))
    return htmx.render("innovation/evaluation/_cell.html", subject=subject, criterion=criterion, round=seat.round,
                       value=raw if error else value, error=error, saved=error is None, sheet=sheet,
                       conflicted=False)


@bp.route("/evaluating/<int:round_id>/sign", methods=["POST"])
@roles("judge", "chief_judge")
def eval_sign(round_id):
    seat = _seat(round_id)
    return act(lambda: evaluation.sign(current_user, seat), _("Sheet signed; your marks are locked."),
               url_for("innovation.eval_grid", round_id=round_id), full_page=True)


@bp.route("/eval-sheets/<int:sheet_id>/unlock", methods=["POST"])
@roles("judge", "chief_judge", "staff")
def eval_unlock(sheet_id):
    sheet = db.get_or_404(EvaluationSheet, sheet_id)
    round_ = sheet.seat.round
    own = round_.seat_of(current_user)
    require(is_staff(current_user) or (own is not None and own.is_chief))
    back = (url_for("innovation.round_detail", round_id=round_.id) if is_staff(current_user)
            else url_for("innovation.eval_grid", round_id=round_.id))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Write why the sheet is unlocked."), "error")
        return redirect(back, code=303)
    return act(lambda: evaluation.unlock(current_user, sheet, form.reason.data),
               _("The sheet of %(name)s is unlocked.", name=sheet.seat.user.name), back)
