"""Workbooks and PDFs for staff: import, templates, results, results book, award certificates."""
import io

from flask import current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx
from app.access import roles
from app.competitions import bp, exports, workbook
from app.competitions import certificates as award_pdfs
from app.accounts import forms as account_forms
from app.accounts import exports as account_exports
from app.errors import DomainError
from app.extensions import db
from app.competitions.views_manage import _competition, _event


def _xlsx(data, name):
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True, download_name=name)


@bp.route("/manage/import", methods=["GET", "POST"])
@roles("staff")
def import_workbook():
    form = account_forms.UploadForm()
    outcome, report_token = None, None
    if form.validate_on_submit():
        try:
            outcome = workbook.import_workbook(current_user, excel.check_upload(form.file.data))
        except excel.ExcelError as error:
            db.session.rollback()
            form.file.errors = [str(error.message)]
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [str(error.message)]
        else:
            if not outcome.ok:
                db.session.rollback()  # all or nothing
                report_token = excel.stash_report(current_app.config["REPORT_DIR"], current_user.id,
                                                  excel.error_report(outcome.results))
            else:
                db.session.commit()
                flash(_("The workbook was imported: %(events)s events, %(entries)s entries, %(scores)s marks.",
                        events=outcome.counts.get("events", 0), entries=outcome.counts.get("entries", 0),
                        scores=outcome.counts.get("scores", 0) + outcome.counts.get("measurements", 0)), "success")
                if outcome.created_accounts:
                    token = excel.stash_report(current_app.config["REPORT_DIR"], current_user.id,
                                               account_exports.created_accounts_workbook(outcome.created_accounts))
                    flash(_("New judge accounts were created; download their initial passwords: %(url)s",
                            url=url_for("core.report", token=token)), "info")
                return redirect(url_for("competitions.manage", code=outcome.competition.code), code=303)
    return htmx.render("competitions/manage/import.html", "form", form=form, outcome=outcome,
                       report_token=report_token)


@bp.route("/manage/import/template.xlsx")
@roles("staff")
def import_template():
    return _xlsx(workbook.template_workbook_bytes(), "competition-template.xlsx")


@bp.route("/<code>/events/<int:event_id>/results.xlsx")
@roles("staff")
def export_results(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    return _xlsx(exports.results_workbook(event.id), f"{competition.code}-{event.code}-results.xlsx")


@bp.route("/<code>/book.xlsx")
@roles("staff")
def export_book(code):
    competition = _competition(code)
    return _xlsx(exports.results_book(competition), f"{competition.code}-results-book.xlsx")


@bp.route("/<code>/events/<int:event_id>/certificates.pdf")
@roles("staff")
def certificates(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    data = award_pdfs.for_event(competition, event)
    if data is None:
        flash(_("Certificates are available once the final results are published."), "error")
        return redirect(url_for("competitions.manage", code=code), code=303)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{competition.code}-{event.code}-certificates.pdf")


