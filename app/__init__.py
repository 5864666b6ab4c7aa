"""Application factory."""
import os
from datetime import date

from flask import Flask, abort, flash, has_request_context, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from app import access, htmx
from app import extensions
from config import INSTANCE_DIR, ProductionConfig, TestingConfig, config_from_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    """Build the app. `config` is a config class, or a dict of overrides on TestingConfig."""
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    if isinstance(config, dict):
        app.config.from_object(TestingConfig)
        app.config.update(config)
    else:
        config = config or config_from_env()
        if config is ProductionConfig:
            config.check()
        app.config.from_object(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("PROXY_HOPS"):
        # Behind nginx: take scheme and host from X-Forwarded-*, so the URLs printed
        # in certificate QR codes are the public https ones.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_cli(app)
    from app.errors import register_errorhandlers

    register_errorhandlers(app)
    return app


class DatabaseId(IntegerConverter):
    """`<int:...>` in URLs: only ids a database integer column can hold; a longer number is a 404, not a 500."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def select_locale():
    if not has_request_context():
        return "zh"  # command line tools speak Chinese, like the site
    # ?lang= serves cacheable public pages in either language without touching the session.
    requested = request.args.get("lang")
    if requested in ("zh", "en"):
        return requested
    return session.get("lang") or "zh"


def register_extensions(app):
    # Names stay qualified: `app.db` is the module of column types, not the extension.
    db, login_manager = extensions.db, extensions.login_manager
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from app.db import configure_sqlite

            configure_sqlite(db.engine)
    extensions.migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True, compare_type=True)
    extensions.csrf.init_app(app)
    extensions.babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(ROOT, "app", "translations"))
    extensions.limiter.init_app(app)
    from app import cache

    cache.init_app(app)
    extensions.compress.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.accounts import sessions

    @login_manager.user_loader
    def load_user(user_id):
        # Only a live server-side session signs anyone in (sign-out, expiry and password
        # changes end sessions there, whatever cookies were copied).
        return sessions.load(user_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(login_manager.login_message, "info")
        return htmx.login_redirect(request.full_path.rstrip("?") if request.method == "GET" else None)


def register_blueprints(app):
    from app.accounts import bp as accounts_bp
    from app.apprenticeship import bp as apprenticeship_bp
    from app.competitions import bp as competitions_bp
    from app.core import bp as core_bp
    from app.innovation import bp as innovation_bp
    from app.training import bp as training_bp
    from app.verification import bp as verify_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(competitions_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(innovation_bp)
    app.register_blueprint(apprenticeship_bp)
    app.register_blueprint(verify_bp)


MAX_PAGE = 1_000_000
PASSWORD_CHANGE_EXEMPT = {"accounts.change_password", "accounts.logout", "core.set_language", "core.healthz"}


def register_request_hooks(app):
    app.before_request(access.enforce)

    @app.before_request
    def refuse_impossible_urls():
        # `?page=` feeds every paginated query's OFFSET: a page that cannot exist is a 404, not a
        # database overflow. (Pages past the end of a list still render as empty pages.)
        # NUL cannot be stored or even compared by PostgreSQL: a URL carrying one is refused here.
        if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                          for key, value in request.args.items(multi=True)):
            abort(400)
        page = request.args.get("page")
        if page is not None and not (page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE):
            abort(404)

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_EXEMPT
            and request.endpoint != "static"
        ):
            flash(_l("Please choose your own password before you continue."), "info")
            return htmx.hx_redirect(url_for("accounts.change_password"))
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return htmx.add_vary(response)


def register_template_helpers(app):
    from app import navigation
    from app import labels
    from app.accounts.models import IDENTITY_TAG_LABELS, MEMBERSHIP_LABELS, ORG_KIND_LABELS, ROLE_LABELS

    labels.expose(ROLE_LABELS=ROLE_LABELS, MEMBERSHIP_LABELS=MEMBERSHIP_LABELS,
                  IDENTITY_TAG_LABELS=IDENTITY_TAG_LABELS, ORG_KIND_LABELS=ORG_KIND_LABELS)
    labels.init_app(app)

    @app.context_processor
    def inject():
        return {
            "today": date.today(),
            "current_locale": str(get_locale()),
            "nav_items": navigation.items_for(current_user),
        }

    from flask_babel import format_date, format_datetime

    app.jinja_env.filters["masked_mobile"] = lambda v: f"{v[:3]}****{v[-4:]}" if v and len(v) >= 7 else (v or "")
    app.jinja_env.filters["datetime"] = lambda v, fmt="yyyy-MM-dd HH:mm": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="yyyy-MM-dd": format_date(v, fmt) if v else ""


def register_cli(app):
    from app.accounts.cli import accounts_cli
    from app.apprenticeship.cli import apprenticeship_cli
    from app.audit import audit_cli
    from app.cache import cache_cli
    from app.competitions.cli import competitions_cli
    from app.demo import demo_command
    from app.innovation.cli import innovation_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(cache_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(apprenticeship_cli)
    app.cli.add_command(competitions_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(innovation_cli)
