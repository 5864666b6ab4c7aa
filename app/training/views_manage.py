"""Union staff: training bases, courses, lessons, enrolments and rosters."""
from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx, imports
from app.access import roles
from app.accounts import queries as account_queries
from app.accounts.forms import UploadForm
from app.db import local_to_utc, utc_to_local
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.training import bp, forms, queries, roster, services, tasks
from app.training.models import Enrolment, EnrolmentStatus, Lesson, TrainingBase


def _done(message, endpoint, **values):
    return saved(message, url_for(endpoint, **values))


def _course(course_id):
    course = queries.course(course_id)
    if course is None:
        abort(404)
    return course


@bp.route("/manage/")
@roles("staff")
def manage():
    bases = db.session.scalars(queries.all_bases()).unique().all()
    base_id = request.args.get("base", type=int)
    query = queries.managed_courses(base_id, request.args.get("q"))
    page = db.paginate(query, per_page=30, error_out=False)
    return htmx.render("training/manage/index.html", "courses", bases=bases, page=page, base_id=base_id)


@bp.route("/manage/bases/new", methods=["GET", "POST"])
@bp.route("/manage/bases/<int:base_id>", methods=["GET", "POST"])
@roles("staff")
def edit_base(base_id=None):
    training_base = db.get_or_404(TrainingBase, base_id) if base_id else None
    trades = db.session.scalars(account_queries.trades()).all()
    form = forms.BaseForm(account_queries.all_organizations(), trades, obj=training_base,
                          organization_id=str(training_base.organization_id) if training_base else "",
                          trades=[t.id for t in training_base.trades] if training_base else [])
    if form.validate_on_submit():
        chosen = [t for t in trades if t.id in set(form.trades.data or [])]
        values = {name: getattr(form, name).data for name in services.BASE_FIELDS if hasattr(form, name)}
        values["organization_id"] = int(form.organization_id.data)
        values = {k: (v if v is not None else "") if k in ("address", "contact_name", "contact_phone", "description")
                  else v for k, v in values.items()}
        try:
            services.save_base(current_user, training_base, trades=chosen, **values)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The training base was saved."), "training.manage")
    return htmx.render("training/manage/base_form.html", "form", form=form, base=training_base)


def _course_form(course):
    bases = db.session.scalars(queries.all_bases()).unique().all()
    trades = db.session.scalars(account_queries.trades()).all()
    units = [o for o in account_queries.all_organizations() if o.kind == "unit"]
    prefill = {}
    if course is not None:
        prefill = dict(base_id=str(course.base_id), trade_id=str(course.trade_id), units=[u.id for u in course.units],
                       enrol_opens_at=utc_to_local(course.enrol_opens_at),
                       enrol_closes_at=utc_to_local(course.enrol_closes_at))
    else:
        prefill = dict(base_id=request.args.get("base", ""))
    return forms.CourseForm(bases, trades, units, obj=course, **prefill), units


@bp.route("/manage/courses/new", methods=["GET", "POST"])
@bp.route("/manage/courses/<int:course_id>", methods=["GET", "POST"])
@roles("staff")
def edit_course(course_id=None):
    course = _course(course_id) if course_id else None
    form, units = _course_form(course)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.COURSE_FIELDS if hasattr(form, name)}
        values.update(base_id=int(form.base_id.data), trade_id=int(form.trade_id.data),
                      enrol_opens_at=local_to_utc(form.enrol_opens_at.data),
                      enrol_closes_at=local_to_utc(form.enrol_closes_at.data),
                      fee=form.fee.data or 0, min_attendance=form.min_attendance.data or 0,
                      description=form.description.data or "",
                      certificate_name=(form.certificate_name.data or "").strip() or None)
        chosen = [u for u in units if u.id in set(form.units.data or [])]
        try:
            course = services.save_course(current_user, course, units=chosen, **values)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The course was saved."), "training.edit_course", course_id=course.id)
    lesson_form = forms.LessonForm(prefix="lesson")
    counts = queries.enrolment_counts(course.id) if course else {}
    return htmx.render("training/manage/course_form.html", "form", form=form, course=course,
                       lesson_form=lesson_form, counts=counts)


@bp.route("/manage/courses/<int:course_id>/lessons", methods=["POST"])
@roles("staff")
def add_lesson(course_id):
    course = _course(course_id)
    form = forms.LessonForm(prefix="lesson")
    if form.validate_on_submit():
        try:
            services.add_lesson(current_user, course, starts_at=local_to_utc(form.starts_at.data),
                                ends_at=local_to_utc(form.ends_at.data), topic=form.topic.data or "")
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            return _done(_("The lesson was added."), "training.edit_course", course_id=course_id)
    else:
        flash(_("Give the lesson's start and end."), "error")
    return redirect(url_for("training.edit_course", course_id=course_id), code=303)


@bp.route("/manage/lessons/<int:lesson_id>/delete", methods=["POST"])
@roles("staff")
def delete_lesson(lesson_id):
    lesson = db.get_or_404(Lesson, lesson_id)
    return act(lambda: services.delete_lesson(current_user, lesson), _("The lesson was removed."),
               url_for("training.edit_course", course_id=lesson.course_id))


@bp.route("/manage/courses/<int:course_id>/enrolments")
@roles("staff")
def enrolments(course_id):
    course = _course(course_id)
    status = request.args.get("status") or None
    if status not in {s.value for s in EnrolmentStatus}:
        status = None  # a tampered filter shows everyone
    query = queries.course_enrolments(course.id, [status] if status else None, with_tags=False)
    page = db.paginate(query, per_page=50, error_out=False)
    positions = queries.waitlist_positions(course.id)
    return htmx.render("training/manage/enrolments.html", "rows", course=course, page=page, positions=positions,
                       status=status, upload_form=UploadForm())


def _enrolment_action(enrolment_id, action, message):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    return act(lambda: action(enrolment), message, url_for("training.enrolments", course_id=enrolment.course_id))


@bp.route("/manage/enrolments/<int:enrolment_id>/approve", methods=["POST"])
@roles("staff")
def approve(enrolment_id):
    return _enrolment_action(enrolment_id, lambda e: services.decide(current_user, e, True), _("Approved."))


@bp.route("/manage/enrolments/<int:enrolment_id>/reject", methods=["POST"])
@roles("staff")
def reject(enrolment_id):
    return _enrolment_action(enrolment_id, lambda e: services.decide(current_user, e, False), _("Rejected."))


@bp.route("/manage/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@roles("staff")
def staff_withdraw(enrolment_id):
    return _enrolment_action(enrolment_id, lambda e: services.withdraw(current_user, e, by_staff=True),
                             _("Withdrawn; the next person on the waitlist got the seat."))


@bp.route("/manage/courses/<int:course_id>/roster", methods=["GET", "POST"])
@roles("staff")
def import_roster(course_id):
    """Enrol a whole roster from Excel: every row checked first, then all or nothing.

    Rosters of more than ROSTER_INLINE rows are enrolled by a background job. People
    who get a new account get a claim code; the staff download them here afterwards."""
    course = _course(course_id)
    form = UploadForm()

    def run(stream):
        outcome = roster.import_roster(current_user, course, stream)
        imported = imports.Imported(ok=outcome.ok, results=[outcome.result], message=tasks.roster_message(outcome),
                                    location=url_for("training.enrolments", course_id=course_id))
        if outcome.ok and outcome.claim_codes:
            imported.download = tasks.claim_codes_file(outcome)
            imported.location = lambda token: url_for("training.import_roster", course_id=course_id, done=token)
        return imported

    def render(imported=None, report_token=None):
        return htmx.render("training/manage/roster.html", "form", course=course, form=form,
                           result=imported and imported.results[0], report_token=report_token,
                           done_token=request.args.get("done"))

    return imports.excel_import(form, run, render, as_job=imports.AsJob(
        "training.roster", threshold=tasks.ROSTER_INLINE, params={"course_id": course.id}, rows=imports.count_rows))


@bp.route("/manage/roster-template.xlsx")
@roles("staff")
def roster_template():
    import io

    return send_file(io.BytesIO(roster.template()), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name="roster-template.xlsx")


