"""Achievement contests (五小): staff results page, publication, objections, workbook import, results
and certificate downloads; the public results page; workers' submissions; unit recommendation."""
import io

import sqlalchemy as sa
from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import cache, excel, htmx, imports
from app.access import public, roles, signed_in
from app.accounts import forms as account_forms
from app.accounts.models import OrgKind, Organization
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import bp, certificates, contest, workbook
from app.innovation.forms_contest import AwardsForm, DecideForm, ObjectionForm, PublishForm, ReasonForm, SubmissionForm
from app.innovation.models import AchievementCategory, Application, Programme, Studio, StudioMember
from app.innovation.models_contest import ContestObjection


def _contest(code):
    programme = contest.contest_by_code(code)
    if programme is None:
        abort(404)
    return programme


def _submission(programme, number):
    application = db.session.scalar(sa.select(Application).where(Application.programme_id == programme.id,
                                                                  Application.number == number))
    if application is None:
        abort(404)
    return application


def _xlsx(data, name):
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True, download_name=name)


def _pdf(data, name):
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name)


# ---------------------------------------------------------------- staff


@bp.route("/manage/contests/<code>")
@roles("staff")
def contest_results(code):
    programme = _contest(code)
    return _render_results(programme)


def _render_results(programme, publish_form=None, decide_forms=None, awards_form=None):
    result = contest.standings(programme)
    if awards_form is None:
        tiers = contest.scoring_tiers(programme.id)
        awards_form = AwardsForm(awards=contest.award_spec(programme.id), prizes=";".join(
            f"{t.name}:{t.prize.normalize():f}" for t in tiers if t.prize is not None))
    snapshot = contest.latest_snapshot(programme)
    return htmx.render("innovation/contest/manage.html", programme=programme, result=result, snapshot=snapshot,
                       objections_until=contest.objections_until(snapshot),
                       objections=contest.objections(programme), awaiting=contest.awaiting_check(programme),
                       publish_form=publish_form or PublishForm(), decide_form=DecideForm(),
                       reason_form=ReasonForm(), certificate_count=len(certificates.valid_certificates(programme)),
                       can_check=contest.is_city_staff(current_user), awards_form=awards_form)


@bp.route("/manage/contests/<code>/awards", methods=["POST"])
@roles("staff")
def contest_awards(code):
    programme = _contest(code)
    form = AwardsForm()
    if form.validate_on_submit():
        try:
            contest.change_award_tiers(current_user, programme, form.awards.data, form.prizes.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The award tiers were saved."), url_for("innovation.contest_results", code=code))
    response = _render_results(programme, awards_form=form)
    return response


@bp.route("/manage/contests/<code>/publish", methods=["POST"])
@roles("staff")
def contest_publish(code):
    programme = _contest(code)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            contest.publish(current_user, programme, final=form.final.data, hours=form.hours.data,
                            reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The results are published."), url_for("innovation.contest_results", code=code))
    return _render_results(programme, publish_form=form)


@bp.route("/manage/contests/<code>/objections/<int:objection_id>", methods=["POST"])
@roles("staff")
def contest_decide(code, objection_id):
    programme = _contest(code)
    objection = db.session.get(ContestObjection, objection_id)
    if objection is None or objection.programme_id != programme.id:
        abort(404)
    form = DecideForm()
    back = url_for("innovation.contest_results", code=code)
    if not form.validate_on_submit():
        flash(_("Write the reason for the decision."), "error")
        return redirect(back, code=303)
    return act(lambda: contest.decide_objection(current_user, objection, upheld=form.upheld.data == "1",
                                                resolution=form.resolution.data),
               _("The objection is decided."), back)


@bp.route("/manage/contests/<code>/check/<number>", methods=["POST"])
@roles("staff")
def contest_check(code, number):
    programme = _contest(code)
    application = _submission(programme, number)
    form = ReasonForm()
    accept = request.form.get("decision") == "accept"
    back = url_for("innovation.contest_results", code=code)
    if not form.validate_on_submit():
        return redirect(back, code=303)
    return act(lambda: contest.formal_check(current_user, application, accept=accept, reason=form.reason.data),
               _("The formal check is recorded."), back)


@bp.route("/manage/contests/<code>/results.xlsx")
@roles("staff")
def contest_results_xlsx(code):
    programme = _contest(code)
    return _xlsx(workbook.results_workbook(programme, with_team=True), f"{programme.code}-results.xlsx")


@bp.route("/manage/contests/<code>/certificates.pdf")
@roles("staff")
def contest_certificates(code):
    programme = _contest(code)
    data = certificates.certificates_pdf(certificates.valid_certificates(programme))
    if data is None:
        abort(404)
    return _pdf(data, f"{programme.code}-certificates.pdf")


@bp.route("/manage/contests/import", methods=["GET", "POST"])
@roles("staff")
def contest_import():
    form = account_forms.UploadForm()

    def run(stream):
        outcome = workbook.import_workbook(current_user, stream)
        if not outcome.ok:
            return imports.Imported(ok=False, results=outcome.results, value=outcome)
        return imports.Imported(ok=True, message=_("The contest %(code)s is imported.", code=outcome.programme.code),
                                location=url_for("innovation.contest_results", code=outcome.programme.code))

    def render(imported=None, report_token=None):
        problems = imports.problems(imported.results) if imported is not None else []
        return htmx.render("innovation/contest/import.html", form=form, problems=problems,
                           report_token=report_token)

    return imports.excel_import(form, run=run, render=render)


@bp.route("/manage/contests/import/template.xlsx")
@roles("staff")
def contest_template():
    return _xlsx(workbook.template_workbook_bytes(), "contest-template.xlsx")


@bp.route("/manage/contests/recommend")
@roles("staff")
def contest_recommendations():
    return htmx.render("innovation/contest/recommend.html", applications=contest.awaiting_unit(current_user),
                       form=ReasonForm())


@bp.route("/manage/contests/<code>/recommend/<number>", methods=["POST"])
@roles("staff")
def contest_recommend(code, number):
    programme = _contest(code)
    application = _submission(programme, number)
    form = ReasonForm()
    back = url_for("innovation.contest_recommendations")
    if not form.validate_on_submit():
        return redirect(back, code=303)
    return act(lambda: contest.recommend(current_user, application, reason=form.reason.data),
               _("The submission is recommended."), back)


# ---------------------------------------------------------------- public


def _public_version(code):
    row = db.session.execute(sa.select(Programme.results_version, Programme.updated_at).where(
        Programme.code == code, Programme.results_version > 0)).first()
    return None if row is None else f"{row.results_version}.{int(row.updated_at.timestamp() * 1_000_000)}"


@bp.route("/contests/<code>/results")
@public
def contest_public_results(code):
    version, as_of = cache.memo_entry(("innovation-contest-results", code), lambda: _public_version(code))
    if version is None:
        abort(404)

    def render():
        programme = contest.contest_by_code(code)
        snapshot = contest.latest_snapshot(programme)
        return htmx.render("innovation/contest/public.html", programme=programme, snapshot=snapshot,
                           objections_until=contest.objections_until(snapshot),
                           cacheable=True).get_data(as_text=True)

    return cache.cached_page(f"innovation-contest/{code}", version, render, as_of=as_of)


# ---------------------------------------------------------------- workers


@bp.route("/contests/")
@signed_in
def my_contests():
    return htmx.render("innovation/contest/mine.html", contests=contest.open_contests(),
                       submissions=contest.my_submissions(current_user))


def _submission_form(application=None):
    form = SubmissionForm(obj=application)
    units = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.UNIT)
                               .order_by(Organization.name)).all()
    form.unit_id.choices = [(u.id, u.name) for u in units]
    studios = db.session.scalars(sa.select(Studio).where(sa.or_(
        Studio.leader_id == current_user.id,
        Studio.id.in_(sa.select(StudioMember.studio_id).where(StudioMember.user_id == current_user.id,
                                                              StudioMember.left_on.is_(None)))))).all()
    form.studio_id.choices = [(0, "—")] + [(s.id, s.name) for s in studios]
    if application is None and not form.is_submitted():
        form.unit_id.data = current_user.organization_id
        form.team.data = f"{current_user.name} 100"
    elif application is not None and not form.is_submitted():
        form.category.data = application.category.value if application.category else None
        form.studio_id.data = application.studio_id or 0
        form.team.data = "\n".join(f"{m.name} {m.contribution.normalize():f}" for m in application.team)
    return form


def _save(programme, application, form):
    lines = form.team_lines()
    team = [contest.TeamLine(name, share, current_user.id if i == 0 and name == current_user.name else None)
            for i, (name, share) in enumerate(lines)]
    return contest.save_submission(
        current_user, programme, application, title=form.title.data, category=AchievementCategory(form.category.data),
        unit=db.session.get(Organization, form.unit_id.data), studio=db.session.get(Studio, form.studio_id.data)
        if form.studio_id.data else None, summary=form.summary.data, team=team,
        yearly_benefit=form.yearly_benefit.data, benefit_evidence=form.benefit_evidence.data,
        already_awarded=form.already_awarded.data, ip_dispute=form.ip_dispute.data,
        government_funded=form.government_funded.data)


@bp.route("/contests/<code>/submit", methods=["GET", "POST"])
@signed_in
def contest_submit_new(code):
    programme = _contest(code)
    form = _submission_form()
    if form.validate_on_submit():
        try:
            application = _save(programme, None, form)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your draft is saved."), "success")
            return redirect(url_for("innovation.contest_submission", code=code, number=application.number),
                            code=303)
    return htmx.render("innovation/contest/submission_form.html", programme=programme, form=form, application=None)


@bp.route("/contests/<code>/submissions/<number>", methods=["GET", "POST"])
@signed_in
def contest_submission(code, number):
    programme = _contest(code)
    application = _submission(programme, number)
    if not (application.applicant_id == current_user.id or contest.can_object(current_user, application)):
        abort(404)
    form = _submission_form(application)
    if form.is_submitted() and form.validate_on_submit():
        try:
            _save(programme, application, form)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your draft is saved."), "success")
            return redirect(url_for("innovation.contest_submission", code=code, number=number), code=303)
    snapshot = contest.latest_snapshot(programme)
    objection = db.session.scalar(sa.select(ContestObjection).where(ContestObjection.application_id == application.id))
    return htmx.render("innovation/contest/submission.html", programme=programme, application=application,
                       form=form, objection_form=ObjectionForm(), snapshot=snapshot, objection=objection,
                       objections_until=contest.objections_until(snapshot),
                       has_certificate=bool(certificates.valid_certificates(programme, current_user)))


@bp.route("/contests/<code>/submissions/<number>/submit", methods=["POST"])
@signed_in
def contest_submission_submit(code, number):
    programme = _contest(code)
    application = _submission(programme, number)
    form = ReasonForm()
    back = url_for("innovation.contest_submission", code=code, number=number)
    if not form.validate_on_submit():
        return redirect(back, code=303)
    return act(lambda: contest.submit(current_user, application),
               _("Your achievement is submitted to your unit's union."), back)


@bp.route("/contests/<code>/submissions/<number>/objection", methods=["POST"])
@signed_in
def contest_object(code, number):
    programme = _contest(code)
    application = _submission(programme, number)
    form = ObjectionForm()
    back = url_for("innovation.contest_submission", code=code, number=number)
    if not form.validate_on_submit():
        flash(_("Describe what you think is wrong."), "error")
        return redirect(back, code=303)
    return act(lambda: contest.lodge_objection(current_user, application, form.text.data),
               _("Your objection is lodged."), back)


@bp.route("/contests/<code>/certificates.pdf")
@signed_in
def contest_my_certificates(code):
    programme = _contest(code)
    data = certificates.certificates_pdf(certificates.valid_certificates(programme, current_user))
    if data is None:
        abort(404)
    return _pdf(data, f"{programme.code}-certificate.pdf")
