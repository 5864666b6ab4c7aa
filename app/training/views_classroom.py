"""Staff classroom pages of a course: attendance per lesson, assessment marks and re-sits,
the marks import, and the course workbooks (roster, attendance, results).

Both grids save cell by cell through htmx (the cell answers itself, the
trainee's summary cells follow out of band) and still work without JavaScript:
each attendance cell is a small form, the assessment grid a "save all" form.
"""
import io
import re

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx, imports
from app.access import roles
from app.errors import DomainError
from app.extensions import db
from app.training import bp, exports, queries, services
from app.training.forms_classroom import (
    MARK_FIELDS,
    MarksImportForm,
    mark_text,
    parse_mark,
    parse_present,
)
from app.training.models import Enrolment

CELL_NAME = re.compile(r"^m-(\d+)-(theory|practical)$")


def _course(course_id):
    course = queries.course(course_id)
    if course is None:
        abort(404)
    return course


def _lesson(course, lesson_id):
    lesson = next((lesson for lesson in course.lessons if lesson.id == lesson_id), None)
    if lesson is None:
        abort(404)
    return lesson


def _enrolment(course, enrolment_id):
    """An enrolment of this course (404 for an id of another course: the form was tampered with)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.course_id != course.id:
        abort(404)
    return enrolment


def _context(course, **extra):
    return dict(course=course, mark=mark_text, MARK_FIELDS=MARK_FIELDS, **extra)


# ---- attendance


def _attendance_page(course):
    return htmx.render("training/classroom/attendance.html", "grid",
                       **_context(course, grid=exports.attendance_grid(course)))


@bp.route("/courses/<int:course_id>/attendance")
@roles("staff")
def attendance(course_id):
    return _attendance_page(_course(course_id))


@bp.route("/courses/<int:course_id>/attendance/<int:lesson_id>/<int:enrolment_id>", methods=["POST"])
@roles("staff")
def attendance_mark(course_id, lesson_id, enrolment_id):
    """Mark one trainee present or absent at one lesson; the cell answers in its new state."""
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    enrolment = _enrolment(course, enrolment_id)
    present = parse_present(request.form.get("present"))
    if present is None:
        abort(400)
    error = None
    try:
        services.mark_attendance(current_user, lesson, enrolment, present)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    if not htmx.is_htmx():
        if error:
            flash(error, "error")
        return redirect(url_for("training.attendance", course_id=course.id,
                                _anchor=f"training-att-{lesson.id}-{enrolment.id}"), code=303)
    marks = exports.attendance_marks(course.id, [enrolment.id])
    rate = services.attendance_rate(course, [enrolment.id]).get(enrolment.id)
    return htmx.render("training/classroom/_attendance_cell.html",
                       **_context(course, lesson=lesson, enrolment=enrolment,
                                  present=marks.get((lesson.id, enrolment.id)), error=error, saved=error is None,
                                  rate=rate, oob_rate=error is None,
                                  opens_at=exports.lessons_to_come(course).get(lesson.id)))


@bp.route("/courses/<int:course_id>/attendance/<int:lesson_id>/all-present", methods=["POST"])
@roles("staff")
def attendance_all_present(course_id, lesson_id):
    """Mark every enrolled trainee present at one lesson (the usual case), then show the grid."""
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    try:
        services.mark_lesson_present(current_user, lesson, queries.enrolled(course.id))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Everyone is marked present for %(lesson)s.", lesson=lesson.topic or _("this lesson")), "success")
    if not htmx.is_htmx():
        return redirect(url_for("training.attendance", course_id=course.id), code=303)
    return _attendance_page(course)


# ---- assessment


def _assessment_page(course, errors=None, typed=None):
    return htmx.render("training/classroom/assessment.html", "grid",
                       **_context(course, rows=exports.assessment_rows(course), errors=errors or {},
                                  typed=typed or {}, marks_from=exports.marks_open_on(course)))


def _record(row, theory, practical):
    """Save one trainee's marks through the service (which decides total and pass/fail)."""
    return services.record_attempt(current_user, row.enrolment, theory=theory, practical=practical, rate=row.rate)


@bp.route("/courses/<int:course_id>/assessment", methods=["GET", "POST"])
@roles("staff")
def assessment(course_id):
    course = _course(course_id)
    if request.method == "POST":
        # The no-JavaScript path: save every changed row of the submitted grid.
        errors, typed, saved = {}, {}, 0
        for row in exports.assessment_rows(course):
            enrolment = row.enrolment
            names = {field: f"m-{enrolment.id}-{field}" for field in MARK_FIELDS}
            if not any(name in request.form for name in names.values()):
                continue
            values, bad = {}, False
            for field, name in names.items():
                raw = request.form.get(name)
                if raw is None:
                    values[field] = row.mark(field)
                    continue
                try:
                    values[field] = parse_mark(raw)
                except DomainError as error:
                    errors[(enrolment.id, field)], typed[(enrolment.id, field)], bad = str(error.message), raw, True
            if bad:  # keep what was typed in the row's other box too
                typed.update({(enrolment.id, f): request.form[n] for f, n in names.items() if n in request.form})
                continue
            changed = [field for field in MARK_FIELDS if values[field] != row.mark(field)]
            if not changed:
                continue
            try:
                _record(row, values["theory"], values["practical"])
                saved += 1
            except DomainError as error:
                for field in [error.field] if error.field in MARK_FIELDS else changed:
                    errors[(enrolment.id, field)] = str(error.message)
                    typed[(enrolment.id, field)] = request.form.get(names[field], "")
        db.session.commit()
        if errors:
            return _assessment_page(course, errors, typed)
        flash(_("Marks of %(n)s trainees saved.", n=saved), "success")
        return redirect(url_for("training.assessment", course_id=course.id), code=303)
    return _assessment_page(course)


@bp.route("/courses/<int:course_id>/assessment/cells", methods=["POST"])
@roles("staff")
def assessment_cell(course_id):
    """Save one mark (htmx, on change); answers the cell, with the row's result out of band."""
    course = _course(course_id)
    names = [name for name in request.form if CELL_NAME.match(name)]
    if len(names) != 1:
        abort(400)
    enrolment_id, field = CELL_NAME.match(names[0]).groups()
    enrolment = _enrolment(course, int(enrolment_id))
    raw = request.form[names[0]]
    row = exports.mark_rows(course, [enrolment])[0]
    error = None
    try:
        value = parse_mark(raw)
        marks = {name: row.mark(name) for name in MARK_FIELDS} | {field: value}
        _record(row, marks["theory"], marks["practical"])
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    row = exports.mark_rows(course, [enrolment])[0]
    return htmx.render("training/classroom/_mark_cell.html",
                       **_context(course, row=row, field=field, error=error, saved=error is None,
                                  value=raw if error else row.mark(field), oob_summary=True,
                                  marks_from=exports.marks_open_on(course)))


@bp.route("/courses/<int:course_id>/assessment/<int:enrolment_id>/resit", methods=["POST"])
@roles("staff")
def assessment_resit(course_id, enrolment_id):
    """A new, empty attempt for a trainee who failed the latest one."""
    course = _course(course_id)
    enrolment = _enrolment(course, enrolment_id)
    row = exports.mark_rows(course, [enrolment])[0]
    error = None
    try:
        attempt = services.record_attempt(current_user, enrolment, theory=None, practical=None, resit=True,
                                          rate=row.rate)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    if error:
        flash(error, "error")
    else:
        flash(_("%(name)s may sit again: attempt %(n)s is open for marks.", name=enrolment.user.name,
                n=attempt.number), "success")
    if not htmx.is_htmx():
        return redirect(url_for("training.assessment", course_id=course.id,
                                _anchor=f"training-row-{enrolment.id}"), code=303)
    row = exports.mark_rows(course, [enrolment])[0]
    return htmx.render("training/classroom/_assessment_row.html",
                       **_context(course, row=row, errors={}, typed={}, flash_oob=True,
                                  marks_from=exports.marks_open_on(course)))


# ---- marks import


@bp.route("/courses/<int:course_id>/assessment/import", methods=["GET", "POST"])
@roles("staff")
def assessment_import(course_id):
    course = _course(course_id)
    form = MarksImportForm()

    def run(stream):
        result = exports.read_marks(excel.open_workbook(stream))
        changed = exports.import_marks(current_user, course, result)
        if result.ok and not changed:
            raise DomainError(_("The workbook has no new marks to import."))
        return imports.Imported(ok=result.ok, results=[result],
                                message=_("Marks of %(n)s trainees were imported.", n=changed),
                                location=url_for("training.assessment", course_id=course.id))

    def render(imported=None, report_token=None):
        return htmx.render("training/classroom/import.html", "form",
                           **_context(course, form=form, result=imported and imported.results[0],
                                      report_token=report_token, marks_from=exports.marks_open_on(course)))

    return imports.excel_import(form, run, render)


@bp.route("/courses/<int:course_id>/assessment/template.xlsx")
@roles("staff")
def assessment_template(course_id):
    course = _course(course_id)
    return send_file(exports.marks_template(course), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"course-{course.id}-marks.xlsx")


# ---- workbooks


def _workbook(data, course, name):
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"course-{course.id}-{name}.xlsx")


@bp.route("/courses/<int:course_id>/roster.xlsx")
@roles("staff")
def export_roster(course_id):
    course = _course(course_id)
    return _workbook(exports.roster_workbook(course), course, "roster")


@bp.route("/courses/<int:course_id>/attendance.xlsx")
@roles("staff")
def export_attendance(course_id):
    course = _course(course_id)
    return _workbook(exports.attendance_workbook(course), course, "attendance")


@bp.route("/courses/<int:course_id>/results.xlsx")
@roles("staff")
def export_results(course_id):
    course = _course(course_id)
    return _workbook(exports.results_workbook(course), course, "results")
