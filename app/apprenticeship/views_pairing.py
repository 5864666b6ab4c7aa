"""The review of a programme's proposed pairs (staff covering the apprentices' units; city staff see
everything), its unmatched apprentices and export; and a participant's own pairing and preferences."""
import io

import sqlalchemy as sa
from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import excel, htmx
from app.access import roles, signed_in
from app.accounts import queries as account_queries
from app.accounts.coverage import covered_path
from app.accounts.models import OrgKind, Organization
from app.apprenticeship import bp, exports_pairs, forms_pairing as forms, pairing, queries, register
from app.apprenticeship.models import (
    MAX_PREFERENCES,
    ApprenticeProfile,
    Master,
    PairingMode,
    PairStatus,
    ProposedPair,
)
from app.apprenticeship.views_programmes import programme_or_404
from app.errors import DomainError, act
from app.extensions import db

PER_PAGE = 50


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _pair_or_404(programme, pair_id):
    pair = queries.pair_in_reach(programme, pair_id, covered_path(current_user))
    if pair is None:
        abort(404)  # not this programme's, or outside the staff member's units
    return pair


def _list_url(programme):
    return url_for("apprenticeship.pairs", code=programme.code)


def _filters(programme):
    path = covered_path(current_user)
    districts = db.session.scalars(
        sa.select(Organization).where(Organization.kind == OrgKind.DISTRICT,
                                      Organization.path.startswith(path, autoescape=True) if path else sa.true())
        .order_by(Organization.name)).all()
    trades = db.session.scalars(account_queries.trades()).all()
    search = forms.PairFilterForm(request.args)
    search.unit.choices = [("", _("All districts and industries"))] + [(str(o.id), o.name) for o in districts]
    search.trade.choices = [("", _("All trades"))] + [(str(t.id), t.name) for t in trades]
    search.validate()
    unit = next((o for o in districts if o.id == _int(search.unit.data)), None)
    q = search.q.data.strip() if search.q.data and not search.q.errors else None
    return search, dict(path=path, q=q or None, unit=unit, trade_id=_int(search.trade.data),
                        scope=search.scope.data if not search.scope.errors else None,
                        status=search.status.data if not search.status.errors else None)


@bp.route("/manage/programmes/<code>/pairs")
@roles("staff")
def pairs(code):
    """THE pair list: one SELECT for the page's rows and one count, whatever the number of pairs."""
    programme = programme_or_404(code)
    search, criteria = _filters(programme)
    page = queries.paginate_pairs(queries.pair_ids(programme, **criteria), PER_PAGE)
    return htmx.render("apprenticeship/pairing/pairs.html", "results", programme=programme, search=search,
                       page=page, batch_form=forms.RejectForm(), reject_form=forms.RejectForm())


def _row(programme, pair, error=None, editing=None):
    row = db.session.execute(queries.pair_rows([pair.id])).one()
    return htmx.render("apprenticeship/pairing/_row.html", "row", programme=programme, row=row, error=error,
                       editing=editing, reject_form=forms.RejectForm())


def _answer(programme, pair, action, success):
    """A row action: the row again for htmx (with the refusal in it), else a 303 to the list."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        if htmx.is_htmx():
            return _row(programme, pair, error=str(error.message))
        flash(str(error.message), "error")
        return redirect(_list_url(programme), code=303)
    db.session.commit()
    message = success(result) if callable(success) else success
    if htmx.is_htmx():
        flash(message, "success")
        return _row(programme, pair)
    flash(message, "success")
    return redirect(request.referrer if request.referrer and request.host in request.referrer
                    else _list_url(programme), code=303)


def _accepted_message(agreement):
    if agreement is None:
        return _("Accepted by the union; the pair now waits for the master and the apprentice.")
    return _("The pair is accepted and its agreement drafted.")


@bp.route("/manage/programmes/<code>/pairs/<int:pair_id>/accept", methods=["POST"])
@roles("staff")
def accept_pair(code, pair_id):
    programme = programme_or_404(code)
    pair = _pair_or_404(programme, pair_id)
    return _answer(programme, pair, lambda: pairing.accept(current_user, pair), _accepted_message)


@bp.route("/manage/programmes/<code>/pairs/<int:pair_id>/reject", methods=["POST"])
@roles("staff")
def reject_pair(code, pair_id):
    programme = programme_or_404(code)
    pair = _pair_or_404(programme, pair_id)
    form = forms.RejectForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    return _answer(programme, pair, lambda: pairing.reject(current_user, pair, reason),
                   _("The pair was rejected; the next matching run avoids it."))


@bp.route("/manage/programmes/<code>/pairs/<int:pair_id>/edit", methods=["GET", "POST"])
@roles("staff")
def edit_pair(code, pair_id):
    """Give the apprentice another master of the trade with a free place (a row form for htmx)."""
    programme = programme_or_404(code)
    pair = _pair_or_404(programme, pair_id)
    form = forms.ReassignForm()
    choices = pairing.free_masters(pair)
    form.master_id.choices = [(str(m.id), f"{m.user.name}（{m.user.username or '—'}，{m.unit.name}，"
                                          + _("%(n)s places left", n=left) + "）") for m, left in choices]
    if request.method == "POST":
        if not form.validate_on_submit():
            return _row(programme, pair, error=_("Choose another master."), editing=form)
        master = next(m for m, _left in choices if str(m.id) == form.master_id.data)
        return _answer(programme, pair, lambda: pairing.reassign(current_user, pair, master),
                       _("The apprentice has another master; the pair waits for acceptance again."))
    if htmx.is_htmx():
        return _row(programme, pair, editing=None if request.args.get("cancel") else form)
    return htmx.render("apprenticeship/pairing/edit.html", programme=programme, pair=pair, form=form)


@bp.route("/manage/programmes/<code>/pairs/accept", methods=["POST"])
@roles("staff")
def accept_page(code):
    """Accept every proposed pair shown on the page the staff member was looking at."""
    programme = programme_or_404(code)
    ids = [i for i in (_int(v) for v in request.form.getlist("pair"))][:PER_PAGE * 2]
    path = covered_path(current_user)
    chosen = [p for p in (queries.pair_in_reach(programme, i, path) for i in ids if i) if p is not None]

    def run():
        return pairing.accept_many(current_user, chosen)

    def message(result):
        accepted, waiting, refused = result
        text = _("%(n)s pairs accepted.", n=accepted)
        if waiting:
            text += " " + _("%(n)s accepted by the union now wait for the master and the apprentice.", n=waiting)
        if refused:
            text += " " + _("%(n)s could not be (their master has no free place left, or someone else decided "
                            "first).", n=refused)
        return text

    location = request.referrer if request.referrer and request.host in request.referrer else _list_url(programme)
    return act(run, message, location, full_page=True)


@bp.route("/manage/programmes/<code>/unmatched")
@roles("staff")
def unmatched(code):
    programme = programme_or_404(code)
    page = queries.paginate_rows(queries.unmatched_rows(programme, covered_path(current_user)), PER_PAGE)
    return htmx.render("apprenticeship/pairing/unmatched.html", "results", programme=programme, page=page)


@bp.route("/manage/programmes/<code>/pairs.xlsx")
@roles("staff")
def export_pairs(code):
    programme = programme_or_404(code)
    data = exports_pairs.pairs_workbook(programme, covered_path(current_user))
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"{programme.code}-pairs.xlsx")


# ---------------------------------------------------------------- participants


def _my_pairs():
    master = register.master_of(current_user)
    apprentice = register.profile_of(current_user)
    conditions = []
    if master is not None:
        conditions.append(ProposedPair.master_id == master.id)
    if apprentice is not None:
        conditions.append(ProposedPair.apprentice_id == apprentice.id)
    if not conditions:
        return master, apprentice, []
    rows = db.session.scalars(
        sa.select(ProposedPair).where(sa.or_(*conditions))
        .options(sa.orm.joinedload(ProposedPair.programme),
                 sa.orm.joinedload(ProposedPair.master).joinedload(Master.user),
                 sa.orm.joinedload(ProposedPair.master).joinedload(Master.unit),
                 sa.orm.joinedload(ProposedPair.apprentice).joinedload(ApprenticeProfile.user))
        .order_by(ProposedPair.id.desc())).all()
    return master, apprentice, rows


@bp.route("/my/pairing")
@signed_in
def my_pairing():
    master, apprentice, rows = _my_pairs()
    return htmx.render("apprenticeship/pairing/mine.html", master=master, apprentice=apprentice, pairs=rows,
                       decline_form=forms.DeclineForm(), PairingMode=PairingMode, PairStatus=PairStatus)


@bp.route("/my/pairing/<int:pair_id>/<answer>", methods=["POST"])
@signed_in
def respond_pair(pair_id, answer):
    if answer not in ("accept", "decline"):
        abort(404)
    pair = db.session.get(ProposedPair, pair_id)
    if pair is None:
        abort(404)
    master, apprentice = register.master_of(current_user), register.profile_of(current_user)
    if master is not None and pair.master_id == master.id:
        side = "master"
    elif apprentice is not None and pair.apprentice_id == apprentice.id:
        side = "apprentice"
    else:
        abort(404)
    form = forms.DeclineForm()
    reason = form.reason.data if form.validate_on_submit() else ""

    def message(agreement):
        if answer == "decline":
            return _("You declined the proposal.")
        if agreement is not None:
            return _("Both sides accepted: the agreement is being drafted.")
        return _("You accepted; the pair waits for the other side.")

    return act(lambda: pairing.respond(current_user, pair, side, answer == "accept", reason), message,
               url_for("apprenticeship.my_pairing"))


@bp.route("/my/preferences", methods=["GET", "POST"])
@signed_in
def my_preferences():
    """Open application: rank up to five masters of one's trade, and name masters to avoid."""
    apprentice = register.profile_of(current_user)
    if apprentice is None:
        return htmx.render("apprenticeship/pairing/preferences.html", apprentice=None, form=None)
    q = (request.args.get("q") or "").strip()[:60]
    found = register.masters_of_trade(apprentice.trade_id, q=q or None)
    current = [p.master for p in apprentice.preferences]
    avoided = register.avoided_of(apprentice)
    masters = list({m.id: m for m in [*current, *avoided, *found]}.values())
    choices = [("", "—")] + [(str(m.id), f"{m.user.name}（{m.unit.name}）") for m in masters]
    form = forms.PreferencesForm()
    for rank in range(1, MAX_PREFERENCES + 1):
        field = getattr(form, f"rank_{rank}")
        field.choices = choices
        if request.method == "GET":
            field.data = str(current[rank - 1].id) if rank <= len(current) else ""
    form.avoid.choices = choices[1:]
    if request.method == "GET":
        form.avoid.data = [str(m.id) for m in avoided]
    if form.validate_on_submit():
        ranked = [_int(getattr(form, f"rank_{rank}").data) for rank in range(1, MAX_PREFERENCES + 1)]
        avoid = [_int(v) for v in form.avoid.data or ()]
        return act(lambda: register.save_preferences(current_user, apprentice, ranked, avoid),
                   _("Your choices were saved; the next matching run uses them."),
                   url_for("apprenticeship.my_preferences"))
    return htmx.render("apprenticeship/pairing/preferences.html", apprentice=apprentice, form=form, q=q,
                       ranks=range(1, MAX_PREFERENCES + 1))
