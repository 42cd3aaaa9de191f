"""All configuration comes from EGOV_* environment variables with safe defaults.

Demo/development mode (the default) runs on SQLite under EGOV_DATA_DIR with local files.
Production mode (EGOV_ENV=production) refuses to start unless a secret key, allowed hosts and
HTTPS-only cookies are configured, so an unsafe deployment fails loudly instead of quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from egov.core.client import trusted_networks
from egov.core.ratelimit import parse_rate

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ


def env_bool(name: str, default: bool) -> bool:
    value = ENV.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in ENV.get(name, default).split(",") if item.strip()]


EGOV_ENV = ENV.get("EGOV_ENV", "development").strip().lower()
PRODUCTION = EGOV_ENV == "production"
DEMO_MODE = env_bool("EGOV_DEMO", not PRODUCTION)
# Dossiers of generated history the demo adds (a year's worth, for lifelike lists and figures).
DEMO_HISTORY = int(ENV.get("EGOV_DEMO_HISTORY", "30000"))
DEBUG = env_bool("EGOV_DEBUG", False)

DATA_DIR = Path(ENV.get("EGOV_DATA_DIR") or Path.cwd() / "var").resolve()

SECRET_KEY = ENV.get("EGOV_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("EGOV_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
SECURE_COOKIES = env_bool("EGOV_SECURE_COOKIES", PRODUCTION)


def check_production_settings() -> list[str]:
    """The reasons why this configuration is unsafe for production (empty when it is safe)."""
    problems = []
    if not SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY.startswith("insecure"):
        problems.append("EGOV_SECRET_KEY must be set to a random value of at least 32 characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("EGOV_ALLOWED_HOSTS must list the site's host names")
    if not SECURE_COOKIES:
        problems.append("EGOV_SECURE_COOKIES must be on (cookies only over HTTPS)")
    if DEBUG:
        problems.append("EGOV_DEBUG must be off")
    if DEMO_MODE:
        problems.append("EGOV_DEMO must be off (demo accounts have published passwords)")
    return problems


if PRODUCTION:
    _problems = check_production_settings()
    if _problems:
        raise ImproperlyConfigured("Unsafe production configuration: " + "; ".join(_problems))
elif not SECRET_KEY:
    # Development only: a stable per-checkout key so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text("dev-" + secrets.token_urlsafe(48))
    SECRET_KEY = _key_file.read_text().strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "egov.core",
    "egov.org",
    "egov.procedures",
    "egov.dossiers",
    "egov.documents",
    "egov.signing",
    "egov.exchange",
    "egov.webhooks",
    "egov.feedback",
    "egov.metrics",
    "egov.payments",
    "egov.notify",
    "egov.portal",
    "egov.api",
]

MIDDLEWARE = [
    "egov.api.errors.ApiErrorsMiddleware",  # first: it sees every response under /api/
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "egov.core.middleware.SecurityHeadersMiddleware",
    "egov.core.middleware.AuditContextMiddleware",
    "egov.org.middleware.TwoFactorMiddleware",
    "egov.org.middleware.PasswordChangeMiddleware",
    "egov.org.middleware.SignInRefusedMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.site",
                "egov.org.access.staff_menu",
                "egov.notify.context_processors.bell",
            ],
        },
    },
]

DATABASE_URL = ENV.get("EGOV_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # psycopg prepares a statement on its first run in a connection. Only the server-binding
        # cursors of egov.core.fixedsql are ever prepared: the ORM's cursors bind on the client.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "egov.sqlite3"),
            # Opening a connection (and its PRAGMAs) costs more than most queries: keep it.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock when its transaction starts, so two writers
                # queue on busy_timeout instead of one failing at lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DATABASES["default"].setdefault("TEST", {})
if ENV.get("EGOV_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = ENV["EGOV_TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["egov.org.auth.LoginBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (egov.org.lockout): this many failures for one account from one address lock
# that address out of it for the window (seconds); this many from one address over any names
# refuse the address (429); failures from this many addresses for one account lock it for all.
LOGIN_MAX_FAILURES = int(ENV.get("EGOV_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(ENV.get("EGOV_LOGIN_LOCKOUT_SECONDS", "900"))
# Password reset and account activation links: valid this long, and only until used.
PASSWORD_RESET_TIMEOUT = int(ENV.get("EGOV_PASSWORD_RESET_SECONDS", "3600"))
# System and agency administrators must sign in with a TOTP code (off in demo: published accounts).
REQUIRE_2FA_ADMINS = env_bool("EGOV_REQUIRE_2FA_ADMINS", PRODUCTION)
LOGIN_ADDRESS_MAX_FAILURES = int(ENV.get("EGOV_LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_FLOOD_ADDRESSES = int(ENV.get("EGOV_LOGIN_FLOOD_ADDRESSES", "10"))
LOGIN_FLOOD_SECONDS = int(ENV.get("EGOV_LOGIN_FLOOD_SECONDS", "3600"))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = ENV.get("EGOV_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENV.get("EGOV_STATIC_ROOT") or DATA_DIR / "static")
MEDIA_ROOT = Path(ENV.get("EGOV_MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def s3_storage(env) -> dict:
    """Uploaded files in a private S3-compatible bucket (django-storages), from EGOV_S3_*.
    Objects keep the bucket's default (private) ACL and are never addressed by URL: views stream
    them after their permission check (egov.core.storage). Names never overwrite each other."""
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env["EGOV_S3_BUCKET"], "endpoint_url": env.get("EGOV_S3_ENDPOINT_URL") or None,
        "access_key": env.get("EGOV_S3_ACCESS_KEY") or None, "secret_key": env.get("EGOV_S3_SECRET_KEY") or None,
        "region_name": env.get("EGOV_S3_REGION") or None, "default_acl": None, "file_overwrite": False,
        "querystring_auth": True, "addressing_style": "path" if env.get("EGOV_S3_ENDPOINT_URL") else None}}


if ENV.get("EGOV_S3_BUCKET"):
    STORAGES["default"] = s3_storage(ENV)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: the hard ceiling per request; each feature checks its own limit by content.
MAX_UPLOAD_BYTES = int(ENV.get("EGOV_MAX_UPLOAD_MB", "20")) * 1024 * 1024
# An edXML message carries its files in base64, so its own ceiling (egov.exchange.edxml).
EDXML_MAX_BYTES = int(ENV.get("EGOV_EDXML_MAX_MB", "50")) * 1024 * 1024
# The outbox (egov.exchange.delivery): how long to wait for a peer, and how many tries (backoff
# 30 s doubling up to 1 h between them) before a delivery is "failed" for an administrator to resend.
EXCHANGE_TIMEOUT = float(ENV.get("EGOV_EXCHANGE_TIMEOUT", "30"))
EXCHANGE_MAX_ATTEMPTS = int(ENV.get("EGOV_EXCHANGE_MAX_ATTEMPTS", "8"))
# The wait before the second try, doubled for each try after it; shorter for a test of two instances.
EXCHANGE_RETRY_BASE = float(ENV.get("EGOV_EXCHANGE_RETRY_BASE_SECONDS", "30"))
# Sign outgoing edXML with the sending agency's certificate (egov.signing) when it has one. The peer
# must trust its root: a signature it cannot verify is refused, an unsigned message is not.
EXCHANGE_SIGN = env_bool("EGOV_EXCHANGE_SIGN", True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every upload is scanned by clamd at this address (host:port or a Unix socket path) when set;
# unreachable, it refuses uploads rather than store them unscanned (egov.core.scanning).
CLAMD = ENV.get("EGOV_CLAMD", "")
if CLAMD:
    from egov.core.scanning import parse_address

    parse_address(CLAMD)  # a typo fails at start, not on every upload
CLAMD_TIMEOUT = float(ENV.get("EGOV_CLAMD_TIMEOUT", "30"))

SESSION_COOKIE_AGE = int(ENV.get("EGOV_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS")
# Reverse proxies (IPs or CIDR networks) whose X-Forwarded-For names the client (egov.core.client).
TRUSTED_PROXIES = env_list("EGOV_TRUSTED_PROXIES")
trusted_networks(tuple(TRUSTED_PROXIES))  # a typo fails at start, not on the first request
# Public tracking (web page, API, SMS) per client: codes are sequential, so this slows enumeration.
RATE_TRACKING = parse_rate("EGOV_RATE_TRACKING", ENV.get("EGOV_RATE_TRACKING", "60/m"))
# Citizen feedback (egov.feedback). The receiving office classifies and routes every feedback:
# the agency with this code, or the root of the agency tree when unset.
FEEDBACK_OFFICE = ENV.get("EGOV_FEEDBACK_OFFICE", "")
# Days after the answer during which the sender may say "not fixed" and reopen it.
FEEDBACK_REOPEN_DAYS = int(ENV.get("EGOV_FEEDBACK_REOPEN_DAYS", "10"))
# Feedback sent per phone, per email and per client address (a flood is refused with 429).
RATE_FEEDBACK = parse_rate("EGOV_RATE_FEEDBACK", ENV.get("EGOV_RATE_FEEDBACK", "5/h"))
# One-time confirmation codes for anonymous senders: minutes valid, wrong tries allowed.
FEEDBACK_CODE_MINUTES = int(ENV.get("EGOV_FEEDBACK_CODE_MINUTES", "15"))
FEEDBACK_CODE_ATTEMPTS = int(ENV.get("EGOV_FEEDBACK_CODE_ATTEMPTS", "5"))
# Online fee payment (egov.payments) over the VNPay merchant protocol. With nothing set, demo mode
# serves its own sandbox gateway (/thanh-toan/sandbox/) with a secret derived from SECRET_KEY.
VNPAY_TMN_CODE = ENV.get("EGOV_VNPAY_TMN_CODE", "")
VNPAY_HASH_SECRET = ENV.get("EGOV_VNPAY_HASH_SECRET", "")
VNPAY_URL = ENV.get("EGOV_VNPAY_URL", "")
# Minutes a payment may wait at the gateway (vnp_ExpireDate) before it expires.
PAYMENT_EXPIRE_MINUTES = int(ENV.get("EGOV_PAYMENT_EXPIRE_MINUTES", "15"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = int(ENV.get("EGOV_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("EGOV_SSL_REDIRECT", True)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Mail: SMTP when EGOV_SMTP_HOST is set; otherwise each message is a file under DATA_DIR/mail.
# Production does not refuse to start without SMTP: a missing mail server loses password resets
# and activations (an outage of one feature), it exposes nothing (see docs/configuration.md).
DEFAULT_FROM_EMAIL = ENV.get("EGOV_MAIL_FROM", "egov <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if ENV.get("EGOV_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV["EGOV_SMTP_HOST"]
    EMAIL_PORT = int(ENV.get("EGOV_SMTP_PORT", "587"))
    EMAIL_HOST_USER = ENV.get("EGOV_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = ENV.get("EGOV_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EGOV_SMTP_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EGOV_SMTP_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if ENV.get("EGOV_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": ENV["EGOV_REDIS_URL"]}}

TASKS = {
    "default": {
        "BACKEND": ENV.get("EGOV_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Office hours used to count deadlines given in working hours (giờ làm việc).
OFFICE_HOURS = ENV.get("EGOV_OFFICE_HOURS", "07:30-11:30,13:30-17:00")
# The site's own public address, printed in QR codes on receipts.
SITE_URL = ENV.get("EGOV_SITE_URL", "http://127.0.0.1:" + ENV.get("EGOV_PORT", "8000")).rstrip("/")
SITE_NAME = ENV.get("EGOV_SITE_NAME", "Cổng dịch vụ công")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.get("EGOV_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "fontTools": {"level": "WARNING"}},
}

# Digital signatures (ký số). EGOV_SIGNING_KEY encrypts stored PKCS#12 files and their
# passwords; production refuses to store one without it (development keeps a key file under
# DATA_DIR). EGOV_TSA_URL: an RFC 3161 timestamp authority, making signatures PAdES B-T.
SIGNING_KEY = ENV.get("EGOV_SIGNING_KEY", "")
SIGNING_TSA_URL = ENV.get("EGOV_TSA_URL", "")
SIGNING_VERIFY_MAX_MB = int(ENV.get("EGOV_VERIFY_MAX_MB", "50"))
# Verifiers download CRLs/OCSP answers named in certificates that chain to a trusted root.
SIGNING_FETCH_REVOCATION = env_bool("EGOV_SIGNING_FETCH_REVOCATION", True)
