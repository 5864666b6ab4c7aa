"""The notification centre: the list, marking read (one or all), opening one, e-mail copies."""
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from app import htmx, notifications
from app.access import signed_in
from app.core import bp
from app.extensions import db
from app.forms import Form
from app.notifications import Notification


class MailForm(Form):
    email = StringField(_l("E-mail address for copies (leave empty for none)"),
                        validators=[Optional(), Length(max=200),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                           message=_l("Please enter an e-mail address like name@example.com."))],
                        filters=[lambda value: value.strip() if value else value],
                        render_kw={"autocomplete": "email", "inputmode": "email"})


def _own(notification_id):
    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.belongs_to(current_user):
        abort(404)  # someone else's: as if it did not exist
    return notification


def _page(form=None):
    page = db.paginate(notifications.for_user(current_user), per_page=30, error_out=False)
    address = notifications.mail_address(current_user)
    form = form or MailForm(email=address.email if address else "")
    return htmx.render("core/notifications.html", "list", page=page, mail_form=form)


@bp.route("/notifications")
@signed_in
def notification_list():
    return _page()


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def notification_read(notification_id):
    notification = notifications.mark_read(current_user, _own(notification_id))
    db.session.commit()
    if not htmx.is_htmx():
        return redirect(url_for("core.notification_list"), code=303)
    # The item in its read state, and the header's count out of band.
    body = render_template("core/_notification.html", notification=notification)
    body += render_template("core/_notification_count.html", oob=True)
    return make_response(body)


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def notification_read_all():
    notifications.mark_all_read(current_user)
    db.session.commit()
    if not htmx.is_htmx():
        flash(_("All notifications are marked as read."), "success")
        return redirect(url_for("core.notification_list"), code=303)
    response = _page()
    response.set_data(response.get_data(as_text=True) + render_template("core/_notification_count.html", oob=True))
    return response


@bp.route("/notifications/<int:notification_id>/open")
@signed_in
def notification_open(notification_id):
    """Follow a notification's link; opening it is reading it."""
    notification = notifications.mark_read(current_user, _own(notification_id))
    db.session.commit()
    target = notification.url if notification.url and notification.url.startswith("/") \
        and not notification.url.startswith("//") else url_for("core.notification_list")
    return redirect(target, code=303)


@bp.route("/notifications/mail", methods=["POST"])
@signed_in
def notification_mail():
    form = MailForm()
    if not form.validate_on_submit():
        return _page(form)
    email = (form.email.data or "").strip()
    notifications.set_mail_address(current_user, email)
    db.session.commit()
    flash(_("Copies of your notifications go to %(email)s.", email=email) if email
          else _("You will get no e-mail copies."), "success")
    return redirect(url_for("core.notification_list"), code=303)
