"""Stipends (带徒津贴): the ledger's totals per unit and month, the monthly accrual, outcome bonuses
and the payroll workbook. Staff only; totals and the payroll cover the units the staff member covers
(`accounts.coverage`): a unit union's staff see their own unit's payroll."""
from datetime import date

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import roles
from app.accounts.coverage import covered_path
from app.apprenticeship import bonus, bp, exports_payroll, stipends
from app.apprenticeship.forms_stipends import AccrueForm, FilterForm
from app.errors import DomainError, act
from app.extensions import db


def _filters():
    """The GET filters as (form, unit id, first month, last month); bad months are shown on the form."""
    form = FilterForm(request.args)
    within = covered_path(current_user) or ""
    form.unit.choices = [(0, "—")] + [(unit_id, name) for unit_id, name in stipends.units_with_entries(within)]
    form.validate()
    months = []
    for field in (form.month_from, form.month_to):
        value = None
        if field.data and field.data.strip():
            try:
                value = stipends.parse_month(field.data)
            except DomainError as error:
                field.errors = [*field.errors, str(error.message)]
        months.append(value)
    return form, form.unit.data or None, months[0], months[1], within


@bp.route("/stipends/")
@roles("staff")
def stipends_index():
    form, unit_id, month_from, month_to, within = _filters()
    rows, grand = stipends.table(unit_id, month_from, month_to, within)
    accrue_form = AccrueForm(formdata=None, month=stipends.previous_month().strftime("%Y-%m"))
    return htmx.render("apprenticeship/stipends/index.html", "totals", rows=rows, grand=grand, form=form,
                       accrue_form=accrue_form, query=request.query_string.decode())


@bp.route("/stipends/accrue", methods=["POST"])
@roles("staff")
def stipends_accrue():
    form = AccrueForm()
    back = url_for("apprenticeship.stipends_index")
    if not form.validate_on_submit():
        flash(_("Write the month as YYYY-MM, e.g. 2026-11."), "error")
        return redirect(back, code=303)
    month = form.month.data.strip()
    return act(lambda: stipends.accrue(current_user, stipends.parse_month(month)),
               lambda n: _("%(month)s: %(n)s accruals written.", month=month, n=n), back)


@bp.route("/stipends/payroll.xlsx")
@roles("staff")
def stipends_payroll():
    _form, unit_id, month_from, month_to, within = _filters()
    data = exports_payroll.workbook(unit_id, month_from, month_to, within)
    name = f"payroll-{date.today().isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/stipends/bonuses")
@roles("staff")
def stipends_bonuses():
    return htmx.render("apprenticeship/stipends/bonuses.html", candidates=bonus.candidates())


@bp.route("/stipends/bonuses/<int:agreement_id>", methods=["POST"])
@roles("staff")
def stipends_grant_bonus(agreement_id):
    return act(lambda: bonus.grant(current_user, agreement_id), _("Outcome bonus granted."),
               url_for("apprenticeship.stipends_bonuses"))
