"""Configuration classes, every value read from the environment.

DATABASE_URL selects the database (SQLite under instance/ by default);
REDIS_URL, when set, backs the login rate limiter, the cache (app/cache.py) and the job
queue so that all workers share them; without it the cache is a folder (CACHE_DIR).
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    # Bare postgres:// URLs select psycopg 3, the only driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # The audit chain's HMAC key, kept outside the database; derived from SECRET_KEY when unset.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'union.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Uploads: Excel workbooks only; anything bigger is refused with a 413 page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024

    # Sessions: signed cookie, HttpOnly, SameSite=Lax; Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=min(int(os.environ.get("REMEMBER_DAYS", "30")), 30))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "8")))

    # Text messages (app/sms.py): "log", "memory" or "package.module:callable"; unset = off.
    SMS_SENDER = os.environ.get("SMS_SENDER") or None
    # Who answers for personal data (the privacy notice names them).
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "本平台运营工会")
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")
    # How long a roster-made account's claim code (handed out by staff) stays valid.
    CLAIM_CODE_DAYS = int(os.environ.get("CLAIM_CODE_DAYS", "90"))

    WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT_SECONDS", str(8 * 3600)))

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    # The shared cache (app/cache.py): Redis when REDIS_URL is set, else files under CACHE_DIR,
    # shared by every worker of this machine. CACHE_THRESHOLD bounds the number of files.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    CACHE_DIR = os.environ.get("CACHE_DIR") or str(INSTANCE_DIR / "cache")
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "5000"))

    # Compression of HTML and JSON answers (Flask-Compress); files (xlsx, pdf, zip) are
    # compressed already and streamed, so they are left alone.
    COMPRESS_MIMETYPES = ["text/html", "application/json", "application/ld+json"]
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_LEVEL = 6
    COMPRESS_STREAMS = False

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Per address: a venue's judges share one Wi-Fi address, so this is generous;
    # the per-account limit is what stops password guessing.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute")
    # Registration tries per mobile number (claim codes are guessed nowhere near in time), texted codes per number.
    CLAIM_RATE_LIMIT = os.environ.get("CLAIM_RATE_LIMIT", "10 per hour")
    CLAIM_SMS_RATE_LIMIT = os.environ.get("CLAIM_SMS_RATE_LIMIT", "3 per hour")
    # Objections to an innovation 公示 notice (anyone may lodge one): per address, per contact.
    OBJECTION_RATE_LIMIT = os.environ.get("OBJECTION_RATE_LIMIT", "5 per hour")
    OBJECTION_CONTACT_RATE_LIMIT = os.environ.get("OBJECTION_CONTACT_RATE_LIMIT", "3 per hour")

    # Where import error reports are kept for their owner to download (one day).
    REPORT_DIR = os.environ.get("REPORT_DIR", str(INSTANCE_DIR / "reports"))
    # Background jobs (app/jobs.py): their uploads and result files live here, outside static/.
    # The queue itself is JOBS_DB (SQLite, instance/jobs.db) or Redis when REDIS_URL is set;
    # app/jobs.py reads those two from the environment when it is imported.
    JOBS_DIR = os.environ.get("JOBS_DIR", str(INSTANCE_DIR / "jobs"))
    # Uploaded attachments (innovation applications, receipts): outside static/, served by a view
    # that checks who may read them; files are named by a random key, never by the uploaded name.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "8"))
    # Finished jobs, their results and their rows are kept this many days.
    JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "7"))

    # Provisional results (公示) stay open for objections at least this many hours; only an
    # explicit "no 公示" decision, with a reason shown publicly, skips them.
    MIN_OBJECTION_HOURS = int(os.environ.get("MIN_OBJECTION_HOURS", "24"))
    # E-mail copies of notifications (app/notifications.py), sent by a background task; without
    # MAIL_SERVER they are written to the log. SITE_URL makes the links in them absolute.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@localhost")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    SITE_URL = os.environ.get("SITE_URL", "")

    PDF_CJK_FONT = os.environ.get("PDF_CJK_FONT", "")
    # Number of reverse proxies in front of the app (0 = none); see README.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # First part of certificate numbers, e.g. XZ-2026-HG-000123 (XZ = Xuzhou).
    CERTIFICATE_PREFIX = os.environ.get("CERTIFICATE_PREFIX", "XZ")


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)
    SMS_SENDER = os.environ.get("SMS_SENDER", "log")  # text messages go to the log


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    # Each test app gets its own temporary cache folder (or the one a test passes).
    REDIS_URL = None
    SMS_SENDER = "memory"
    CACHE_DIR = None
    MAIL_SERVER = None  # tests that send mail run their own SMTP server


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls):
        """Refuse to start with settings that are unsafe in production."""
        problems = []
        if not os.environ.get("SECRET_KEY"):
            problems.append("SECRET_KEY is not set")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL is not set")
        elif os.environ["DATABASE_URL"].startswith("sqlite") and not _bool("ALLOW_SQLITE_IN_PRODUCTION"):
            problems.append("SQLite in production needs ALLOW_SQLITE_IN_PRODUCTION=1")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    return CONFIGS[os.environ.get("APP_ENV", "development")]
