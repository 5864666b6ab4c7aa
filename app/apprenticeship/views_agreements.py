"""Agreement pages: the staff list, the agreement page (drafting, goals, signatures, objection,
dissolution, renewal, evidence), the printable PDF and "my agreements" of masters and apprentices."""
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, roles, signed_in
from app.accounts.coverage import covered_path
from app.accounts.models import Organization
from app.apprenticeship import agreement_pdf, agreements, bp, commendation, goals, logs, signing
from app.apprenticeship import forms_agreements as forms
from app.apprenticeship.forms_logs import ReviewForm
from app.apprenticeship.models import Master, Programme
from app.apprenticeship.models_agreements import AgreementGoal, AgreementStatus as S
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db

PER_PAGE = 25


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _refused(error, location):
    """A refused button press: say why on the page it came from."""
    db.session.rollback()
    flash(str(error.message), "error")
    return redirect(location, code=303)


def _valid(field):
    return field.data if field.data and field.data in {str(v) for v, _label in field.choices} else None


# ---------------------------------------------------------------- staff list

@bp.route("/agreements", endpoint="agreements")
@roles("staff")
def agreement_list():
    programmes = db.session.scalars(sa.select(Programme).order_by(Programme.id.desc())).all()
    path = covered_path(current_user)
    units = db.session.scalars(
        sa.select(Organization).where(Organization.path.startswith(path, autoescape=True),
                                      Organization.id.in_(sa.select(agreements.Agreement.unit_id)))
        .order_by(Organization.path)).all()
    search = forms.FilterForm(programmes, units, request.args)
    q = search.q.data if search.q.data and search.validate() else None
    query = agreements.staff_list(current_user, programme_id=_int(_valid(search.programme)),
                                  status=_valid(search.status), unit_id=_int(_valid(search.unit)), q=q)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    overdue = logs.overdue_counts(page.items)
    return htmx.render("apprenticeship/agreements/index.html", "results", search=search, page=page,
                       overdue=overdue)


# ---------------------------------------------------------------- the agreement page

def _agreement(agreement_id):
    agreement = agreements.page_agreement(agreement_id)
    if agreement is None:
        abort(404)
    require(agreements.can_view(current_user, agreement))
    return agreement


def _page(agreement, **given):
    manager = agreements.can_manage(current_user, agreement)
    draft = agreement.status == S.PROPOSED
    timeline = logs.timeline(agreement, logs.logs_of([agreement.id]).get(agreement.id, []))
    today = date.today()
    context = {
        "agreement": agreement, "manager": manager, "draft": draft and manager,
        "party": agreement.party_of(current_user), "signable": signing.parties_of(current_user, agreement),
        "signatures": signing.status(agreement), "objection_open": agreements.objection_open(agreement),
        "timeline": timeline, "today": today, "overdue": sum(1 for p in timeline if p.overdue(today)),
        "closable": {g.id for g in agreement.goals if goals.can_close_by_hand(current_user, g)},
        "draft_form": given.get("draft_form") or forms.DraftForm(formdata=None, obj=agreement),
        "goal_form": given.get("goal_form") or forms.GoalForm(formdata=None),
        "reason_form": forms.ReasonForm(formdata=None), "close_form": forms.CloseGoalForm(formdata=None,
                                                                                           achieved_on=today),
        "review_form": ReviewForm(formdata=None), "renew_form": None,
    }
    if manager and agreement.status in (S.COMPLETED, S.FAILED):
        masters = db.session.scalars(sa.select(Master).where(Master.active, Master.trade_id ==
                                                             agreement.master.trade_id)
                                     .options(sa.orm.joinedload(Master.user), sa.orm.joinedload(Master.unit))
                                     .order_by(Master.id)).all()
        context["renew_form"] = given.get("renew_form") or forms.RenewForm(
            masters, formdata=None, months=agreement.programme.default_months)
    return context


@bp.route("/agreements/<int:agreement_id>", endpoint="agreement")
@signed_in
def agreement_page(agreement_id):
    agreement = _agreement(agreement_id)
    return htmx.render("apprenticeship/agreements/show.html", **_page(agreement))


def _here(agreement):
    return url_for("apprenticeship.agreement", agreement_id=agreement.id)


@bp.route("/agreements/<int:agreement_id>/terms", methods=["POST"])
@roles("staff")
def agreement_terms(agreement_id):
    agreement = _agreement(agreement_id)
    form = forms.DraftForm()
    if form.validate_on_submit():
        try:
            agreements.update_draft(current_user, agreement, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                    stipend_monthly=form.stipend_monthly.data,
                                    teaching_plan=form.teaching_plan.data, meeting_cadence=form.meeting_cadence.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Saved."), _here(agreement), full_page=True)
    return htmx.render("apprenticeship/agreements/show.html", "terms", **_page(agreement, draft_form=form))


@bp.route("/agreements/<int:agreement_id>/goals", methods=["POST"])
@roles("staff")
def agreement_goal_add(agreement_id):
    agreement = _agreement(agreement_id)
    form = forms.GoalForm()
    if form.validate_on_submit():
        try:
            agreements.add_goal(current_user, agreement, kind=form.kind.data, target=form.target.data,
                                due_on=form.due_on.data, target_level=form.level())
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            form = None
    return htmx.render("apprenticeship/agreements/show.html", "goals",
                       **_page(agreements.page_agreement(agreement.id), goal_form=form))


def _goal(agreement, goal_id):
    goal = db.session.get(AgreementGoal, goal_id)
    if goal is None or goal.agreement_id != agreement.id:
        abort(404)
    return goal


@bp.route("/agreements/<int:agreement_id>/goals/<int:goal_id>/remove", methods=["POST"])
@roles("staff")
def agreement_goal_remove(agreement_id, goal_id):
    agreement = _agreement(agreement_id)
    goal = _goal(agreement, goal_id)
    try:
        agreements.remove_goal(current_user, goal)
    except DomainError as error:
        return _refused(error, _here(agreement))
    db.session.commit()
    return htmx.render("apprenticeship/agreements/show.html", "goals",
                       **_page(agreements.page_agreement(agreement.id)))


@bp.route("/agreements/<int:agreement_id>/goals/<int:goal_id>/close", methods=["POST"])
@signed_in
def agreement_goal_close(agreement_id, goal_id):
    agreement = _agreement(agreement_id)
    goal = _goal(agreement, goal_id)
    form = forms.CloseGoalForm()
    if not form.validate_on_submit():
        return _refused(DomainError(_("Say how and when the goal was reached.")), _here(agreement))
    return act(lambda: goals.close_by_hand(current_user, goal, form.note.data, form.achieved_on.data),
               _("The goal is closed."), _here(agreement))


@bp.route("/agreements/<int:agreement_id>/send", methods=["POST"])
@roles("staff")
def agreement_send(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: agreements.send_for_signatures(current_user, agreement),
               _("The agreement now waits for the three signatures."), _here(agreement))


@bp.route("/agreements/<int:agreement_id>/sign", methods=["POST"])
@signed_in
def agreement_sign(agreement_id):
    agreement = _agreement(agreement_id)
    party = request.form.get("party", "")

    def sign():
        if party not in signing.COLUMNS:
            raise DomainError(_("You cannot sign this agreement for that party."))
        return signing.sign(current_user, agreement, party)

    mine = url_for("apprenticeship.my_apprentices" if party == "master" else "apprenticeship.my_agreements")
    return act(sign, lambda signed: _("Signed.") if signed else _("It was signed already."),
               request.form.get("next") == "mine" and mine or _here(agreement))


@bp.route("/agreements/<int:agreement_id>/send-back", methods=["POST"])
@roles("staff")
def agreement_send_back(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: signing.send_back(current_user, agreement, request.form.get("reason", "")),
               _("The agreement is back in drafting; its signatures were cleared."), _here(agreement))


def _reason():
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        raise DomainError(_("Give a reason."))
    return form.reason.data


@bp.route("/agreements/<int:agreement_id>/object", methods=["POST"])
@signed_in
def agreement_object(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: agreements.object_to(current_user, agreement, _reason()),
               _("Your objection is recorded; the agreement has ended and the apprentice will be matched again."),
               _here(agreement))


@bp.route("/agreements/<int:agreement_id>/dissolve", methods=["POST"])
@roles("staff")
def agreement_dissolve(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: agreements.dissolve(current_user, agreement, _reason()), _("The agreement is dissolved."),
               _here(agreement))


@bp.route("/agreements/<int:agreement_id>/cancel", methods=["POST"])
@roles("staff")
def agreement_cancel(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: agreements.cancel(current_user, agreement, _reason()), _("The agreement is cancelled."),
               _here(agreement))


@bp.route("/agreements/<int:agreement_id>/renew", methods=["POST"])
@roles("staff")
def agreement_renew(agreement_id):
    agreement = _agreement(agreement_id)
    form = forms.RenewForm([])  # the chosen master is looked up below

    def renew():
        if not form.validate_on_submit():
            raise DomainError(_("An agreement runs between %(min)s and %(max)s months.", min=agreements.MIN_MONTHS,
                                max=agreements.MAX_MONTHS))
        master = db.session.get(Master, _int(form.master.data)) if _int(form.master.data) else None
        return agreements.renew(current_user, agreement, form.months.data, master=master)

    try:
        renewal = renew()
    except DomainError as error:
        return _refused(error, _here(agreement))
    return saved(_("The renewal is drafted."), _here(renewal))


@bp.route("/agreements/<int:agreement_id>/check-evidence", methods=["POST"])
@roles("staff")
def agreement_check_evidence(agreement_id):
    agreement = _agreement(agreement_id)
    return act(lambda: goals.close_goals_from_evidence(agreement, actor=current_user),
               lambda closed: _("%(n)s goals closed from certificates, results and awards.", n=len(closed)),
               _here(agreement))


@bp.route("/agreements/<int:agreement_id>/agreement.pdf")
@signed_in
def agreement_print(agreement_id):
    agreement = _agreement(agreement_id)
    return Response(agreement_pdf.render(agreement), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="agreement-{agreement.id}.pdf"'})


# ---------------------------------------------------------------- my agreements

def _mine(side):
    rows = db.session.scalars(agreements.of_user(current_user, side)).unique().all()
    return htmx.render("apprenticeship/agreements/mine.html", side=side, rows=rows,
                       signable={a.id: signing.unsigned_parties(current_user, a, own_only=True) for a in rows},
                       overdue=logs.overdue_counts(rows), signatures={a.id: signing.status(a) for a in rows},
                       certificates=commendation.certificate_cycles_of(current_user) if rows else {})


@bp.route("/my/agreements")
@roles("trainee")
def my_agreements():
    return _mine("apprentice")


@bp.route("/my/apprentices")
@roles("mentor")
def my_apprentices():
    return _mine("master")
