"""Studio reports: staff generate and check them, the leader fills them with receipts."""
import io
from datetime import date

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx
from app.access import is_staff, require, roles, signed_in
from app.db import database_id
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import assessment, bp, exports_reports, files, queries, reports
from app.innovation.forms_reports import ReasonForm, ReceiptForm, ReportForm
from app.innovation.models import Programme
from app.innovation.models_reports import ReportReceipt, SpendCategory, StudioReport


@bp.route("/reports/")
@roles("staff")
def reports_index():
    programme_id = database_id(request.args.get("programme", ""))
    overdue = request.args.get("overdue") == "1"
    today = date.today()
    rows = db.session.scalars(reports.reports_query(programme_id=programme_id,
                                                    overdue_on=today if overdue else None)).all()
    programmes = db.session.scalars(queries.all_programmes()).all()
    return htmx.render("innovation/reports/index.html", "table", reports=rows, programmes=programmes,
                       programme_id=programme_id, overdue=overdue, today=today)


@bp.route("/programmes/<int:programme_id>/reports/generate", methods=["POST"])
@roles("staff")
def generate_reports(programme_id):
    programme = db.get_or_404(Programme, programme_id)
    return act(lambda: reports.generate_due(current_user, programme),
               lambda n: _("%(n)s reports created.", n=n),
               url_for("innovation.reports_index", programme=programme.id))


@bp.route("/my/reports")
@roles("studio")
def my_reports():
    rows = db.session.scalars(reports.reports_query(leader=current_user)).all()
    return htmx.render("innovation/reports/mine.html", reports=rows, today=date.today(),
                       assessments=assessment.open_self_assessments(current_user))


def _report(report_id):
    report = db.get_or_404(StudioReport, report_id)
    require(reports.can_read_receipts(current_user, report))
    return report


def _report_page(report, form=None, receipt_form=None, reason_form=None, status=200):
    if form is None:
        form = ReportForm(formdata=None)
        form.fill(report)
    response = htmx.render("innovation/reports/report.html", "report", report=report, form=form,
                           receipt_form=receipt_form or ReceiptForm(formdata=None),
                           reason_form=reason_form or ReasonForm(formdata=None),
                           missing=reports.missing_receipts(report), categories=list(SpendCategory),
                           today=date.today(), is_leader=report.studio.is_led_by(current_user),
                           staff=is_staff(current_user))
    response.status_code = status
    return response


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@signed_in
def report(report_id):
    report = _report(report_id)
    if request.method == "POST":
        require(report.studio.is_led_by(current_user))
        form = ReportForm()
        if form.validate_on_submit():
            try:
                reports.save(current_user, report, {f.name: f.data for f in form})
            except DomainError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                return saved(_("Report saved."), url_for("innovation.report", report_id=report.id), full_page=True)
        return _report_page(db.session.get(StudioReport, report_id), form=form)
    return _report_page(report)


@bp.route("/reports/<int:report_id>/receipts", methods=["POST"])
@roles("studio")
def upload_receipt(report_id):
    report = _report(report_id)
    require(report.studio.is_led_by(current_user))
    form = ReceiptForm()
    if form.validate_on_submit():
        try:
            reports.add_receipt(current_user, report, form.category.data, form.amount.data,
                                request.files.get("file"))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Receipt uploaded."), url_for("innovation.report", report_id=report.id), full_page=True)
    return _report_page(db.session.get(StudioReport, report_id), receipt_form=form)


@bp.route("/receipts/<int:receipt_id>/delete", methods=["POST"])
@roles("studio")
def delete_receipt(receipt_id):
    receipt = db.get_or_404(ReportReceipt, receipt_id)
    require(receipt.report.studio.is_led_by(current_user))
    return act(lambda: reports.remove_receipt(current_user, receipt), _("Receipt removed."),
               url_for("innovation.report", report_id=receipt.report_id))


@bp.route("/receipts/<int:receipt_id>")
@signed_in
def receipt_file(receipt_id):
    receipt = db.get_or_404(ReportReceipt, receipt_id)
    require(reports.can_read_receipts(current_user, receipt.report))
    return files.send(receipt.storage_key, receipt.filename, receipt.content_type)


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@roles("studio")
def submit_report(report_id):
    report = _report(report_id)
    require(report.studio.is_led_by(current_user))
    return act(lambda: reports.submit(current_user, report), _("Report submitted."),
               url_for("innovation.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/accept", methods=["POST"])
@roles("staff")
def accept_report(report_id):
    report = db.get_or_404(StudioReport, report_id)
    return act(lambda: reports.accept(current_user, report), _("Report accepted."),
               url_for("innovation.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/return", methods=["POST"])
@roles("staff")
def return_report(report_id):
    report = db.get_or_404(StudioReport, report_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Write why the report is returned."), "error")
        return redirect(url_for("innovation.report", report_id=report.id), code=303)
    return act(lambda: reports.return_(current_user, report, form.reason.data), _("Report returned."),
               url_for("innovation.report", report_id=report.id))


@bp.route("/reports/fund-use.xlsx")
@roles("staff")
def fund_use_export():
    programme_id = database_id(request.args.get("programme", ""))
    data = exports_reports.fund_use_workbook(programme_id)
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name="fund-use.xlsx")
