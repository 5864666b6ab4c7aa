"""Money pages: a programme's grants and ledger (staff), one grant's tranches and payee,
the 拨付清单 and 推荐汇总表 workbooks, and a studio leader's own grants (read-only)."""
import io
from datetime import date

from flask import abort, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx
from app.access import require, roles
from app.accounts import queries as account_queries
from app.errors import DomainError, saved, show_on_form
from app.extensions import db
from app.innovation import bp, exports_money, money
from app.innovation.forms_money import CorrectForm, EntryForm, PayeeForm, PeriodForm
from app.innovation.models import Application, Programme
from app.innovation.models_money import Grant, LedgerEntry

PAGE = "innovation/money/programme.html"


def _programme(code):
    return db.first_or_404(db.select(Programme).where(Programme.code == code))


def _grant(programme, grant_id):
    grant = db.get_or_404(Grant, grant_id)
    if grant.programme_id != programme.id:
        abort(404)
    return grant


@bp.route("/manage/programmes/<code>/money", methods=["GET", "POST"])
@roles("staff")
def programme_money(code):
    programme = _programme(code)
    grants = money.grants(programme.id)
    form = EntryForm(grants, entry_date=date.today())
    if form.validate_on_submit():
        grant = next((g for g in grants if str(g.id) == form.grant_id.data), None)
        try:
            if form.grant_id.data and grant is None:  # a tampered choice is not a programme-level entry
                raise DomainError(_("Choose a grant of this programme."), "grant_id")
            money.record(current_user, programme, form.kind.data, form.amount.data, form.entry_date.data,
                         grant=grant, voucher_no=form.voucher_no.data, note=form.note.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            # The whole page: its totals and ledger changed with the entry, not only the form.
            return saved(_("The entry was recorded."), url_for("innovation.programme_money", code=code),
                         full_page=True)
    page = db.paginate(money.ledger(programme.id), per_page=30, error_out=False)
    block = "ledger" if request.method == "GET" and request.args.get("page") else "entry"
    return htmx.render(PAGE, block, programme=programme, grants=grants, balances=money.grant_balances(programme.id),
                       awaiting=money.awaiting_grant(programme.id),
                       total=money.programme_balance(programme.id), form=form, page=page,
                       corrected=money.corrected_ids(programme.id), period=PeriodForm(request.args))


@bp.route("/manage/programmes/<code>/money/award/<int:application_id>", methods=["GET", "POST"])
@roles("staff")
def award_grant(code, application_id):
    """Finance enters the payee's bank details of an approved application and awards its grant."""
    programme = _programme(code)
    application = db.get_or_404(Application, application_id)
    if application.programme_id != programme.id:
        abort(404)
    form = PayeeForm(account_queries.all_organizations(), payee_unit_id=str(application.unit_id))
    if form.validate_on_submit():
        try:
            money.award(current_user, application, payee_unit_id=int(form.payee_unit_id.data),
                        account_name=form.account_name.data, bank_name=form.bank_name.data,
                        account_number=form.account_number.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The grant is awarded: %(amount)s yuan.", amount=application.proposed_amount),
                         url_for("innovation.programme_money", code=code))
    return htmx.render("innovation/money/award.html", "form", programme=programme, application=application,
                       form=form)


@bp.route("/manage/programmes/<code>/money/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@roles("staff")
def correct_entry(code, entry_id):
    programme = _programme(code)
    entry = db.get_or_404(LedgerEntry, entry_id)
    if entry.programme_id != programme.id:
        abort(404)
    form = CorrectForm(entry_date=date.today())
    if form.validate_on_submit():
        try:
            money.correct(current_user, entry, form.entry_date.data, form.note.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The entry was reversed."), url_for("innovation.programme_money", code=code))
    return htmx.render("innovation/money/correct.html", "form", programme=programme, entry=entry, form=form)


@bp.route("/manage/programmes/<code>/money/grants/<int:grant_id>", methods=["GET", "POST"])
@roles("staff")
def grant_detail(code, grant_id):
    programme = _programme(code)
    grant = _grant(programme, grant_id)
    paid = money.has_payments(grant)
    form = PayeeForm(account_queries.all_organizations(), obj=grant, payee_unit_id=str(grant.payee_unit_id))
    if form.validate_on_submit():
        try:
            money.change_payee(current_user, grant, payee_unit_id=int(form.payee_unit_id.data),
                               account_name=form.account_name.data, bank_name=form.bank_name.data,
                               account_number=form.account_number.data, reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The payee's bank details were saved."),
                         url_for("innovation.grant_detail", code=code, grant_id=grant.id), full_page=True)
    entries = db.session.scalars(money.ledger(programme.id, grant.id)).unique().all()
    return htmx.render("innovation/money/grant.html", "payee", programme=programme, grant=grant, form=form,
                       entries=entries, has_payments=paid, staff_view=True)


@bp.route("/manage/programmes/<code>/money/disbursements.xlsx")
@roles("staff")
def disbursement_xlsx(code):
    programme = _programme(code)
    period = PeriodForm(request.args)
    period.validate()
    date_from = period.date_from.data if not period.date_from.errors else None
    date_to = period.date_to.data if not period.date_to.errors else None
    data = exports_money.disbursement_workbook(programme, date_from, date_to)
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"innovation-{programme.code}-disbursements.xlsx")


@bp.route("/manage/programmes/<code>/recommendations.xlsx")
@roles("staff")
def recommendations_xlsx(code):
    programme = _programme(code)
    data = exports_money.recommendation_workbook(programme)
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"innovation-{programme.code}-recommendations.xlsx")


@bp.route("/my/grants")
@roles("studio")
def my_grants():
    grants = money.grants_of_leader(current_user)
    for grant in grants:
        require(grant.visible_to(current_user))
    entries = {}
    for entry in db.session.scalars(db.select(LedgerEntry).where(
            LedgerEntry.grant_id.in_([g.id for g in grants])).order_by(LedgerEntry.entry_date, LedgerEntry.id)):
        entries.setdefault(entry.grant_id, []).append(entry)
    return htmx.render("innovation/money/my_grants.html", grants=grants, entries=entries)
