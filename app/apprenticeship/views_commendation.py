"""Commendation cycles (师徒表彰): staff pages (cycles, nominations, checks, panel, results, 公示,
publication, prizes, certificates), the experts' grid, and the public notice / results page."""
import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from app import cache, errors, excel, htmx, score_grid, verification
from app.access import public, require, roles, signed_in
from app.apprenticeship import bp, commendation, commendation_certificates, commendation_review
from app.apprenticeship.forms_commendation import (
    CycleForm,
    DecideForm,
    DeedsForm,
    EffectForm,
    NominationForm,
    ObjectionForm,
    PaidForm,
    PublishForm,
    ReasonForm,
    SeatForm,
)
from app.apprenticeship.models import Programme
from app.apprenticeship.models_agreements import Agreement
from app.apprenticeship.models_commendation import (
    PRIZE_ROLE_LABELS,
    CommendationCycle,
    CommendationObjection,
    CommendationPrize,
    CommendationSheet,
    CycleStage,
    Nomination,
)
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db, limiter

DEFAULT_OBJECTION_RATE_LIMIT = "5 per hour"  # per client address, like the innovation 公示


def _cycle(code):
    cycle = commendation.cycle_by_code(code)
    if cycle is None:
        abort(404)
    return cycle


def _nomination(cycle, number):
    nomination = commendation.nomination_by_number(cycle, number)
    if nomination is None:
        abort(404)
    return nomination


def _manage_url(cycle):
    return url_for("apprenticeship.commendation_manage", code=cycle.code)


# ---------------------------------------------------------------- staff: cycles


@bp.route("/manage/commendations/", methods=["GET", "POST"])
@roles("staff")
def commendation_index():
    form = CycleForm()
    form.programme_id.choices = [(p.id, f"{p.name} ({p.cycle})") for p in db.session.scalars(
        sa.select(Programme).order_by(Programme.id.desc()))]
    if form.validate_on_submit():
        try:
            cycle = commendation.open_cycle(current_user, db.get_or_404(Programme, form.programme_id.data),
                                            form.title.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The commendation cycle is open for nominations."), _manage_url(cycle), full_page=True)
    rows = db.session.scalars(commendation.cycles()).all()
    return htmx.render("apprenticeship/commendation/index.html", "form", form=form, cycles=rows)


def _render_manage(cycle, publish_form=None, seat_form=None):
    seats = commendation.load_seats(cycle)
    stage = cycle.stage
    can_manage = commendation.can_manage(current_user, cycle)
    result = commendation.standings(cycle) if can_manage and stage in (
        CycleStage.REVIEWING, CycleStage.PUBLICITY, CycleStage.PUBLISHED) else None
    report = criteria = labels = None
    if result is not None:
        report, criteria, labels = commendation_review.consistency(cycle, seats)
    snapshot = commendation.latest_snapshot(cycle)
    return htmx.render(
        "apprenticeship/commendation/manage.html", cycle=cycle, stages=commendation.stages_of(cycle),
        next_stage=commendation.next_stage(cycle), nominations=commendation.nominations(cycle, current_user),
        votes=commendation.vote_counts(cycle), seats=seats, sheets=commendation_review.sheets(cycle),
        result=result, report=report, criteria=criteria, labels=labels, snapshot=snapshot,
        objections_until=commendation.objections_until(snapshot), objections=commendation.objections(cycle),
        can_manage=can_manage, can_check=lambda n: commendation.can_check(current_user, n),
        reason_form=ReasonForm(), effect_form=EffectForm(), decide_form=DecideForm(),
        seat_form=seat_form or SeatForm(), publish_form=publish_form or PublishForm(),
        certificate_count=len(commendation.certificates_of(cycle)))


@bp.route("/manage/commendations/<code>")
@roles("staff")
def commendation_manage(code):
    return _render_manage(_cycle(code))


@bp.route("/manage/commendations/<code>/advance", methods=["POST"])
@roles("staff")
def commendation_advance(code):
    cycle = _cycle(code)
    form = ReasonForm()
    if not form.validate_on_submit():
        return redirect(_manage_url(cycle), code=303)
    return act(lambda: commendation.advance(current_user, cycle), _("The cycle moved on."), _manage_url(cycle))


@bp.route("/manage/commendations/<code>/nominate", methods=["GET", "POST"])
@roles("staff")
def commendation_nominate(code):
    cycle = _cycle(code)
    found = commendation.candidates(cycle, current_user)
    form = NominationForm()
    form.agreement_id.choices = [(c.agreement.id, f"{c.agreement} · {c.agreement.unit.name}") for c in found]
    if form.validate_on_submit():
        agreement = db.get_or_404(Agreement, form.agreement_id.data)
        try:
            nomination = commendation.nominate(current_user, cycle, agreement, form.deeds.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Nomination %(no)s is recorded.", no=nomination.label),
                         url_for("apprenticeship.commendation_nominate", code=code))
    elif request.method == "POST" and form.agreement_id.errors:
        # An agreement outside the list: say why instead of "not a valid choice".
        agreement = db.session.get(Agreement, request.form.get("agreement_id", type=int) or 0)
        if agreement is not None:
            try:
                commendation.nominate(current_user, cycle, agreement, form.deeds.data)
            except DomainError as error:
                form.agreement_id.errors = [str(error.message)]
            finally:
                db.session.rollback()  # only asked for the reason: nothing is saved from here
    return htmx.render("apprenticeship/commendation/nominate.html", "form", cycle=cycle, candidates=found,
                       form=form, mine=commendation.nominations(cycle, current_user))


@bp.route("/manage/commendations/<code>/nominations/<int:number>/resubmit", methods=["POST"])
@roles("staff")
def commendation_resubmit(code, number):
    cycle = _cycle(code)
    nomination = _nomination(cycle, number)
    form = DeedsForm()
    back = url_for("apprenticeship.commendation_nominate", code=code)
    if not form.validate_on_submit():
        flash(_("Summarise the pair's deeds (at least 10 characters)."), "error")
        return redirect(back, code=303)
    return act(lambda: commendation.resubmit(current_user, nomination, form.deeds.data),
               _("Nomination %(no)s is put forward again.", no=nomination.label), back)


@bp.route("/manage/commendations/<code>/nominations/<int:number>/check", methods=["POST"])
@roles("staff")
def commendation_check(code, number):
    cycle = _cycle(code)
    nomination = _nomination(cycle, number)
    form = ReasonForm()
    if not form.validate_on_submit():
        return redirect(_manage_url(cycle), code=303)
    accept = request.form.get("decision") == "accept"
    return act(lambda: commendation.check(current_user, nomination, accept=accept, reason=form.reason.data),
               _("The check is recorded."), _manage_url(cycle))


@bp.route("/manage/commendations/<code>/nominations/<int:number>/effect", methods=["POST"])
@roles("staff")
def commendation_effect(code, number):
    cycle = _cycle(code)
    nomination = _nomination(cycle, number)
    form = EffectForm()
    if not form.validate_on_submit():
        return redirect(_manage_url(cycle), code=303)
    return act(lambda: commendation.evaluate_effect(current_user, nomination, form.rating.data, form.note.data),
               _("The effect evaluation is recorded."), _manage_url(cycle))


@bp.route("/manage/commendations/<code>/seats", methods=["POST"])
@roles("staff")
def commendation_seat(code):
    cycle = _cycle(code)
    form = SeatForm()
    if form.validate_on_submit():
        try:
            commendation_review.add_seat(current_user, cycle, commendation_review.find_user(form.username.data),
                                         form.is_chief.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The expert is on the panel."), _manage_url(cycle))
    return _render_manage(cycle, seat_form=form)


@bp.route("/manage/commendations/<code>/publish", methods=["POST"])
@roles("staff")
def commendation_publish(code):
    cycle = _cycle(code)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            commendation.publish(current_user, cycle, final=form.final.data, hours=form.hours.data,
                                 reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            cache.forget(("apprenticeship-commendation", code))  # this worker shows the new version at once
            return saved(_("The results are published."), _manage_url(cycle))
    return _render_manage(cycle, publish_form=form)


@bp.route("/manage/commendations/<code>/objections/<int:objection_id>", methods=["POST"])
@roles("staff")
def commendation_decide(code, objection_id):
    cycle = _cycle(code)
    objection = db.session.get(CommendationObjection, objection_id)
    if objection is None or objection.cycle_id != cycle.id:
        abort(404)
    form = DecideForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for the decision."), "error")
        return redirect(_manage_url(cycle), code=303)
    return act(lambda: commendation.decide_objection(current_user, objection, upheld=form.upheld.data == "1",
                                                     resolution=form.resolution.data),
               _("The objection is decided."), _manage_url(cycle))


@bp.route("/manage/commendations/<code>/prizes")
@roles("staff")
def commendation_prizes(code):
    cycle = _cycle(code)
    return htmx.render("apprenticeship/commendation/prizes.html", cycle=cycle, prizes=commendation.prizes(cycle),
                       form=PaidForm(), can_manage=commendation.can_manage(current_user, cycle))


@bp.route("/manage/commendations/<code>/prizes/<int:prize_id>/paid", methods=["POST"])
@roles("staff")
def commendation_paid(code, prize_id):
    cycle = _cycle(code)
    prize = db.session.get(CommendationPrize, prize_id)
    if prize is None or prize.cycle_id != cycle.id:
        abort(404)
    form = PaidForm()
    back = url_for("apprenticeship.commendation_prizes", code=code)
    if not form.validate_on_submit():
        flash(_("Enter the payment date as YYYY-MM-DD."), "error")
        return redirect(back, code=303)
    return act(lambda: commendation.mark_paid(current_user, prize, form.paid_on.data), _("Marked paid."), back)


@bp.route("/manage/commendations/<code>/prizes.xlsx")
@roles("staff")
def commendation_prizes_xlsx(code):
    cycle = _cycle(code)
    data = commendation.prizes_workbook(cycle, PRIZE_ROLE_LABELS)
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"commendation-{cycle.code}-prizes.xlsx")


def _issuer(cycle):
    organiser = cycle.programme.organiser
    return organiser.name if organiser is not None else cycle.programme.name


@bp.route("/manage/commendations/<code>/certificates.pdf")
@roles("staff")
def commendation_certificates_pdf(code):
    cycle = _cycle(code)
    data = commendation_certificates.certificates_pdf(commendation.certificates_of(cycle), _issuer(cycle))
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"commendation-{cycle.code}.pdf")


@bp.route("/commendations/<code>/certificate.pdf")
@signed_in
def commendation_my_certificate(code):
    cycle = _cycle(code)
    data = commendation_certificates.certificates_pdf(commendation.certificates_of(cycle, current_user),
                                                      _issuer(cycle))
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"commendation-{cycle.code}.pdf")


# ---------------------------------------------------------------- experts


def _seat(code):
    cycle = _cycle(code)
    seat = commendation_review.seat_of(cycle, current_user)
    require(seat is not None)
    return seat


@bp.route("/commendation-review/")
@roles("judge", "chief_judge")
def commendation_reviews():
    seats = commendation_review.my_seats(current_user)
    return htmx.render("apprenticeship/commendation/reviews.html", seats=seats,
                       progress={s.id: commendation_review.grid(s) for s in seats})


def _grid_page(seat, errors_=None, typed=None):
    return htmx.render("apprenticeship/commendation/grid.html", "grid", seat=seat, cycle=seat.cycle,
                       errors=errors_ or {}, typed=typed or {}, votes=commendation.vote_counts(seat.cycle),
                       **commendation_review.grid(seat))


@bp.route("/commendation-review/<code>", methods=["GET", "POST"])
@roles("judge", "chief_judge")
def commendation_grid(code):
    seat = _seat(code)
    if request.method == "POST":  # without JavaScript: every changed cell of the grid
        data = commendation_review.grid(seat)
        count, problems, typed = score_grid.save_changed(
            request.form, data["nominations"], data["criteria"], data["values"],
            lambda nomination, criterion, raw: commendation_review.save_mark(current_user, seat, nomination,
                                                                             criterion, raw),
            skip=data["blocked"])
        db.session.commit()
        if problems:
            return _grid_page(seat, problems, typed)
        flash(_("%(n)s marks saved.", n=count), "success")
        return redirect(url_for("apprenticeship.commendation_grid", code=code), code=303)
    return _grid_page(seat)


@bp.route("/commendation-review/<code>/cells", methods=["POST"])
@roles("judge", "chief_judge")
def commendation_cell(code):
    """One cell saved on change (htmx): answers the cell in its new state and the progress."""
    seat = _seat(code)
    cell = score_grid.posted_cell(request.form)
    if cell is None:
        abort(400)
    nomination = db.session.get(Nomination, cell[0])
    criterion = commendation_review.criterion(seat.cycle, cell[1])
    if nomination is None or criterion is None or nomination.cycle_id != seat.cycle_id:
        abort(404)
    error, value = None, None
    try:
        value = commendation_review.save_mark(current_user, seat, nomination, criterion, cell[2])
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        error = str(problem.message)
    data = commendation_review.grid(seat)
    return htmx.render("apprenticeship/commendation/_cell.html", cycle=seat.cycle, nomination=nomination,
                       criterion=criterion, value=cell[2] if error else value, error=error, saved=error is None,
                       oob_progress=True, sheet=data["sheet"], filled=data["filled"], expected=data["expected"])


@bp.route("/commendation-review/<code>/sign", methods=["POST"])
@roles("judge", "chief_judge")
def commendation_sign(code):
    seat = _seat(code)
    return act(lambda: commendation_review.sign(current_user, seat),
               _("Sheet signed. Your marks for this cycle are now locked."),
               url_for("apprenticeship.commendation_grid", code=code), full_page=True)


@bp.route("/commendation-review/sheets/<int:sheet_id>/unlock", methods=["POST"])
@roles("judge", "chief_judge", "staff")
def commendation_unlock(sheet_id):
    sheet = db.session.get(CommendationSheet, sheet_id)
    if sheet is None:
        abort(404)
    cycle = sheet.seat.cycle
    seat = commendation_review.seat_of(cycle, current_user)
    require(commendation.can_manage(current_user, cycle) or (seat is not None and seat.is_chief))
    form = ReasonForm()
    back = _manage_url(cycle) if current_user.has_role("staff", "admin") else \
        url_for("apprenticeship.commendation_grid", code=cycle.code)
    if not form.validate_on_submit() or not (form.reason.data or "").strip():
        flash(_("Write why the sheet is unlocked."), "error")
        return redirect(back, code=303)
    return act(lambda: commendation_review.unlock(current_user, sheet, form.reason.data),
               _("The sheet of %(name)s is unlocked for correction.", name=sheet.seat.user.name), back)


# ---------------------------------------------------------------- public: 公示 and results


def _public_version(code):
    row = db.session.execute(sa.select(CommendationCycle.results_version, CommendationCycle.updated_at).where(
        CommendationCycle.code == code, CommendationCycle.results_version > 0)).first()
    return None if row is None else f"{row.results_version}.{int(row.updated_at.timestamp() * 1_000_000)}"


@bp.route("/commendations/")
@public
def commendation_list():
    """Published commendations (and those in 公示), newest first."""
    return htmx.render("apprenticeship/commendation/list.html",
                       cycles=db.session.scalars(commendation.public_cycles()).all())


@bp.route("/commendations/<code>")
@public
def commendation_public(code):
    """The 公示 notice (with the objection form for signed-in visitors) and, after publication, the
    results: both from the latest frozen snapshot, cached by its version."""
    version, as_of = cache.memo_entry(("apprenticeship-commendation", code), lambda: _public_version(code))
    if version is None:
        abort(404)
    cycle = _cycle(code)
    snapshot = commendation.latest_snapshot(cycle)
    if not snapshot.final:  # the notice carries a form with the visitor's CSRF token: never cached
        form = ObjectionForm()
        form.nomination.choices = [(r["nomination_id"], f'{r["no"]} {r["unit"]}') for r in snapshot.data["rows"]]
        return htmx.render("apprenticeship/commendation/public.html", cycle=cycle, snapshot=snapshot, form=form,
                           objections_until=commendation.objections_until(snapshot), mask=verification.mask_name)

    def render():
        return htmx.render("apprenticeship/commendation/public.html", cycle=cycle, snapshot=snapshot, form=None,
                           objections_until=None, mask=verification.mask_name, cacheable=True).get_data(as_text=True)

    return cache.cached_page(f"apprenticeship-commendation/{code}", version, render, as_of=as_of)


def _limited(_limit):
    response = htmx.render("apprenticeship/commendation/limited.html")
    response.status_code = 429
    return response


def _lodged(response):
    return response.status_code == 303


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error):
    if error.response is not None:
        return error.response
    return errors.error_page(429)


@bp.route("/commendations/<code>/objections", methods=["POST"])
@signed_in
@limiter.limit(lambda: current_app.config.get("OBJECTION_RATE_LIMIT", DEFAULT_OBJECTION_RATE_LIMIT),
               deduct_when=_lodged, on_breach=_limited)
def commendation_object(code):
    cycle = _cycle(code)
    back = url_for("apprenticeship.commendation_public", code=code)
    nomination = db.session.get(Nomination, request.form.get("nomination", type=int) or 0)
    form = ObjectionForm()
    form.nomination.choices = [(nomination.id, "")] if nomination is not None else []
    if nomination is None or not form.validate_on_submit():
        flash(_("Describe what you think is wrong."), "error")
        return redirect(back, code=303)
    return act(lambda: commendation.lodge_objection(current_user, cycle, nomination, form.text.data),
               _("Your objection is lodged."), back)

