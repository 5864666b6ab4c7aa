"""社会公示: the public notices with their objection form; staff open, handle objections, close;
the staff-kept holiday list."""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from flask_limiter import RateLimitExceeded

from app import errors, htmx
from app.access import public, roles
from app.db import database_id
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db, limiter
from app.innovation import bp, publicity as services
from app.innovation import forms_studios as forms
from app.innovation.models import Programme, ProgrammeStatus
from app.innovation.models_publicity import Holiday, PublicObjection

DEFAULT_OBJECTION_RATE_LIMIT = "5 per hour"  # per client address
DEFAULT_OBJECTION_CONTACT_RATE_LIMIT = "3 per hour"  # per contact, however many addresses


def _notice_or_404(publicity_id):
    notice = services.notice(publicity_id)
    if notice is None:
        abort(404)
    return notice


# ---------------------------------------------------------------- public

@bp.route("/notices")
@public
def notices():
    rows = db.session.scalars(services.notices()).all()
    return htmx.render("innovation/publicity/index.html", notices=rows, services=services)


def _contact_key():
    return "objection-contact:" + "".join((request.form.get("contact") or "").split()).lower()


def _limited(_limit):
    response = htmx.render("innovation/publicity/limited.html")
    response.status_code = 429
    return response


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error):
    """The objection form's own 429 page (its limits are per hour, not the sign-in minute)."""
    if error.response is not None:
        return error.response
    return errors.error_page(429)


def _lodged(response):
    return response.status_code == 303


@bp.route("/notices/<int:publicity_id>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config.get("OBJECTION_RATE_LIMIT", DEFAULT_OBJECTION_RATE_LIMIT),
               methods=["POST"], deduct_when=_lodged, on_breach=_limited)
@limiter.limit(lambda: current_app.config.get("OBJECTION_CONTACT_RATE_LIMIT", DEFAULT_OBJECTION_CONTACT_RATE_LIMIT),
               methods=["POST"], key_func=_contact_key, deduct_when=_lodged, on_breach=_limited)
def notice(publicity_id):
    notice = _notice_or_404(publicity_id)
    entries = services.entries(notice)
    form = forms.ObjectionForm(entries)
    if request.method == "POST" and form.validate_on_submit():
        application_id = form.application_id.data
        try:
            services.lodge_objection(notice, name=form.name.data, contact=form.contact.data,
                                     reason=form.reason.data, address=request.remote_addr,
                                     application_id=(database_id(application_id) or 0) if application_id else None)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Your objection was received. Union staff will verify it and record how it was handled."),
                         url_for("innovation.notice", publicity_id=notice.id))
    return htmx.render("innovation/publicity/notice.html", "objection", notice=notice, entries=entries, form=form,
                       period=services.period_text(notice), accepting=services.accepts_objections(notice))


# ---------------------------------------------------------------- staff: holidays

@bp.route("/manage/holidays", methods=["GET", "POST"])
@roles("staff")
def holidays():
    form = forms.HolidayForm()
    if form.validate_on_submit():
        try:
            services.add_holiday(current_user, form.day.data, form.name.data, form.working.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Saved."), url_for("innovation.holidays"))
    rows = db.session.scalars(services.holidays()).all()
    return htmx.render("innovation/publicity/holidays.html", "form", form=form, holidays=rows)


@bp.route("/manage/holidays/<int:holiday_id>/delete", methods=["POST"])
@roles("staff")
def holiday_delete(holiday_id):
    holiday = db.session.get(Holiday, holiday_id) or abort(404)
    return act(lambda: services.delete_holiday(current_user, holiday), _("Removed."), url_for("innovation.holidays"))


# ---------------------------------------------------------------- staff: notices

@bp.route("/manage/notices")
@roles("staff")
def manage_notices():
    waiting = db.session.scalars(sa.select(Programme).where(Programme.status == ProgrammeStatus.MEETING)
                                 .order_by(Programme.year.desc(), Programme.code)).all()
    rows = db.session.scalars(services.notices()).all()
    return htmx.render("innovation/publicity/manage_index.html", waiting=waiting, notices=rows)


@bp.route("/manage/programmes/<int:programme_id>/notice", methods=["GET", "POST"])
@roles("staff")
def notice_open(programme_id):
    programme = db.session.get(Programme, programme_id) or abort(404)
    existing = services.of_programme(programme)
    form = forms.OpenNoticeForm()
    if existing is None and form.validate_on_submit():
        try:
            opened = services.open_publicity(current_user, programme, form.starts_on.data, form.title.data)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("The notice is published."), url_for("innovation.notice_manage", publicity_id=opened.id))
    from app.innovation.models import Application

    proposed = db.session.scalars(
        sa.select(Application).where(Application.programme_id == programme.id, Application.proposed.is_(True))
        .options(sa.orm.joinedload(Application.unit), sa.orm.joinedload(Application.studio))
        .order_by(Application.number)).all()
    return htmx.render("innovation/publicity/open.html", "form", programme=programme, existing=existing,
                       form=form, proposed=proposed)


@bp.route("/manage/notices/<int:publicity_id>")
@roles("staff")
def notice_manage(publicity_id):
    notice = _notice_or_404(publicity_id)
    return htmx.render("innovation/publicity/manage.html", notice=notice, entries=services.entries(notice),
                       period=services.period_text(notice), form=forms.DecideForm(formdata=None))


@bp.route("/manage/notices/<int:publicity_id>/objections/<int:objection_id>", methods=["POST"])
@roles("staff")
def objection_decide(publicity_id, objection_id):
    notice = _notice_or_404(publicity_id)
    objection = db.session.get(PublicObjection, objection_id)
    if objection is None or objection.publicity_id != notice.id:
        abort(404)
    form = forms.DecideForm()
    target = url_for("innovation.notice_manage", publicity_id=notice.id)
    if not form.validate_on_submit():
        flash(_("Write the resolution."), "error")
        return htmx.hx_redirect(target) if htmx.is_htmx() else _redirect(target)
    upheld = form.decision.data == "uphold"
    return act(lambda: services.decide_objection(current_user, objection, upheld=upheld,
                                                 resolution=form.resolution.data),
               _("Objection upheld.") if upheld else _("Objection dismissed."), target)


def _redirect(target):

    return redirect(target, code=303)


@bp.route("/manage/notices/<int:publicity_id>/close", methods=["POST"])
@roles("staff")
def notice_close(publicity_id):
    notice = _notice_or_404(publicity_id)
    return act(lambda: services.close(current_user, notice),
               lambda approved: _("The notice is closed: %(n)s approved.", n=len(approved)),
               url_for("innovation.notice_manage", publicity_id=notice.id))
