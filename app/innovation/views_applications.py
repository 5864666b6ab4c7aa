"""Applicants draft and submit; unit and district unions recommend or return."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.access import require, roles, signed_in
from app.errors import DomainError, act, saved, show_on_form
from app.extensions import db
from app.innovation import applications, bp, files, forms, queries
from app.innovation.models import Application, ApplicationStage, Attachment, Programme, Studio, StudioType


def _application(application_id):
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    require(applications.can_view(current_user, application))
    return application


def _page(application):
    return url_for("innovation.application", application_id=application.id)


@bp.route("/my/applications")
@roles("studio")
def my_applications():
    rows = db.session.scalars(queries.applications_of(current_user)).unique().all()
    form = forms.StartApplicationForm()
    open_ = applications.open_programmes()
    studios = applications.studios_led_by(current_user)
    form.programme_id.choices = [(str(p.id), p.name) for p in open_]
    form.studio_id.choices = [(str(s.id), s.name) for s in studios]
    return htmx.render("innovation/applications/mine.html", applications=rows, form=form, programmes=open_,
                       studios=studios)


@bp.route("/my/applications/new", methods=["POST"])
@roles("studio")
def start_application():
    form = forms.StartApplicationForm()
    open_ = applications.open_programmes()
    studios = applications.studios_led_by(current_user)
    form.programme_id.choices = [(str(p.id), p.name) for p in open_]
    form.studio_id.choices = [(str(s.id), s.name) for s in studios]
    back = url_for("innovation.my_applications")
    if not form.validate_on_submit():
        flash(_("Choose an open programme and your studio."), "error")
        return redirect(back, code=303)
    programme = db.session.get(Programme, int(form.programme_id.data))
    studio = db.session.get(Studio, int(form.studio_id.data))
    try:
        application = applications.start(current_user, programme, studio, StudioType(form.studio_type.data))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back, code=303)
    return saved(_("Your draft application is ready: fill it in and attach the documents."),
                 url_for("innovation.edit_application", application_id=application.id))


@bp.route("/applications/<int:application_id>")
@signed_in
def application(application_id):
    application = _application(application_id)
    blind = application.programme.blind and not application.is_applicant(current_user) \
        and not applications.covers(current_user, application)
    return htmx.render("innovation/applications/show.html", application=application, blind=blind,
                       can_act=applications.can_act(current_user, application),
                       city=applications.staff_level(current_user) == "city",
                       problems=applications.missing_items(application)
                       if application.stage == ApplicationStage.DRAFT else [],
                       reason_form=forms.ReasonForm())


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@roles("studio")
def edit_application(application_id):
    application = _application(application_id)
    require(application.is_applicant(current_user))
    form = forms.ApplicationForm(obj=application if request.method == "GET" else None)
    form.checklist.choices = [(item, item) for item in application.programme.eligibility_list]
    if request.method == "GET":
        form.checklist.data = [item for item, ticked in application.checklist.items() if ticked]
    if form.validate_on_submit():
        try:
            applications.save(current_user, application, title=form.title.data, summary=form.summary.data,
                              requested_amount=form.requested_amount.data, checklist=form.checklist.data or [])
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            return saved(_("Your application was saved."), url_for("innovation.edit_application",
                                                                  application_id=application.id))
    attach_form = forms.AttachmentForm()
    attach_form.requirement.choices = [(name, name) for name in application.programme.attachment_names] + \
        [("", _("Other document"))]
    return htmx.render("innovation/applications/edit.html", "form", application=application, form=form,
                       attach_form=attach_form, problems=applications.missing_items(application))


@bp.route("/applications/<int:application_id>/attachments", methods=["POST"])
@roles("studio")
def upload_attachment(application_id):
    application = _application(application_id)
    require(application.is_applicant(current_user))
    back = url_for("innovation.edit_application", application_id=application.id)
    form = forms.AttachmentForm()
    form.requirement.choices = [(name, name) for name in application.programme.attachment_names] + [("", "")]
    if not form.validate_on_submit():
        flash(_("Choose which document the file is."), "error")
        return redirect(back, code=303)
    return act(lambda: applications.attach(current_user, application, form.requirement.data,
                                           request.files.get("file")),
               _("The file was attached."), back)


@bp.route("/attachments/<int:attachment_id>/remove", methods=["POST"])
@roles("studio")
def remove_attachment(attachment_id):
    found = db.session.get(Attachment, attachment_id)
    if found is None:
        abort(404)
    application = found.application
    require(application.is_applicant(current_user))
    back = url_for("innovation.edit_application", application_id=application.id)
    try:
        key = applications.detach(current_user, found)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back, code=303)
    response = saved(_("The file was removed."), back)
    files.discard(key)  # only after the row's removal is committed
    return response


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@roles("studio")
def submit_application(application_id):
    application = _application(application_id)
    require(application.is_applicant(current_user))
    return act(lambda: applications.submit(current_user, application),
               _("Submitted. Your unit union will look at it next."), _page(application))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles("studio")
def withdraw_application(application_id):
    application = _application(application_id)
    require(application.is_applicant(current_user))
    return act(lambda: applications.withdraw(current_user, application), _("The application was withdrawn."),
               _page(application))


# ---------------------------------------------------------------- unions

@bp.route("/recommend/")
@roles("staff")
def recommend_queue():
    rows = db.session.scalars(applications.waiting_for(current_user).options(*queries.application_options())
                              .order_by(Application.programme_id, Application.number)).unique().all()
    return htmx.render("innovation/applications/queue.html", applications=rows,
                       level=applications.staff_level(current_user), reason_form=forms.ReasonForm())


@bp.route("/applications/<int:application_id>/recommend", methods=["POST"])
@roles("staff")
def recommend(application_id):
    application = _application(application_id)
    return act(lambda: applications.recommend(current_user, application),
               _("%(number)s is recommended to the next level.", number=application.number),
               request.form.get("next") == "queue" and url_for("innovation.recommend_queue") or _page(application))


@bp.route("/applications/<int:application_id>/return", methods=["POST"])
@roles("staff")
def return_application(application_id):
    application = _application(application_id)
    back = _page(application)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        flash(_("Write what the applicant should change."), "error")
        return redirect(back, code=303)
    return act(lambda: applications.send_back(current_user, application, form.reason.data),
               _("%(number)s was returned to the applicant.", number=application.number), back)
