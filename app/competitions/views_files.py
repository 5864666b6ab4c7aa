"""Workbooks and PDFs for staff: import, templates, results, results book, award certificates."""
import io

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import excel, htmx, imports, jobs
from app.access import roles
from app.competitions import bp, exports, tasks, workbook
from app.competitions import certificates as award_pdfs
from app.accounts import forms as account_forms
from app.extensions import db
from app.competitions.views_manage import _competition, _event


def _xlsx(data, name):
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True, download_name=name)


@bp.route("/manage/import", methods=["GET", "POST"])
@roles("staff")
def import_workbook():
    """Every upload is imported by a background job; its page shows the progress."""
    form = account_forms.UploadForm()

    def render(imported=None, report_token=None):  # a job reports problems on its own page
        return htmx.render("competitions/manage/import.html", "form", form=form)

    return imports.excel_import(form, run=None, render=render, as_job=imports.AsJob("competition.import"))


@bp.route("/manage/import/template.xlsx")
@roles("staff")
def import_template():
    return _xlsx(workbook.template_workbook_bytes(), "competition-template.xlsx")


@bp.route("/<code>/workbook.xlsx")
@roles("staff")
def export_workbook(code):
    """The competition's set-up in the import format, to edit in Excel and import again."""
    competition = _competition(code)
    return _xlsx(workbook.competition_workbook_bytes(competition), f"{competition.code}-workbook.xlsx")


@bp.route("/<code>/events/<int:event_id>/results.xlsx")
@roles("staff")
def export_results(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    return _xlsx(exports.results_workbook(event.id), f"{competition.code}-{event.code}-results.xlsx")


@bp.route("/<code>/book.xlsx")
@roles("staff")
def export_book(code):
    """The results book: built once per version of the results by a job, then served from its file."""
    competition = _competition(code)
    key = tasks.book_key(competition)
    job = jobs.by_key(key)
    if job is not None and job.status == jobs.JobStatus.DONE and job.has_result():
        return send_file(job.result_path(), mimetype=excel.XLSX_MIME, as_attachment=True,
                         download_name=job.result_name)
    if job is not None and job.finished:
        job.key = None  # a failed build (or a lost file) does not stand for its version: build it again
        db.session.flush()
        job = None
    if job is None:
        try:
            job = jobs.create(current_user, "competition.book", params={"competition_id": competition.id}, key=key)
            db.session.commit()
        except IntegrityError:  # someone asked for the same version at the same moment: theirs is it
            db.session.rollback()
            job = jobs.by_key(key)
        else:
            jobs.launch(job)
    if not job.visible_to(current_user):  # another staff member's build of this version is still running
        flash(_("The results book is being prepared; please try again in a moment."), "info")
        return redirect(url_for("competitions.manage", code=code), code=303)
    return redirect(url_for("core.job", token=job.token), code=303)


@bp.route("/<code>/events/<int:event_id>/certificates.pdf")
@roles("staff")
def certificates(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    if award_pdfs.award_count(competition, event) > tasks.CERTIFICATES_INLINE:
        job = jobs.create(current_user, "competition.certificates",
                          params={"competition_id": competition.id, "event_id": event.id})
        db.session.commit()
        jobs.launch(job)
        return redirect(url_for("core.job", token=job.token), code=303)
    data = award_pdfs.for_event(current_user, competition, event)
    db.session.commit()  # certificates missing for the final results were issued on the way
    if data is None:
        flash(_("Certificates are available once the final results are published."), "error")
        return redirect(url_for("competitions.manage", code=code), code=303)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{competition.code}-{event.code}-certificates.pdf")
