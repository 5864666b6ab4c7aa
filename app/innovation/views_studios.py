"""Studio registry: the public list and studio page, the plaque, "My studio", and management
(staff for every studio, a leader for their own)."""
import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import is_staff, public, require, roles
from app.accounts import queries as account_queries
from app.accounts.models import Organization, User
from app.errors import DomainError, saved, show_on_form
from app.extensions import db
from app.innovation import bp, forms_studios as forms, studios
from app.innovation.models import Studio, StudioMember

PER_PAGE = 20


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


# ---------------------------------------------------------------- public

@bp.route("/studios", endpoint="studios")
@public
def registry():
    districts = db.session.scalars(studios.district_choices()).all()
    trades = db.session.scalars(account_queries.trades()).all()
    search = forms.RegistryFilterForm(districts, trades, request.args)
    q = search.q.data if search.q.data and not search.q.errors and search.validate() else None
    district = next((o for o in districts if o.id == _int(search.district.data)), None)
    query = studios.registry(q=q, studio_type=_valid(search.type), level=_valid(search.level),
                             status=_valid(search.status), district=district, trade_id=_int(search.trade.data))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return htmx.render("innovation/studios/index.html", "results", search=search, page=page)


def _valid(field):
    """A select's value only when it is one of its choices (anything else filters nothing)."""
    return field.data if field.data and field.data in {str(v) for v, _label in field.choices} else None


def _studio_or_404(code):
    studio = studios.public_studio(code)
    if studio is None:
        abort(404)
    return studio


@bp.route("/studios/<code>")
@public
def studio(code):
    studio = _studio_or_404(code)
    if not studios.is_public(studio) and not studio.can_manage(current_user):
        abort(404)  # not designated yet: only its managers see the page
    return htmx.render("innovation/studios/studio.html", studio=studio,
                       can_manage=studio.can_manage(current_user))


@bp.route("/studios/<code>/plaque.pdf")
@public
def studio_plaque(code):
    studio = _studio_or_404(code)
    if not studios.is_public(studio) and not studio.can_manage(current_user):
        abort(404)
    body = studios.plaque_pdf(studio, url_for("innovation.studio", code=studio.code, _external=True))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="plaque-{studio.code}.pdf"'})


# ---------------------------------------------------------------- my studio

@bp.route("/my/studio", methods=["GET", "POST"])
@roles("studio")
def my_studio():
    mine = studios.led_by(current_user)
    trades = db.session.scalars(account_queries.trades()).all()
    form = forms.StudioForm(trades)
    if not mine and form.validate_on_submit():
        try:
            studio = studios.create_studio(current_user, form.data_for_service())
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The studio is registered. Add its members."),
                         url_for("innovation.studio_manage", code=studio.code))
    return htmx.render("innovation/studios/mine.html", "form", studios=mine, form=form,
                       shortfall={s.id: studios.member_shortfall(s) for s in mine})


# ---------------------------------------------------------------- staff

@bp.route("/manage/studios")
@roles("staff")
def manage_studios():
    rows = db.session.scalars(sa.select(Studio).options(sa.orm.joinedload(Studio.host_unit))
                              .order_by(Studio.name)).all()
    return htmx.render("innovation/studios/manage_list.html", studios=rows)


@bp.route("/manage/studios/new", methods=["GET", "POST"])
@roles("staff")
def studio_new():
    trades = db.session.scalars(account_queries.trades()).all()
    units = db.session.scalars(sa.select(Organization).order_by(Organization.path)).all()
    leaders = db.session.scalars(studios.studio_leaders()).all()
    form = forms.StudioForm(trades, units, leaders)
    if form.validate_on_submit():
        host = db.session.get(Organization, _int(form.host_unit_id.data)) if _int(form.host_unit_id.data) else None
        leader = db.session.get(User, _int(form.leader_id.data)) if _int(form.leader_id.data) else None
        try:
            studio = studios.create_studio(current_user, form.data_for_service(), host_unit=host,
                                           leader=leader, leader_name=form.leader_name.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The studio is registered."), url_for("innovation.studio_manage", code=studio.code))
    return htmx.render("innovation/studios/new.html", "form", form=form)


# ---------------------------------------------------------------- management (staff or the leader)

def _managed(code):
    studio = _studio_or_404(code)
    require(studio.can_manage(current_user))
    return studio


def _manage_page(studio, **given):
    trades = db.session.scalars(account_queries.trades()).all()
    staff = is_staff(current_user)
    units = db.session.scalars(sa.select(Organization).order_by(Organization.path)).all() if staff else None
    edit = given.get("edit") or forms.StudioForm(trades, units, obj=studio, formdata=None)
    if "edit" not in given:
        edit.host_unit_id.data = str(studio.host_unit_id)
        edit.trade_id.data = str(studio.trade_id or "")
        edit.studio_type.data = studio.studio_type.value
    leaders = db.session.scalars(studios.studio_leaders()).all() if staff else []
    context = {
        "studio": studio, "staff": staff, "edit": edit, "shortfall": studios.member_shortfall(studio),
        "member_form": given.get("member_form") or forms.MemberForm(formdata=None),
        "designation_form": given.get("designation_form") or forms.DesignationForm(
            formdata=None, studio_type=studio.studio_type.value),
        "status_form": given.get("status_form") or forms.StatusForm(formdata=None),
        "leader_form": given.get("leader_form") or forms.LeaderForm(leaders, formdata=None),
    }
    return htmx.render("innovation/studios/manage.html", **context)


@bp.route("/studios/<code>/manage", methods=["GET", "POST"])
@roles("studio", "staff")
def studio_manage(code):
    studio = _managed(code)
    if request.method == "GET":
        return _manage_page(studio)
    trades = db.session.scalars(account_queries.trades()).all()
    units = db.session.scalars(sa.select(Organization).order_by(Organization.path)).all()
    form = forms.StudioForm(trades, units)
    if form.validate_on_submit():
        host = db.session.get(Organization, _int(form.host_unit_id.data)) if _int(form.host_unit_id.data) else None
        try:
            studios.update_studio(current_user, studio, form.data_for_service(), host_unit=host)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Saved."), url_for("innovation.studio_manage", code=studio.code))
    return _manage_page(studio, edit=form)


@bp.route("/studios/<code>/members", methods=["POST"])
@roles("studio", "staff")
def studio_member_add(code):
    studio = _managed(code)
    form = forms.MemberForm()
    if form.validate_on_submit():
        try:
            studios.add_member(current_user, studio, form.name.data, form.role.data, form.joined_on.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Member added."), url_for("innovation.studio_manage", code=studio.code))
    return _manage_page(studio, member_form=form)


@bp.route("/studios/<code>/members/<int:member_id>", methods=["POST"])
@roles("studio", "staff")
def studio_member_edit(code, member_id):
    studio = _managed(code)
    member = db.session.get(StudioMember, member_id)
    if member is None or member.studio_id != studio.id:
        abort(404)
    form = forms.MemberEditForm()
    target = url_for("innovation.studio_manage", code=studio.code)
    if not form.validate_on_submit():
        return _flash_errors(form, target)
    try:
        studios.update_member(current_user, member, form.role.data, form.left_on.data)
    except DomainError as error:
        db.session.rollback()
        return _flash_errors(form, target, error)
    return saved(_("Member updated."), target)


def _flash_errors(form, target, error=None):

    messages = [str(error.message)] if error else [e for errors in form.errors.values() for e in errors]
    flash(" ".join(messages), "error")
    return redirect(target, code=303)


@bp.route("/studios/<code>/designations", methods=["POST"])
@roles("staff")
def studio_designate(code):
    studio = _studio_or_404(code)
    form = forms.DesignationForm()
    if form.validate_on_submit():
        try:
            studios.record_designation(current_user, studio, form.level.data, form.studio_type.data,
                                       form.document_no.data, form.designated_on.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Designation recorded."), url_for("innovation.studio_manage", code=studio.code))
    return _manage_page(studio, designation_form=form)


@bp.route("/studios/<code>/status", methods=["POST"])
@roles("staff")
def studio_status(code):
    studio = _studio_or_404(code)
    form = forms.StatusForm()
    if form.validate_on_submit():
        try:
            studios.change_status(current_user, studio, form.status.data, form.note.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Status changed."), url_for("innovation.studio_manage", code=studio.code))
    return _manage_page(studio, status_form=form)


@bp.route("/studios/<code>/leader", methods=["POST"])
@roles("staff")
def studio_leader(code):
    studio = _studio_or_404(code)
    leaders = db.session.scalars(studios.studio_leaders()).all()
    form = forms.LeaderForm(leaders)
    if form.validate_on_submit():
        try:
            studios.change_leader(current_user, studio, db.session.get(User, int(form.leader_id.data)),
                                  form.honours.data, form.note.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Leader changed."), url_for("innovation.studio_manage", code=studio.code))
    return _manage_page(studio, leader_form=form)
