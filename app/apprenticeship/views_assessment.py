"""Assessment rounds: staff set them up, follow progress and close them; assessors score on the
tablet grid; masters and apprentices read their own results."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import htmx, score_grid
from app.access import is_staff, require, roles, signed_in
from app.accounts.coverage import covers_unit
from app.accounts.models import User
from app.apprenticeship import assessments, bp
from app.apprenticeship.forms_assessment import AssessorForm, ReasonForm, RenewForm, RoundForm
from app.apprenticeship.models import Master, Programme
from app.apprenticeship.models_agreements import Agreement
from app.apprenticeship.models_assessment import (
    AssessmentCriterion,
    AssessmentRound,
    AssessmentSheet,
    AssessmentSubject,
)
from app.db import database_id
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db

ASSESSOR_ROLES = assessments.ASSESSOR_ROLES


def _manages(programme):
    """Staff manage the rounds of a programme their organisation covers (one without an organiser: any staff)."""
    return programme.organiser_id is None or covers_unit(current_user, programme.organiser)


def _managed_round(round_id):
    round_ = db.get_or_404(AssessmentRound, round_id)
    require(_manages(round_.programme))
    return round_


def _round_form(formdata=None):
    form = RoundForm() if formdata is None else RoundForm(formdata=formdata)
    form.programme_id.choices = [(p.id, f"{p.code} {p.name}") for p in assessments.programmes() if _manages(p)]
    return form


def _user(who):
    who = (who or "").strip()
    return db.session.scalar(sa.select(User).where(sa.or_(User.username == who, User.mobile == who)))


@bp.route("/assessments/", methods=["GET", "POST"])
@roles("staff")
def assessment_rounds():
    form = _round_form()
    if form.validate_on_submit():
        programme = db.session.get(Programme, form.programme_id.data)
        try:
            if programme is None or not _manages(programme):
                raise DomainError(_("Choose a programme."), "programme_id")
            round_ = assessments.create_round(current_user, programme, form.kind.data, form.name.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Assessment round created."),
                         url_for("apprenticeship.assessment_round", round_id=round_.id), full_page=True)
    rounds = [r for r in db.session.scalars(
        sa.select(AssessmentRound).order_by(AssessmentRound.id.desc())
        .options(joinedload(AssessmentRound.programme).joinedload(Programme.organiser))).all()
        if _manages(r.programme)]
    return htmx.render("apprenticeship/assessments/rounds.html", "form", rounds=rounds, form=form)


@bp.route("/assessments/<int:round_id>")
@roles("staff")
def assessment_round(round_id):
    _managed_round(round_id)
    standings = assessments.compute(round_id)
    round_ = standings.round
    eligible = db.session.scalars(assessments.eligible_agreements(round_)).unique().all() if round_.is_open else []
    names = {seat.user_id: seat.user.name for seat in standings.seats}
    labels = {row.subject.id: str(row.subject.agreement) for row in standings.rows}
    return htmx.render("apprenticeship/assessments/round.html", standings=standings, round=round_,
                       eligible=eligible, failed=assessments.failed_subjects(round_),
                       report=standings.consistency(), names=names, labels=labels,
                       criteria_by_id={c.id: c for c in standings.criteria},
                       assessor_form=AssessorForm(formdata=None), reason_form=ReasonForm(formdata=None),
                       renew_form=RenewForm(formdata=None))


@bp.route("/assessments/<int:round_id>/agreements", methods=["POST"])
@roles("staff")
def assessment_add_agreements(round_id):
    round_ = _managed_round(round_id)
    ids = [i for i in (database_id(v) for v in request.form.getlist("agreement")) if i]
    back = url_for("apprenticeship.assessment_round", round_id=round_id)
    if not ids:
        flash(_("Tick the agreements to assess."), "error")
        return redirect(back, code=303)
    return act(lambda: assessments.add_agreements(current_user, round_, ids),
               lambda n: _("%(n)s agreements added.", n=n), back)


@bp.route("/assessments/<int:round_id>/assessors", methods=["POST"])
@roles("staff")
def assessment_add_assessor(round_id):
    round_ = _managed_round(round_id)
    form = AssessorForm()
    back = url_for("apprenticeship.assessment_round", round_id=round_id)
    if not form.validate_on_submit():
        flash(_("Give the assessor's user name or mobile."), "error")
        return redirect(back, code=303)
    user = _user(form.who.data)
    if user is None:
        flash(_("No user %(who)s.", who=form.who.data.strip()), "error")
        return redirect(back, code=303)
    return act(lambda: assessments.add_seat(current_user, round_, user, form.is_chief.data),
               _("%(name)s assesses this round.", name=user.name), back)


@bp.route("/assessments/<int:round_id>/close", methods=["POST"])
@roles("staff")
def assessment_close(round_id):
    round_ = _managed_round(round_id)
    return act(lambda: assessments.close(current_user, round_), _("Round closed; grades recorded."),
               url_for("apprenticeship.assessment_round", round_id=round_id))


@bp.route("/assessments/agreements/<int:agreement_id>/renew", methods=["POST"])
@roles("staff")
def assessment_renew(agreement_id):
    agreement = db.get_or_404(Agreement, agreement_id)
    require(_manages(agreement.programme))
    form = RenewForm()
    back = request.form.get("back_round")
    back = (url_for("apprenticeship.assessment_round", round_id=database_id(back)) if database_id(back)
            else url_for("apprenticeship.assessment_rounds"))
    if not form.validate_on_submit():
        flash(_("Check the form."), "error")
        return redirect(back, code=303)
    master = None
    if form.master.data and form.master.data.strip():
        user = _user(form.master.data)
        master = db.session.scalar(sa.select(Master).where(Master.user_id == user.id)) if user else None
        if master is None:
            flash(_("No master %(who)s on the register.", who=form.master.data.strip()), "error")
            return redirect(back, code=303)
    return act(lambda: assessments.renew_failed(current_user, agreement, master),
               _("A one-year renewal was drawn up."), back)


@bp.route("/assessment-sheets/<int:sheet_id>/unlock", methods=["POST"])
@roles(*ASSESSOR_ROLES)
def assessment_unlock(sheet_id):
    sheet = db.get_or_404(AssessmentSheet, sheet_id)
    round_ = sheet.seat.round
    own = round_.seat_of(current_user)
    require((is_staff(current_user) and _manages(round_.programme)) or (own is not None and own.is_chief))
    back = (url_for("apprenticeship.assessment_round", round_id=round_.id) if is_staff(current_user)
            else url_for("apprenticeship.assessing_grid", round_id=round_.id))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Write why the sheet is unlocked."), "error")
        return redirect(back, code=303)
    return act(lambda: assessments.unlock(current_user, sheet, form.reason.data),
               _("The sheet of %(name)s is unlocked.", name=sheet.seat.user.name), back)


# ---------------------------------------------------------------- assessors

@bp.route("/assessing/")
@roles(*ASSESSOR_ROLES)
def my_assessing():
    return htmx.render("apprenticeship/assessments/mine.html", seats=assessments.my_seats(current_user))


def _seat(round_id):
    db.get_or_404(AssessmentRound, round_id)
    seat = assessments.seat_for(round_id, current_user)
    require(seat is not None)
    return seat


def _grid_page(seat, errors=None, typed=None):
    return htmx.render("apprenticeship/assessments/grid.html", "grid", seat=seat, errors=errors or {},
                       typed=typed or {}, **assessments.grid(seat))


@bp.route("/assessing/<int:round_id>", methods=["GET", "POST"])
@roles(*ASSESSOR_ROLES)
def assessing_grid(round_id):
    seat = _seat(round_id)
    if request.method == "POST":  # without JavaScript: every changed cell of the form
        data = assessments.grid(seat)
        count, errors, typed = score_grid.save_changed(
            request.form, data["subjects"], data["criteria"], data["values"],
            lambda subject, criterion, raw: assessments.save_mark(current_user, seat, subject, criterion, raw),
            skip=data["conflicted"])
        db.session.commit()
        if errors:
            return _grid_page(seat, errors, typed)
        flash(_("%(n)s marks saved.", n=count), "success")
        return redirect(url_for("apprenticeship.assessing_grid", round_id=round_id), code=303)
    return _grid_page(seat)


@bp.route("/assessing/<int:round_id>/cell", methods=["POST"])
@roles(*ASSESSOR_ROLES)
def assessing_cell(round_id):
    """One cell (htmx, on change): answers the cell with its saved value or its error."""
    seat = _seat(round_id)
    cell = score_grid.posted_cell(request.form)
    if cell is None:
        abort(400)
    subject = db.get_or_404(AssessmentSubject, cell[0])
    criterion = db.get_or_404(AssessmentCriterion, cell[1])
    if subject.round_id != round_id or criterion.round_id != round_id:
        abort(404)
    raw, error, value = cell[2], None, None
    try:
        value = assessments.save_mark(current_user, seat, subject, criterion, raw)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    sheet = db.session.scalar(sa.select(AssessmentSheet).where(AssessmentSheet.seat_id == seat.id))
    return htmx.render("apprenticeship/assessments/_cell.html", subject=subject, criterion=criterion,
                       round=seat.round, value=raw if error else value, error=error, saved=error is None,
                       sheet=sheet, conflicted=False)


@bp.route("/assessing/<int:round_id>/sign", methods=["POST"])
@roles(*ASSESSOR_ROLES)
def assessing_sign(round_id):
    seat = _seat(round_id)
    return act(lambda: assessments.sign(current_user, seat), _("Sheet signed; your marks are locked."),
               url_for("apprenticeship.assessing_grid", round_id=round_id), full_page=True)


# ---------------------------------------------------------------- masters and apprentices

@bp.route("/my/assessments")
@signed_in
def my_assessment_results():
    return htmx.render("apprenticeship/assessments/results.html", results=assessments.results_of(current_user))
