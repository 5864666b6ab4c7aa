"""Site-wide pages: home, health check, language switch, report downloads."""
import io

from flask import abort, current_app, jsonify, redirect, request, send_file, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app import excel, htmx, notifications
from app.access import public, signed_in
from app.core import bp
from app.errors import same_site_referrer


@bp.route("/")
@public
def home():
    return htmx.render("core/home.html", todos=notifications.todos_for(current_user))


@bp.route("/healthz")
@public
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/lang", methods=["POST"])
@public
def set_language():
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    return redirect(same_site_referrer() or url_for("core.home"), code=303)


@bp.route("/reports/<token>.xlsx")
@signed_in
def report(token):
    """An import report; only the person who ran the import can fetch it."""
    data = excel.load_report(current_app.config["REPORT_DIR"], current_user.id, token)
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIME, as_attachment=True,
                     download_name=f"report-{token[:8]}.xlsx")


def _own_job(token):
    """The job with this token, for its owner only (anyone else: 404, as if it did not exist)."""
    from app import jobs

    job = jobs.by_token(token)
    if job is None or not job.visible_to(current_user):
        abort(404)
    return job


@bp.route("/jobs/<token>")
@signed_in
def job(token):
    """A background job's progress; htmx polls the same URL for the fragment."""
    from app import jobs

    job = _own_job(token)
    return htmx.render("core/job.html", "job", job=job, title=jobs.title(job), counts=jobs.counts)


@bp.route("/jobs/<token>/download")
@signed_in
def job_download(token):
    job = _own_job(token)
    if not job.has_result():
        abort(404)
    path = job.result_path()
    return send_file(path, mimetype=job.result_mime or "application/octet-stream", as_attachment=True,
                     download_name=job.result_name or path.name)


@bp.route("/session")
@public
def grid_session():
    """Who this browser is signed in as, with a CSRF token of its current session.

    Score grids (static/score-grid.js) ask after a refused save (expired sign-in or token,
    or a sign-in in another tab): they retry the marks still on the page only for the same
    person, with this token. Public, so that an expired sign-in answers here instead of
    redirecting to the login page.
    """
    user = current_user.id if current_user.is_authenticated else None
    response = jsonify(user=user, csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response
