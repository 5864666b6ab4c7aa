"""Union staff: set up competitions, events, marking schemes, entries and panels;
move the competition through its phases and publish results."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, roles
from app.accounts import queries as account_queries
from app.accounts.models import Organization, User
from app.accounts.services import normalise_mobile
from app.competitions import bp, forms, publishing, queries, services, standings
from app.competitions.models import STATUS_LABELS, CompetitionStatus, Criterion, Entry, PanelMember, Stage
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db


def _competition(code):
    competition = queries.competition_by_code(code, with_structure=True)
    if competition is None:
        abort(404)
    return competition


def _event(competition, event_id):
    event = next((e for e in competition.events if e.id == event_id), None)
    if event is None:
        abort(404)
    return event


def _done(message, endpoint, **values):
    return saved(message, url_for(endpoint, **values))


@bp.route("/manage/")
@roles("staff")
def manage_index():
    competitions = db.session.scalars(queries.all_competitions()).all()
    return htmx.render("competitions/manage/index.html", competitions=competitions)


@bp.route("/manage/new", methods=["GET", "POST"])
@bp.route("/<code>/settings", methods=["GET", "POST"])
@roles("staff")
def edit_competition(code=None):
    competition = _competition(code) if code else None
    form = forms.CompetitionForm(obj=competition)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.COMPETITION_FIELDS}
        if values["appeal_window_hours"] is None:
            values["appeal_window_hours"] = form.minimum_appeal_hours
        values["edition"] = values["edition"] or ""
        values["organisers"] = values["organisers"] or ""
        try:
            competition = services.save_competition(current_user, competition, **values)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The competition was saved."), "competitions.manage", code=competition.code)
    return htmx.render("competitions/manage/competition_form.html", "form", form=form, competition=competition)


@bp.route("/<code>/manage")
@roles("staff")
def manage(code):
    competition = _competition(code)
    progress = {}
    if competition.status != CompetitionStatus.DRAFT:
        sheets = queries.judges_sheets(competition.id)
        progress = {event.id: {"incomplete": standings.cached_rows(event.id)["incomplete"], "sheets": sheets[event.id]}
                    for event in competition.events}
    return htmx.render("competitions/manage/dashboard.html", competition=competition, progress=progress,
                       counts=queries.entry_counts(competition.id), targets=services.manual_targets(competition),
                       open_appeals=publishing.open_appeals(competition), reason_form=forms.ReasonForm(),
                       appeal_hours=publishing.appeal_window_hours(competition))


@bp.route("/<code>/status", methods=["POST"])
@roles("staff")
def change_status(code):
    competition = _competition(code)
    try:
        services.change_status(current_user, competition, request.form.get("target", ""),
                               reason=request.form.get("reason"))
    except (DomainError, ValueError) as error:
        db.session.rollback()
        flash(str(getattr(error, "message", _("This step is not possible now."))), "error")
        return redirect(url_for("competitions.manage", code=code), code=303)
    return _done(_("The competition is now: %(status)s", status=STATUS_LABELS[competition.status]),
                 "competitions.manage", code=code)


def _publication(code, action, message):
    competition = _competition(code)
    return act(lambda: action(competition), message, url_for("competitions.manage", code=code))


@bp.route("/<code>/publish-provisional", methods=["POST"])
@roles("staff")
def publish_provisional(code):
    return _publication(code, lambda c: publishing.publish_provisional(current_user, c),
                        _("Provisional results are published; the appeal window is open."))


@bp.route("/<code>/publish", methods=["POST"])
@roles("staff")
def publish_final(code):
    return _publication(code, lambda c: publishing.publish_final(current_user, c, request.form.get("reason")),
                        _("The final results are published."))


@bp.route("/<code>/publish-without-provisional", methods=["POST"])
@roles("staff")
def publish_without_provisional(code):
    return _publication(code, lambda c: publishing.publish_without_provisional(current_user, c,
                                                                              request.form.get("reason")),
                        _("The final results are published without provisional results (公示)."))


@bp.route("/<code>/unpublish", methods=["POST"])
@roles("staff")
def unpublish(code):
    return _publication(code, lambda c: publishing.unpublish(current_user, c, request.form.get("reason")),
                        _("The results are withdrawn for correction."))


# ---- events and marking scheme


@bp.route("/<code>/events/new", methods=["GET", "POST"])
@bp.route("/<code>/events/<int:event_id>/settings", methods=["GET", "POST"])
@roles("staff")
def edit_event(code, event_id=None):
    competition = _competition(code)
    event = _event(competition, event_id) if event_id else None
    trades = db.session.scalars(account_queries.trades()).all()
    form = forms.EventForm(trades, obj=event, trade_id=str(event.trade_id or "") if event else "",
                           awards=services.award_spec(event) if event else "")
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.EVENT_FIELDS if hasattr(form, name)}
        values["trade_id"] = int(form.trade_id.data) if form.trade_id.data else None
        values["honour_name"] = (form.honour_name.data or "").strip() or None
        values["honour_max_rank"] = form.honour_max_rank.data or 1
        values["team_size"] = form.team_size.data or 1
        try:
            event = services.save_event(current_user, competition, event, **values)
            services.set_award_tiers(current_user, event, form.awards.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The event was saved."), "competitions.scheme", code=code, event_id=event.id)
    return htmx.render("competitions/manage/event_form.html", "form", form=form, competition=competition,
                       event=event)


@bp.route("/<code>/events/<int:event_id>/prizes", methods=["GET", "POST"])
@roles("staff")
def prizes(code, event_id):
    """Prize money of each award tier, flat and per rank."""
    competition = _competition(code)
    event = _event(competition, event_id)
    form = forms.TierPrizeForm.for_tiers(event.award_tiers)
    if event.award_tiers and form.validate_on_submit():
        try:
            services.set_tier_prizes(current_user, event, form.prizes())
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The prize money was saved."), "competitions.prizes", code=code, event_id=event_id)
    return htmx.render("competitions/manage/prizes.html", "form", competition=competition, event=event, form=form,
                       editable=competition.status in services.PRIZES_EDITABLE)


@bp.route("/<code>/events/<int:event_id>/scheme", methods=["GET", "POST"])
@roles("staff")
def scheme(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    stage_form, criterion_form = forms.StageForm(prefix="stage"), forms.CriterionForm(prefix="criterion")
    if request.method == "POST":
        try:
            if request.form.get("add") == "stage" and stage_form.validate_on_submit():
                services.save_stage(current_user, event, None, code=stage_form.code.data, name=stage_form.name.data,
                                    weight=stage_form.weight.data, advance_count=stage_form.advance_count.data)
                return _done(_("The stage was added."), "competitions.scheme", code=code, event_id=event_id)
            if request.form.get("add") == "criterion" and criterion_form.validate_on_submit():
                stage = next((s for s in event.stages if s.id == request.form.get("stage_id", type=int)), None)
                if stage is None:
                    raise DomainError(_("Choose the stage."))
                services.save_criterion(current_user, stage, None, code=criterion_form.code.data,
                                        name=criterion_form.name.data, max_mark=criterion_form.max_mark.data,
                                        kind=criterion_form.kind.data)
                return _done(_("The criterion was added."), "competitions.scheme", code=code, event_id=event_id)
        except DomainError as error:
            db.session.rollback()
            show_on_form(stage_form if request.form.get("add") == "stage" else criterion_form, error)
    return htmx.render("competitions/manage/scheme.html", competition=competition, event=event,
                       stage_form=stage_form, criterion_form=criterion_form,
                       editable=competition.status in services.STRUCTURE_EDITABLE)


@bp.route("/<code>/stages/<int:stage_id>/delete", methods=["POST"])
@roles("staff")
def delete_stage(code, stage_id):
    competition = _competition(code)
    stage = db.get_or_404(Stage, stage_id)
    _event(competition, stage.event_id)
    return act(lambda: services.delete_stage(current_user, stage), _("The stage was removed."),
               url_for("competitions.scheme", code=code, event_id=stage.event_id))


@bp.route("/<code>/criteria/<int:criterion_id>/delete", methods=["POST"])
@roles("staff")
def delete_criterion(code, criterion_id):
    competition = _competition(code)
    criterion = db.get_or_404(Criterion, criterion_id)
    _event(competition, criterion.event_id)
    return act(lambda: services.delete_criterion(current_user, criterion), _("The criterion was removed."),
               url_for("competitions.scheme", code=code, event_id=criterion.event_id))


@bp.route("/<code>/stages/<int:stage_id>/advance", methods=["POST"])
@roles("staff")
def advance(code, stage_id):
    competition = _competition(code)
    stage = db.get_or_404(Stage, stage_id)
    _event(competition, stage.event_id)
    return act(lambda: services.apply_advancement(current_user, stage),
               lambda going_on: _("%(n)s entries advance from %(stage)s.", n=len(going_on), stage=stage.name),
               url_for("competitions.manage", code=code))


# ---- entries and panel


def _contestant(mobile):
    mobile = normalise_mobile(mobile)
    if not mobile:
        return None
    user = db.session.query(User).filter_by(mobile=mobile).first()
    if user is None:
        raise DomainError(_("No account uses this mobile number; leave it empty or ask the contestant to register."),
                          "mobile")
    return user


@bp.route("/<code>/events/<int:event_id>/entries", methods=["GET", "POST"])
@roles("staff")
def entries(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    form = forms.EntryForm([o for o in account_queries.all_organizations() if o.kind == "unit"])
    if form.validate_on_submit():
        try:
            services.save_entry(current_user, event, None, bib=form.bib.data, name=form.name.data,
                                members=form.members.data, unit=db.session.get(Organization, int(form.unit_id.data)),
                                user=_contestant(form.mobile.data))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("The entry was added."), "competitions.entries", code=code, event_id=event_id)
    rows = standings.load_entries(event.id)
    return htmx.render("competitions/manage/entries.html", "form", competition=competition, event=event, form=form,
                       rows=rows)


@bp.route("/<code>/entries/<int:entry_id>/delete", methods=["POST"])
@roles("staff")
def delete_entry(code, entry_id):
    competition = _competition(code)
    entry = db.get_or_404(Entry, entry_id)
    _event(competition, entry.event_id)
    return act(lambda: services.delete_entry(current_user, entry), _("The entry was removed."),
               url_for("competitions.entries", code=code, event_id=entry.event_id))


@bp.route("/<code>/events/<int:event_id>/panel", methods=["GET", "POST"])
@roles("staff")
def panel(code, event_id):
    competition = _competition(code)
    event = _event(competition, event_id)
    candidates = db.session.scalars(services.judge_candidates()).all()
    form = forms.PanelForm(candidates)
    if form.validate_on_submit():
        user = db.session.get(User, int(form.user_id.data))
        try:
            services.assign_judge(current_user, event, user, chief=form.chief.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return _done(_("%(name)s joined the panel.", name=user.name), "competitions.panel", code=code,
                         event_id=event_id)
    entries = standings.load_entries(event.id)
    members = standings.load_panel(event.id)
    conflicts = {m.id: [e.bib for e in entries if m.conflicts_with(e)] for m in members if not m.is_chief}
    return htmx.render("competitions/manage/panel.html", "form", competition=competition, event=event, form=form,
                       members=members, conflicts=conflicts)


@bp.route("/<code>/panel/<int:member_id>/remove", methods=["POST"])
@roles("staff")
def remove_judge(code, member_id):
    competition = _competition(code)
    member = db.get_or_404(PanelMember, member_id)
    _event(competition, member.event_id)
    return act(lambda: services.remove_judge(current_user, member), _("The judge left the panel."),
               url_for("competitions.panel", code=code, event_id=member.event_id))


@bp.route("/<code>/events/<int:event_id>/standings")
@roles("staff", "chief_judge")
def staff_standings(code, event_id):
    """Current standings from every saved mark (signed or not), for staff and chief judges."""
    competition = _competition(code)
    event = _event(competition, event_id)
    require(event.can_view_standings(current_user))
    cached = standings.cached_rows(event.id)
    page = ListPage(cached["rows"], request.args.get("page", 1, type=int), STANDINGS_PER_PAGE)
    return htmx.render("competitions/manage/standings.html", "board", competition=competition, event=event,
                       rows=page.items, stages=cached["stages"], page=page)


STANDINGS_PER_PAGE = 100


class ListPage:
    """One page of an already computed list, with what the pager macro reads (like db.paginate)."""

    def __init__(self, items, page, per_page):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = items[(self.page - 1) * per_page:self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
