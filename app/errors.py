"""Domain errors and the HTTP error pages (translated, leaking nothing)."""
from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import htmx
from app.access import AccessDenied


class DomainError(Exception):
    """A business rule refused the change; the message is shown to the user."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _go(location, full_page):
    if full_page:  # an htmx button that leaves the page it sits on (HX-Redirect), or a 303
        from app.htmx import hx_redirect

        return hx_redirect(location)
    return redirect(location, code=303)


def saved(message, location, full_page=False):
    """After a successful write: commit, say so, and 303 to `location`."""
    from app.extensions import db

    db.session.commit()
    flash(message, "success")
    return _go(location, full_page)


def act(action, success, location, full_page=False):
    """A button's POST: run one service call, commit and flash `success` (a message,
    or a function of the call's result), or roll back and flash its refusal; then 303
    (with `full_page`, an HX-Redirect for htmx buttons)."""
    from app.extensions import db

    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _go(location, full_page)
    return saved(success(result) if callable(success) else success, location, full_page)


def show_on_form(form, error, hidden_fields=()):
    """Put a DomainError next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and field.name not in hidden_fields:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    413: (_l("File too large"), _l("The upload is larger than the allowed size of %(mb)s MB.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}


def error_page(code):
    from flask import current_app

    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = str(text) % {"mb": mb} if "%(mb)s" in str(text) else str(text)
    response = htmx.render("errors/error.html", code=code, title=title, message=message)
    response.status_code = code
    if htmx.is_htmx():
        htmx.trigger(response, "flash", {"level": "error", "message": message})
    return response


def same_site_referrer():
    """The referring page when it is on this site (never an open redirect)."""
    from urllib.parse import urlsplit

    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return referrer
    return None


def register_errorhandlers(app):
    @app.errorhandler(AccessDenied)
    def access_denied(_error):
        return error_page(403)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        # Usually an expired form (a tab left open overnight): send the user back
        # to a fresh copy of the page with an explanation instead of a dead end.
        message = _("Your form expired or the page was open too long. Please try again.")
        if request.method != "GET" and not htmx.is_htmx():
            flash(message, "error")
            return redirect(same_site_referrer() or request.url, code=303)
        response = error_page(400)
        if htmx.is_htmx():
            htmx.trigger(response, "flash", {"level": "error", "message": message})
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in ERROR_TEXT:
            return error_page(error.code)
        return error

    @app.errorhandler(Exception)
    def unexpected(error):
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error  # let tests see the real traceback
        app.logger.exception("unhandled error: %s", error)
        from app.extensions import db

        db.session.rollback()
        return error_page(500)
