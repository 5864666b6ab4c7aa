"""Public catalog, course and base pages; a trainee's enrolments (enrol in 3 taps on a phone)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import cache, htmx
from app.access import is_staff, public, require, signed_in
from app.accounts import queries as account_queries
from app.accounts.models import MembershipStatus
from app.errors import DomainError
from app.extensions import db
from app.training import bp, forms, queries, services
from app.training.models import (
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    TrainingBase,
)

PER_PAGE = 20


def _my_statuses(course_ids):
    """course id → the signed-in person's enrolment status, for the courses shown."""
    if not current_user.is_authenticated or not course_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Enrolment.course_id, Enrolment.status)
        .where(Enrolment.user_id == current_user.id, Enrolment.course_id.in_(course_ids))
    ).all())


CATALOG_MAX_AGE_SECONDS = 300  # trade names (accounts) are not in the catalog's version
# Every search is its own page: they expire soon, so the file cache drops them in bulk.
CATALOG_TTL_SECONDS = 600


@bp.route("/")
@public
def catalog():
    if current_user.is_authenticated:
        return _catalog_page()
    # Anonymous visitors share one rendering per query, language and catalog version.
    query = "&".join(sorted(f"{k}={v}" for k, v in request.args.items(multi=True) if k != "lang"))
    return cache.cached_page(f"training/catalog?{query}", queries.catalog_version(),
                             lambda: _catalog_page(cacheable=True).get_data(as_text=True),
                             max_age=CATALOG_MAX_AGE_SECONDS, ttl=CATALOG_TTL_SECONDS)


def _catalog_page(cacheable=False):
    trades = db.session.scalars(account_queries.trades()).all()
    bases = db.session.scalars(queries.active_bases()).all()
    search = forms.CatalogFilterForm(trades, bases, request.args)
    month = search.month.data if search.month.data and not search.month.errors and search.validate() else None
    query = queries.catalog(search.q.data, request.args.get("trade", type=int), request.args.get("base", type=int),
                            search.level.data or None, month, bool(search.seats.data))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    mine = _my_statuses([c.id for c in page.items])
    return htmx.render("training/catalog.html", "results", search=search, page=page, mine=mine, cacheable=cacheable)


@bp.route("/courses/<int:course_id>")
@public
def course(course_id):
    course = queries.course(course_id)
    staff = is_staff(current_user)
    if course is None or (course.status == CourseStatus.DRAFT and not staff):
        abort(404)
    enrolment = None
    if current_user.is_authenticated:
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.course_id == course.id,
                                                                 Enrolment.user_id == current_user.id))
    position = services.waitlist_position(enrolment) if enrolment else None
    return htmx.render("training/course.html", course=course, enrolment=enrolment, position=position)


@bp.route("/courses/<int:course_id>/enrol", methods=["POST"])
@signed_in
def enrol(course_id):
    course = queries.course(course_id)
    if course is None or course.status != CourseStatus.PUBLISHED:
        abort(404)
    form = forms.EnrolForm()
    form.validate_on_submit()
    try:
        enrolment = services.enrol(current_user, course, join_union=bool(form.join_union.data))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("training.course", course_id=course_id), code=303)
    db.session.commit()
    if enrolment.status == EnrolmentStatus.ENROLLED:
        flash(_("You are enrolled in %(title)s. See you on %(date)s!", title=course.title,
                date=course.starts_on.isoformat()), "success")
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        flash(_("The course is full: you are number %(n)s on the waitlist. You get the seat automatically when "
                "one frees up.", n=services.waitlist_position(enrolment)), "info")
    else:
        flash(_("Your application was sent; the training base will confirm it."), "info")
    if form.join_union.data and current_user.membership_status == MembershipStatus.APPLIED:
        flash(_("Your application to join the union was sent. Union staff will contact you."), "info")
    return redirect(url_for("training.my_training"), code=303)


@bp.route("/my/")
@signed_in
def my_training():
    lines = queries.my_training(current_user)
    positions = {line.enrolment.id: services.waitlist_position(line.enrolment) for line in lines
                 if line.progress == "waitlisted"}
    return htmx.render("training/my.html", current=[line for line in lines if line.current],
                       earlier=[line for line in lines if not line.current], positions=positions)


@bp.route("/my/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(enrolment_id):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    require(enrolment.belongs_to(current_user))
    try:
        services.withdraw(current_user, enrolment)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("You have withdrawn from %(title)s.", title=enrolment.course.title), "success")
    return redirect(url_for("training.my_training"), code=303)


@bp.route("/bases/<code>")
@public
def base(code):
    training_base = db.session.scalar(sa.select(TrainingBase).where(TrainingBase.code == code))
    if training_base is None:
        abort(404)
    courses = db.session.scalars(queries.catalog(base_id=training_base.id)).unique().all()
    return htmx.render("training/base_page.html", base=training_base, courses=courses)
