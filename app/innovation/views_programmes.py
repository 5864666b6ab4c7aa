"""Union staff: programmes (annual calls), quotas, criteria, panel, screening, the ranking
board with its proposals, the meeting pack and the meeting's decision."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import roles
from app.accounts.models import User
from app.db import database_id, local_to_utc, utc_to_local
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import applications, bp, expert_review, exports, forms, programmes, proposals, queries, ranking
from app.innovation.models import (
    PROGRAMME_STATUS_LABELS,
    Application,
    ApplicationStage,
    Programme,
    ProgrammeKind,
    ProgrammeQuota,
    ProgrammeStatus,
)
from app.innovation.views_files import download
from app.review import standings as review_standings


def _programme(code):
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == code))
    if programme is None:
        abort(404)
    return programme


def _manage(programme):
    return url_for("innovation.manage_programme", code=programme.code)


@bp.route("/manage/")
@roles("staff")
def manage_index():
    programmes_ = db.session.scalars(queries.all_programmes()).all()
    counts = dict(db.session.execute(queries.application_counts()).all())
    return htmx.render("innovation/manage/index.html", programmes=programmes_, counts=counts)


def _window_in(form, programme):
    """The form's local dates → the programme's UTC window (closing at the end of the closing day)."""
    opens = form.opens_on.data
    closes = form.closes_on.data
    return {"opens_at": local_to_utc(datetime.combine(opens, time())) if opens else None,
            "closes_at": local_to_utc(datetime.combine(closes + timedelta(days=1), time())) if closes else None}


def _window_out(form, programme):
    if programme.opens_at:
        form.opens_on.data = utc_to_local(programme.opens_at).date()
    if programme.closes_at:
        form.closes_on.data = (utc_to_local(programme.closes_at) - timedelta(days=1)).date()


@bp.route("/manage/programmes/new", methods=["GET", "POST"])
@bp.route("/manage/programmes/<code>/settings", methods=["GET", "POST"])
@roles("staff")
def edit_programme(code=None):
    programme = _programme(code) if code else None
    form = forms.ProgrammeForm(obj=programme)
    if programme is not None and request.method == "GET":
        _window_out(form, programme)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in programmes.PROGRAMME_FIELDS
                  if name not in ("opens_at", "closes_at")}
        values.update(_window_in(form, programme))
        for name in ("description", "required_attachments", "eligibility_items", "tie_break"):
            values[name] = (values[name] or "").strip()
        values["kind"], values["blind"] = ProgrammeKind(values["kind"]), bool(values["blind"])
        try:
            programme = programmes.save_programme(current_user, programme, **values)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The programme was saved."), _manage(programme))
    return htmx.render("innovation/manage/programme_form.html", "form", form=form, programme=programme)


@bp.route("/manage/programmes/<code>")
@roles("staff")
def manage_programme(code):
    programme = _programme(code)
    status_form = forms.StatusForm()
    status_form.target.choices = [(str(t), PROGRAMME_STATUS_LABELS[t])
                                  for t in programmes.TRANSITIONS.get(programme.status, ())]
    panel_form = forms.PanelForm()
    panel_form.user_id.choices = [(str(u.id), f"{u.name}（{u.organization.name if u.organization else '—'}）")
                                  for u in programmes.experts_to_seat(programme)]
    criteria_form = forms.CriteriaForm(lines="\n".join(
        f"{c.code}, {c.name}, {c.max_mark.normalize():f}, {c.weight.normalize():f}"
        + (f", {c.description}" if c.description else "") for c in programme.criteria))
    return htmx.render("innovation/manage/programme.html", programme=programme,
                       counts=programmes.stage_counts(programme.id), status_form=status_form,
                       quota_form=forms.QuotaForm(), panel_form=panel_form, criteria_form=criteria_form,
                       decision_form=forms.DecisionForm())


@bp.route("/manage/programmes/<code>/quotas", methods=["POST"])
@roles("staff")
def save_quota(code):
    programme = _programme(code)
    form = forms.QuotaForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(_manage(programme), code=303)
    return act(lambda: programmes.save_quota(current_user, programme, form.studio_type.data, form.quota.data,
                                             form.amount.data),
               _("The places were saved."), _manage(programme))


@bp.route("/manage/programmes/<code>/quotas/<int:quota_id>/remove", methods=["POST"])
@roles("staff")
def remove_quota(code, quota_id):
    programme = _programme(code)
    row = next((q for q in programme.quotas if q.id == quota_id), None)
    if row is None:
        abort(404)
    return act(lambda: programmes.remove_quota(current_user, programme, row), _("The places were removed."),
               _manage(programme))


@bp.route("/manage/programmes/<code>/criteria", methods=["POST"])
@roles("staff")
def save_criteria(code):
    programme = _programme(code)
    form = forms.CriteriaForm()
    if not form.validate_on_submit():
        flash(_("Write the criteria, one per line."), "error")
        return redirect(_manage(programme), code=303)
    try:
        rows = forms.parse_criteria(form.lines.data)
    except ValueError as error:
        line, message = error.args
        flash(_("Line %(n)s: %(message)s", n=line, message=message), "error")
        return redirect(_manage(programme), code=303)
    return act(lambda: programmes.save_criteria(current_user, programme, rows), _("The criteria were saved."),
               _manage(programme))


@bp.route("/manage/programmes/<code>/panel", methods=["POST"])
@roles("staff")
def add_expert(code):
    programme = _programme(code)
    form = forms.PanelForm()
    form.user_id.choices = [(str(u.id), u.name) for u in programmes.experts_to_seat(programme)]
    if not form.validate_on_submit():
        flash(_("Choose an expert."), "error")
        return redirect(_manage(programme), code=303)
    user = db.get_or_404(User, int(form.user_id.data))
    return act(lambda: programmes.seat_expert(current_user, programme, user, bool(form.chief.data)),
               _("%(name)s joined the panel.", name=user.name), _manage(programme))


@bp.route("/manage/programmes/<code>/panel/<int:seat_id>/remove", methods=["POST"])
@roles("staff")
def remove_expert(code, seat_id):
    programme = _programme(code)
    seat = next((s for s in programme.panel if s.id == seat_id), None)
    if seat is None:
        abort(404)
    return act(lambda: programmes.unseat_expert(current_user, programme, seat), _("The expert left the panel."),
               _manage(programme))


@bp.route("/manage/programmes/<code>/status", methods=["POST"])
@roles("staff")
def programme_status(code):
    programme = _programme(code)
    target = request.form.get("target", "")
    if target not in {str(s) for s in ProgrammeStatus}:
        flash(_("Choose the next step."), "error")
        return redirect(_manage(programme), code=303)
    return act(lambda: programmes.change_status(current_user, programme, target),
               _("The programme moved to “%(status)s”.", status=PROGRAMME_STATUS_LABELS[ProgrammeStatus(target)]),
               _manage(programme))


@bp.route("/manage/programmes/<code>/decision", methods=["POST"])
@roles("staff")
def record_decision(code):
    programme = _programme(code)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        flash(_("Enter the decision's document number and date."), "error")
        return redirect(_manage(programme), code=303)
    return act(lambda: programmes.record_decision(current_user, programme, form.document_no.data,
                                                  form.decided_on.data, form.note.data),
               _("The meeting's decision is recorded."), _manage(programme))


# ---------------------------------------------------------------- applications and screening

@bp.route("/manage/programmes/<code>/applications")
@roles("staff")
def programme_applications(code):
    programme = _programme(code)
    stage = request.args.get("stage", "")
    query = sa.select(Application).where(Application.programme_id == programme.id)
    if stage in {str(s) for s in ApplicationStage}:
        query = query.where(Application.stage == stage)
    elif stage:
        stage = ""
    rows = db.session.scalars(query.options(*queries.application_options()).order_by(Application.number)).unique().all()
    waiting = {a.id for a in rows if applications.can_act(current_user, a)}
    return htmx.render("innovation/manage/applications.html", programme=programme, applications=rows, stage=stage,
                       counts=programmes.stage_counts(programme.id), waiting=waiting, reason_form=forms.ReasonForm())


def _application_in(programme, application_id):
    application = db.session.get(Application, application_id)
    if application is None or application.programme_id != programme.id:
        abort(404)
    return application


@bp.route("/manage/programmes/<code>/applications/<int:application_id>/screen", methods=["POST"])
@roles("staff")
def screen(code, application_id):
    programme = _programme(code)
    application = _application_in(programme, application_id)
    accept = request.form.get("decision") == "accept"
    back = url_for("innovation.programme_applications", code=code, stage="district_recommended")
    return act(lambda: applications.screen(current_user, application, accept, request.form.get("reason", "")),
               _("%(number)s passed screening.", number=application.number) if accept
               else _("%(number)s was not accepted.", number=application.number), back)


@bp.route("/manage/programmes/<code>/screen-selected", methods=["POST"])
@roles("staff")
def screen_selected(code):
    programme = _programme(code)
    ids = [i for i in (database_id(v) for v in request.form.getlist("application")) if i is not None]
    chosen = db.session.scalars(sa.select(Application).where(Application.programme_id == programme.id,
                                                             Application.id.in_(ids))).all()
    back = url_for("innovation.programme_applications", code=code, stage="district_recommended")
    if not chosen:
        flash(_("Tick the applications to accept."), "error")
        return redirect(back, code=303)
    return act(lambda: applications.screen_many(current_user, chosen),
               lambda n: _("%(n)s applications passed screening.", n=n), back)


# ---------------------------------------------------------------- the ranking board

@bp.route("/manage/programmes/<code>/board")
@roles("staff")
def board(code):
    programme = _programme(code)
    result = proposals.board(programme.id)
    return htmx.render("innovation/manage/board.html", programme=programme, board=result)


@bp.route("/manage/programmes/<code>/board/<int:application_id>", methods=["POST"])
@roles("staff")
def toggle_proposal(code, application_id):
    programme = _programme(code)
    application = _application_in(programme, application_id)
    back = url_for("innovation.board", code=code) + f"#a{application.id}"
    if request.form.get("action") == "unmark":
        return act(lambda: proposals.unmark(current_user, application),
                   _("%(number)s is no longer proposed.", number=application.number), back)
    row = proposals.board(programme.id).row(application.id)
    complete = row is not None and row.complete
    return act(lambda: proposals.mark(current_user, application, complete=complete),
               _("%(number)s is proposed.", number=application.number), back)


@bp.route("/manage/programmes/<code>/board/fill/<int:quota_id>", methods=["POST"])
@roles("staff")
def fill_quota(code, quota_id):
    programme = _programme(code)
    if db.session.get(ProgrammeQuota, quota_id) is None:
        abort(404)
    return act(lambda: proposals.fill_quota(current_user, programme.id, quota_id),
               lambda n: _("%(n)s applications proposed down the ranking.", n=n),
               url_for("innovation.board", code=code))


@bp.route("/manage/programmes/<code>/meeting-pack.<fmt>")
@roles("staff")
def meeting_pack(code, fmt):
    programme = _programme(code)
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    result = proposals.board(programme.id)
    if fmt == "pdf":
        return download(exports.meeting_pack_pdf(result), f"{programme.code}-meeting-pack.pdf", "application/pdf")
    return download(exports.meeting_pack_xlsx(result), f"{programme.code}-meeting-pack.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/manage/programmes/<code>/consistency")
@roles("staff")
def consistency(code):
    programme = _programme(code)
    marks, seats = expert_review.marks_by_expert(programme.id)
    report = review_standings.consistency(marks, {c.id: c.max_mark for c in programme.criteria})
    names = {seat.user_id: seat.user.name for seat in seats}
    numbers = dict(db.session.execute(sa.select(Application.id, Application.number)
                                      .where(Application.programme_id == programme.id)).all())
    return htmx.render("innovation/manage/consistency.html", programme=programme, report=report, names=names,
                       criteria={c.id: c for c in programme.criteria}, numbers=numbers)

