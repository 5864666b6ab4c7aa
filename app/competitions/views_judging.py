"""The judges' tablet grid, signing, and the chief judge's desk."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, score_grid
from app.access import require, roles
from app.competitions import bp, forms, publishing, queries, scoresheets, standings
from app.competitions.models import Appeal, Criterion, Entry, Event, Sheet
from app.errors import DomainError, act
from app.extensions import db
from app.review import standings as review_standings


def _seat(event_id):
    """The current user's place on this event's panel: 404 for no such event, 403 when not on it."""
    db.get_or_404(Event, event_id)
    member = scoresheets.membership(event_id, current_user)
    require(member is not None)
    return member


def _stage(member, stage_id):
    stage = next((s for s in member.event.stages if s.id == stage_id), None)
    if stage is None:
        abort(404)
    return stage


@bp.route("/judging/")
@roles("judge", "chief_judge")
def judging():
    return htmx.render("competitions/judging/index.html", seats=queries.my_panels(current_user))


def _grid_page(member, stage, errors=None, typed=None):
    data = queries.grid(member, stage)
    return htmx.render("competitions/judging/grid.html", "grid", member=member, event=member.event, stage=stage,
                       errors=errors or {}, typed=typed or {}, **data)


@bp.route("/judging/<int:event_id>/<int:stage_id>", methods=["GET", "POST"])
@roles("judge", "chief_judge")
def grid(event_id, stage_id):
    member = _seat(event_id)
    stage = _stage(member, stage_id)
    if request.method == "POST":
        # The no-JavaScript path: save every changed cell of the submitted grid.
        data = queries.grid(member, stage)
        saved, errors, typed = score_grid.save_changed(
            request.form, data["entries"], data["criteria"], data["values"],
            lambda entry, criterion, raw: scoresheets.save_mark(current_user, member, entry, criterion, raw))
        db.session.commit()
        if errors:
            return _grid_page(member, stage, errors, typed)
        flash(_("%(n)s marks saved.", n=saved), "success")
        return redirect(url_for("competitions.grid", event_id=event_id, stage_id=stage_id), code=303)
    return _grid_page(member, stage)


@bp.route("/judging/<int:event_id>/cells", methods=["POST"])
@roles("judge", "chief_judge")
def save_cell(event_id):
    """Save one cell of the grid (htmx, on change); answers the cell in its new state."""
    member = _seat(event_id)
    cell = score_grid.posted_cell(request.form)  # v-<entry id>-<criterion id>, as the no-JS form posts
    if cell is None:
        abort(400)
    entry = db.get_or_404(Entry, cell[0])
    criterion = db.get_or_404(Criterion, cell[1])
    raw = cell[2]
    error, value = None, None
    try:
        value = scoresheets.save_mark(current_user, member, entry, criterion, raw)
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    filled, total = queries.grid_progress(member, criterion.stage)
    sheet = db.session.scalar(sa.select(Sheet).where(Sheet.member_id == member.id,
                                                     Sheet.stage_id == criterion.stage_id))
    return htmx.render("competitions/judging/_cell.html", entry=entry, criterion=criterion, event=member.event,
                       value=raw if error else value, error=error, saved=error is None, oob_progress=True,
                       sheet=sheet, filled=filled, total=total, stage=criterion.stage)


@bp.route("/judging/<int:event_id>/<int:stage_id>/sign", methods=["POST"])
@roles("judge", "chief_judge")
def sign(event_id, stage_id):
    member = _seat(event_id)
    stage = _stage(member, stage_id)
    return act(lambda: scoresheets.sign(current_user, member, stage),
               _("Sheet signed. Your marks for %(stage)s are now locked.", stage=stage.name),
               url_for("competitions.grid", event_id=event_id, stage_id=stage_id), full_page=True)


# ---- the chief judge


def _chief_seat(event_id):
    member = _seat(event_id)
    require(member.is_chief)
    return member


@bp.route("/chief/<int:event_id>")
@roles("chief_judge")
def chief(event_id):
    member = _chief_seat(event_id)
    event = member.event
    result = standings.compute(event.id)
    sheets, appeals = queries.chief_overview(event)
    return htmx.render("competitions/judging/chief.html", member=member, event=event, result=result,
                       sheets=sheets, appeals=appeals, unlock_form=forms.ReasonForm())


@bp.route("/chief/sheets/<int:sheet_id>/unlock", methods=["POST"])
@roles("chief_judge")
def unlock_sheet(sheet_id):
    sheet = db.get_or_404(Sheet, sheet_id)
    _chief_seat(sheet.member.event_id)
    form = forms.ReasonForm()
    back = url_for("competitions.chief", event_id=sheet.member.event_id)
    if not form.validate_on_submit():
        flash(_("Write why the sheet is unlocked."), "error")
        return redirect(back, code=303)
    return act(lambda: scoresheets.unlock(current_user, sheet, form.reason.data),
               _("The sheet of %(name)s is unlocked for correction.", name=sheet.member.user.name), back)


@bp.route("/chief/<int:event_id>/consistency")
@roles("chief_judge")
def consistency(event_id):
    member = _chief_seat(event_id)
    result = standings.compute(event_id, with_marks=True)
    report = review_standings.consistency(result.scores, {c.id: c.max_mark for c in result.criteria})
    names = {m.user_id: m.user.name for m in result.judges}
    criteria = {c.id: c for c in result.criteria}
    bibs = {r.entry.id: r.entry.bib for r in result.rows}
    return htmx.render("competitions/judging/consistency.html", member=member, event=member.event, report=report,
                       names=names, criteria=criteria, bibs=bibs)


@bp.route("/chief/appeals/<int:appeal_id>", methods=["GET", "POST"])
@roles("chief_judge")
def appeal(appeal_id):
    appeal = db.get_or_404(Appeal, appeal_id)
    member = _chief_seat(appeal.entry.event_id)
    sheets, _appeals = queries.chief_overview(member.event)
    signed = [s for s in sheets.values() if s.signed_at is not None]
    form = forms.AppealDecisionForm()
    form.sheets.choices = [(s.id, f"{s.member.user.name} · {s.stage.name}") for s in signed]
    if form.validate_on_submit():
        chosen = [s for s in signed if s.id in set(form.sheets.data or [])]
        try:
            publishing.resolve_appeal(current_user, appeal, upheld=form.decision.data == "upheld",
                                      resolution=form.resolution.data, sheets=chosen)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The appeal is resolved."), "success")
            return redirect(url_for("competitions.chief", event_id=member.event_id), code=303)
    result = standings.compute(member.event_id)
    row = next(r for r in result.rows if r.entry.id == appeal.entry_id)
    detail, marks = standings.entry_detail(result, row.entry)
    return htmx.render("competitions/judging/appeal.html", "form", appeal=appeal, member=member, form=form,
                       row=row, result=result, detail=detail, marks=marks)
