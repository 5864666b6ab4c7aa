"""The annual assessment: self-assessments, grades with the 优秀 cap, rectification and 摘牌."""
import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, roles
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import assessment, bp, evaluation
from app.innovation.forms_reports import RecheckForm, RectifyForm, SelfAssessmentForm
from app.innovation.models import Studio
from app.innovation.models_evaluation import (
    EvaluationRound,
    EvaluationSubject,
    Grade,
    Rectification,
    RoundKind,
)


@bp.route("/assessment/subjects/<int:subject_id>", methods=["GET", "POST"])
@roles("studio")
def self_assessment(subject_id):
    subject = db.get_or_404(EvaluationSubject, subject_id)
    require(subject.studio.is_led_by(current_user) and subject.round.kind == RoundKind.ANNUAL)
    form = SelfAssessmentForm()
    if request.method == "GET":
        form.summary.data = assessment.self_assessment(subject)["summary"]
    elif form.validate_on_submit():
        try:
            assessment.save_self_assessment(current_user, subject, form.summary.data,
                                            submit=request.form.get("action") == "submit")
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Self-assessment saved."), url_for("innovation.self_assessment", subject_id=subject.id), full_page=True)
    return htmx.render("innovation/assessment/self.html", "form", subject=subject, form=form,
                       facts=assessment.self_assessment(subject)["facts"])


def _annual(round_id):
    round_ = db.get_or_404(EvaluationRound, round_id)
    require(round_.kind == RoundKind.ANNUAL)
    return round_


@bp.route("/assessment/<int:round_id>/grades")
@roles("staff")
def grades(round_id):
    round_ = _annual(round_id)
    standings = evaluation.compute(round_id)
    finals = {row.subject.id: row for row in standings.rows}
    subjects = sorted(round_.subjects, key=lambda s: (s.final_score is None, -(s.final_score or 0),
                                                      s.studio.name))
    return htmx.render("innovation/assessment/grades.html", round=round_, subjects=subjects, finals=finals,
                       cap=assessment.excellent_cap(round_, len(round_.subjects)),
                       places_left=assessment.places_left(round_), rectify_form=RectifyForm(formdata=None),
                       Grade=Grade)


@bp.route("/assessment/<int:round_id>/propose", methods=["POST"])
@roles("staff")
def propose_grades(round_id):
    round_ = _annual(round_id)
    return act(lambda: assessment.propose_grades(current_user, round_), _("Grades proposed."),
               url_for("innovation.grades", round_id=round_id))


@bp.route("/assessment/<int:round_id>/confirm", methods=["POST"])
@roles("staff")
def confirm_grades(round_id):
    round_ = _annual(round_id)
    chosen = [value for value in request.form.getlist("tied") if value.isascii() and value.isdigit()]
    return act(lambda: assessment.confirm_grades(current_user, round_, chosen), _("Grades confirmed."),
               url_for("innovation.grades", round_id=round_id))


@bp.route("/rectifications/")
@roles("staff")
def rectifications():
    open_ = db.session.scalars(sa.select(Rectification).where(Rectification.outcome.is_(None))
                               .order_by(Rectification.deadline)).all()
    idle = db.session.scalars(assessment.without_results()).all()
    return htmx.render("innovation/assessment/rectifications.html", open_rectifications=open_, idle=idle,
                       recheck_form=RecheckForm(formdata=None))


@bp.route("/studios/<int:studio_id>/rectify", methods=["GET", "POST"])
@roles("staff")
def rectify(studio_id):
    studio = db.get_or_404(Studio, studio_id)
    subject_id = request.args.get("subject", type=int)
    subject = db.session.get(EvaluationSubject, subject_id) if subject_id else None
    if subject is not None and subject.studio_id != studio.id:
        subject = None
    form = RectifyForm()
    if form.validate_on_submit():
        try:
            assessment.start_rectification(current_user, studio, reason=form.reason.data, tasks=form.tasks.data,
                                           deadline=form.deadline.data, subject=subject)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("%(name)s is in rectification.", name=studio.name), url_for("innovation.rectifications"), full_page=True)
    return htmx.render("innovation/assessment/rectify.html", "form", studio=studio, subject=subject, form=form)


@bp.route("/rectifications/<int:rectification_id>/recheck", methods=["POST"])
@roles("staff")
def recheck(rectification_id):
    rectification = db.get_or_404(Rectification, rectification_id)
    form = RecheckForm()
    back = url_for("innovation.rectifications")
    if not form.validate_on_submit():
        flash(_("Write the re-check's conclusion."), "error")
        return redirect(back, code=303)
    return act(lambda: assessment.recheck(current_user, rectification, passed=form.outcome.data == "passed",
                                          note=form.note.data),
               _("Re-check recorded for %(name)s.", name=rectification.studio.name), back)
