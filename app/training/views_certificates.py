"""Certificates: staff issue, list, revoke, renew and download them; trainees see
theirs and answer the 3/6/12-month outcome check-ins; anyone verifies one by the
random code in its QR (/verify/<code>, the core's route: this module registers the
answers for training's codes, cached per certificate state)."""
import io
from datetime import date
from urllib.parse import quote

from flask import (
    abort,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from app.forms import Form
from wtforms import BooleanField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app import htmx, jobs, verification
from app.access import require, roles, signed_in
from app.errors import DomainError, show_on_form
from app.extensions import db
from app.training import bp, certificates, exports, queries, services, tasks
from app.training.models import Certificate, CertificateStatus, Course

# ---------------------------------------------------------------- forms


class RevokeForm(Form):
    # "Required" is the service's rule (it words the message); the row's textarea tells the browser too.
    reason = TextAreaField(_l("Reason for revoking"), validators=[Length(max=500)])


class OutcomeForm(Form):
    months = IntegerField(_l("Check-in"), validators=[InputRequired()])
    new_job = BooleanField(_l("New job or new post since the certificate"))
    new_post = StringField(_l("New job or post"), validators=[Optional(), Length(max=120)])
    # Negative incomes are refused by the service; the browser is told the minimum too.
    income_before = DecimalField(_l("Monthly income before the training (yuan)"), places=2,
                                 validators=[Optional(), NumberRange(max=10_000_000)],
                                 render_kw={"min": "0", "step": "0.01", "inputmode": "decimal"})
    income_after = DecimalField(_l("Monthly income now (yuan)"), places=2,
                                validators=[Optional(), NumberRange(max=10_000_000)],
                                render_kw={"min": "0", "step": "0.01", "inputmode": "decimal"})


def _partial(template, **context):
    """A shared partial for an htmx swap, with the flashed messages out of band."""
    response = make_response(render_template(template, **context) + render_template("_flash.html", oob=True))
    response.vary.add("HX-Request")
    return response


# ---------------------------------------------------------------- staff: a course's certificates


def _course_page(course, revoke_forms=None):
    rows = db.session.scalars(queries.course_certificates(course.id)).all()
    return htmx.render(
        "training/certificates/course.html", "table", course=course, certificates=rows,
        today=date.today(), revoke_forms=revoke_forms or {}, issue_from=exports.certificates_open_on(course),
        # The course tabs link to the classroom pages; shown once those routes exist.
        course_tabs="training.assessment" in current_app.view_functions,
    )


@bp.route("/courses/<int:course_id>/certificates")
@roles("staff")
def course_certificates(course_id):
    return _course_page(db.get_or_404(Course, course_id))


@bp.route("/courses/<int:course_id>/certificates/issue", methods=["POST"])
@roles("staff")
def issue_certificates(course_id):
    course = db.get_or_404(Course, course_id)
    try:
        issued = services.issue_certificates(current_user, course)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if issued:
            flash(ngettext("%(num)s certificate issued.", "%(num)s certificates issued.", len(issued)), "success")
        else:
            flash(_("Everyone who passed already has a certificate."), "info")
    return htmx.hx_redirect(url_for("training.course_certificates", course_id=course.id))


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@roles("staff")
def revoke_certificate(certificate_id):
    certificate = queries.certificate(certificate_id)
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(current_user, certificate, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            if error.field != "reason":  # e.g. revoked meanwhile: say so over the fresh row
                flash(str(error.message), "error")
                return _revoked_row_or_list(certificate)
            show_on_form(form, error, hidden_fields=("months",))
        else:
            db.session.commit()
            flash(_("Certificate %(number)s was revoked.", number=certificate.number), "success")
            return _revoked_row_or_list(certificate)
    # The form again, with its error in place (200, so htmx swaps it).
    if htmx.is_htmx():
        return _partial("training/certificates/_row.html", certificate=certificate, today=date.today(), form=form)
    return _course_page(certificate.course, revoke_forms={certificate.id: form})


def _revoked_row_or_list(certificate):
    if htmx.is_htmx():
        return _partial("training/certificates/_row.html", certificate=certificate, today=date.today(), form=None)
    return redirect(url_for("training.course_certificates", course_id=certificate.course_id), code=303)


@bp.route("/certificates/<int:certificate_id>/renew", methods=["POST"])
@roles("staff")
def renew_certificate(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    try:
        renewed = services.renew_certificate(current_user, certificate)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Certificate %(old)s was renewed as %(new)s.", old=certificate.number, new=renewed.number), "success")
    return htmx.hx_redirect(url_for("training.course_certificates", course_id=certificate.course_id))


def _attachment(filename, fallback):
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@bp.route("/courses/<int:course_id>/certificates.zip")
@roles("staff")
def certificates_zip(course_id):
    course = db.get_or_404(Course, course_id)
    rows = db.session.scalars(queries.course_certificates(course.id)).all()
    if not rows:
        flash(_("No certificates have been issued for this course yet."), "info")
        return redirect(url_for("training.course_certificates", course_id=course.id), code=303)
    if len(rows) > tasks.CERTIFICATES_INLINE:  # drawing them takes long: a job makes the ZIP
        job = jobs.create(current_user, "training.certificates", params={"course_id": course.id})
        db.session.commit()
        jobs.launch(job)
        return redirect(url_for("core.job", token=job.token), code=303)
    # Facts and URLs are read now; the PDFs are drawn one by one as the ZIP streams out.
    items = [(certificates.pdf_filename(c), certificates.pdf_item(c)) for c in rows]
    response = Response(stream_with_context(certificates.zip_stream(items)), mimetype="application/zip")
    response.headers["Content-Disposition"] = _attachment(f"{course.title}-证书.zip",
                                                          f"course-{course.id}-certificates.zip")
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.route("/certificates/<int:certificate_id>.pdf")
@signed_in
def certificate_pdf(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    require(certificate.can_view(current_user))
    response = send_file(io.BytesIO(certificates.pdf_bytes(certificate)), mimetype="application/pdf",
                         download_name=certificates.pdf_filename(certificate), max_age=0)
    response.cache_control.private = True  # the holder's full name: never in a shared cache
    return response


# ---------------------------------------------------------------- outcomes (trainee and staff)


def _outcome_forms(failed=None):
    """A callable for templates: the failed form for its check-in, else a fresh one filled from the answer."""

    def form_for(certificate, checkin):
        if failed and failed[0] == (certificate.id, checkin.months):
            return failed[1]
        form = OutcomeForm(formdata=None, obj=checkin.outcome)
        form.months.data = checkin.months
        return form

    return form_for


def _my_page(failed=None, card_errors=None):
    mine = queries.my_certificates(current_user)
    outcomes = certificates.outcomes_by_certificate([c.id for c in mine])
    today = date.today()
    cards = [(c, certificates.checkins(c, outcomes.get(c.id, {}), today)) for c in mine]
    return htmx.render("training/certificates/my.html", cards=cards, today=today,
                       numbers={c.id: c.number for c in mine},
                       form_for=_outcome_forms(failed), card_errors=card_errors or {})


def _staff_outcomes_page(certificate, failed=None, card_errors=None):
    outcomes = certificates.outcomes_by_certificate([certificate.id]).get(certificate.id, {})
    return htmx.render("training/certificates/outcomes.html", certificate=certificate,
                       checkins=certificates.checkins(certificate, outcomes, staff=True),
                       form_for=_outcome_forms(failed), card_errors=card_errors or {}, today=date.today())


def _record_outcome(certificate, *, staff):
    """Save one check-in's answers; the answered check-in (htmx) or the page again."""
    form = OutcomeForm()
    months = form.months.data
    if form.validate_on_submit():
        try:
            services.record_outcome(current_user, certificate, months=months, new_job=form.new_job.data,
                                    new_post=form.new_post.data or "", income_before=form.income_before.data,
                                    income_after=form.income_after.data, by_staff=staff)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, hidden_fields=("months",))
        else:
            db.session.commit()
            flash(_("The %(months)s-month check-in is saved. Thank you.", months=months), "success")
            if htmx.is_htmx():
                outcomes = certificates.outcomes_by_certificate([certificate.id]).get(certificate.id, {})
                checkin = next(c for c in certificates.checkins(certificate, outcomes, staff=staff)
                               if c.months == months)
                return _partial("training/certificates/_checkin.html", certificate=certificate, checkin=checkin,
                                form_for=_outcome_forms(), action=_outcome_action(certificate, staff))
            if staff:
                return redirect(url_for("training.certificate_outcomes", certificate_id=certificate.id), code=303)
            return redirect(url_for("training.my_certificates", _anchor=f"certificate-{certificate.id}"), code=303)
    # Invalid: the form again with its errors in place, status 200.
    slot = months if months in certificates.CHECKIN_MONTHS and certificate.renewed_from_id is None else None
    if slot is None:  # no such check-in: the message goes on the certificate
        errors = {certificate.id: form.form_errors or [str(e) for f in form for e in f.errors]}
        if htmx.is_htmx():  # only a forged request gets here: no slot to swap, just say why
            message = errors[certificate.id][0]
            return htmx.trigger(make_response("", 204), "flash", {"level": "error", "message": message})
        if staff:
            return _staff_outcomes_page(certificate, card_errors=errors)
        return _my_page(card_errors=errors)
    if htmx.is_htmx():
        outcomes = certificates.outcomes_by_certificate([certificate.id]).get(certificate.id, {})
        checkin = next(c for c in certificates.checkins(certificate, outcomes, staff=staff) if c.months == slot)
        return _partial("training/certificates/_checkin.html", certificate=certificate, checkin=checkin,
                        form_for=_outcome_forms(((certificate.id, slot), form)),
                        action=_outcome_action(certificate, staff))
    if staff:
        return _staff_outcomes_page(certificate, failed=((certificate.id, slot), form))
    return _my_page(failed=((certificate.id, slot), form))


def _outcome_action(certificate, staff):
    endpoint = "training.certificate_outcomes" if staff else "training.my_outcome"
    return url_for(endpoint, certificate_id=certificate.id)


@bp.route("/my/certificates")
@signed_in
def my_certificates():
    return _my_page()


@bp.route("/my/certificates/<int:certificate_id>/outcomes", methods=["POST"])
@signed_in
def my_outcome(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    require(certificate.held_by(current_user))  # only the holder answers for themself
    if certificate.status == CertificateStatus.REVOKED:
        flash(_("This certificate was revoked; its check-ins are closed."), "error")
        return htmx.hx_redirect(url_for("training.my_certificates"))
    return _record_outcome(certificate, staff=False)


@bp.route("/certificates/<int:certificate_id>/outcomes", methods=["GET", "POST"])
@roles("staff")
def certificate_outcomes(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    if request.method == "GET":
        return _staff_outcomes_page(certificate)
    return _record_outcome(certificate, staff=True)


# ---------------------------------------------------------------- public verification (/verify)
# The routes are the core's (app/verification.py); this module answers for training's codes.


def _verification_stamp(code):
    return certificates.verification_stamp(code, with_time=True)


def _verification_page(code):
    certificate = certificates.by_code(code)
    return htmx.render("training/certificates/verify.html", facts=certificates.verification(certificate),
                       json_url=url_for("verify.show_json", code=code),
                       badge_url=url_for("verify.badge", code=code), cacheable=True).get_data(as_text=True)


def _verification_json(code):
    return certificates.verification_json(certificates.by_code(code))


def _verification_badge(code):
    return certificates.open_badge(certificates.by_code(code, with_base=True))


# Training's codes are the default ones (no prefix): every code printed before the registry existed.
verification.register(verification.Verifier(prefix="", stamp=_verification_stamp, page=_verification_page,
                                            data=_verification_json, badge=_verification_badge))
