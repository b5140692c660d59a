"""Settings, all from the environment (see README: Configuration)."""

from pathlib import Path

import environ

from hirebridge import config

env = environ.Env()

DATA_DIR = Path(env.str("DATA_DIR", default="var")).resolve()
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = config.secret_key(env.str("SECRET_KEY", default=None), DATA_DIR, debug=DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Keys retired by a rotation that still verify sessions and signatures, and still decrypt the
# secrets stored at rest (linkedin/secrets.py), until those are written again under SECRET_KEY.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    # /v1/docs serves Swagger UI from django-ninja's own static files, never from a CDN.
    "ninja",
    # Two-factor sign-in: authenticator-app codes (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hirebridge",
    "hirebridge.accounts",
    "hirebridge.audit",
    "hirebridge.hiring",
    "hirebridge.linkedin",
    "hirebridge.privacy",
    "hirebridge.search",
    "hirebridge.web",
    "hirebridge.webhooks",
]

MIDDLEWARE = [
    # First: probes are answered before the host check and the redirect to HTTPS (see health.py).
    "hirebridge.web.health.ProbeMiddleware",
    # Every request gets an id the audit log and the response header carry.
    "hirebridge.audit.context.RequestContextMiddleware",
    # Bodies over their URL's limit are refused before they are read (limits below).
    "hirebridge.web.body_limits.BodyLimitMiddleware",
    # Every 403, whoever answered it, is an audit row (inside the request context above).
    "hirebridge.audit.middleware.DenialAuditMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hirebridge.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hirebridge.urls"
WSGI_APPLICATION = "hirebridge.wsgi.application"

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
                "hirebridge.web.linkedin_settings.may_manage_linkedin",
                "hirebridge.web.pipeline.may_view_candidates",
                "hirebridge.web.webhook_settings.may_manage_webhooks",
                "hirebridge.web.audit_log.may_view_audit_log",
                "hirebridge.web.privacy_settings.may_manage_privacy",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'hirebridge.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a worker write at once: WAL, a busy timeout, and write locks taken
    # at BEGIN so that two writers queue instead of failing with "database is locked".
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # FULL: a push LinkedIn was told we stored must survive a power cut, not only a crash.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)

# Rows that post_migrate re-creates after every flush: a test with serialized_rollback restores
# the rest and would otherwise collide with them.
TEST_NON_SERIALIZED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]

HUEY = config.huey_settings(
    env.str("HUEY_URL", default=f"sqlite:///{DATA_DIR / 'queue.sqlite3'}"),
    name=env.str("HUEY_NAME", default="hirebridge"),
)
HUEY["immediate"] = env.bool("HUEY_IMMEDIATE", default=False)
HUEY["consumer"] = {
    "workers": env.int("HUEY_WORKERS", default=2),
    "worker_type": "thread",
    # An idle consumer polls SQLite at most this far apart (Redis blocks instead): a push rung
    # into an idle queue is picked up within a second, not Huey's default ten.
    "max_delay": 1.0,
}

# Django's cache holds the API's rate-limit buckets: shared in Redis when the queue is on Redis
# (same server, database API_CACHE_REDIS_DB), else in each process's memory, so that with several
# web processes and no Redis the limit is per process.
CACHES = config.cache_settings(
    env.str("HUEY_URL", default=""), redis_db=env.int("API_CACHE_REDIS_DB", default=1)
)
# The REST API's token bucket per key, as Lever's: steady requests per second, and the burst.
API_RATE_PER_SECOND = env.float("API_RATE_PER_SECOND", default=10.0)
API_RATE_BURST = env.int("API_RATE_BURST", default=20)

# Request bodies, in bytes, refused with 413 before they are read (web/body_limits.py): a LinkedIn
# push, a raw email from the mail relay, a REST API call, anything else.
LINKEDIN_CALLBACK_MAX_BYTES = env.int("LINKEDIN_CALLBACK_MAX_BYTES", default=64 * 1024)
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=10 * 1024 * 1024)
API_MAX_BYTES = env.int("API_MAX_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# LinkedIn: production hosts by default; the demo points these at the sandbox.
LINKEDIN_API_BASE = env.str("LINKEDIN_API_BASE", default="https://api.linkedin.com")
LINKEDIN_OAUTH_BASE = env.str("LINKEDIN_OAUTH_BASE", default="https://www.linkedin.com")
LINKEDIN_PLATFORM_BASE = env.str("LINKEDIN_PLATFORM_BASE", default="https://platform.linkedin.com")
# Where a connected candidate's "View in LinkedIn Recruiter" link points (…/talent/profile/<id>).
LINKEDIN_RECRUITER_BASE = env.str("LINKEDIN_RECRUITER_BASE", default="https://www.linkedin.com")
LINKEDIN_POLL_SECONDS = env.int("LINKEDIN_POLL_SECONDS", default=900)
# How often LinkedIn's closed candidate profiles are read (LinkedIn: at least every 30 days).
LINKEDIN_CLOSED_PROFILES_HOURS = env.int("LINKEDIN_CLOSED_PROFILES_HOURS", default=24)
# How far back the hourly reconciliation of exported candidates looks (linkedin/inbound/reconcile).
LINKEDIN_RECONCILE_DAYS = env.int("LINKEDIN_RECONCILE_DAYS", default=30)
# Outbound sync: LinkedIn's records per minute per resource (the token buckets stay under it),
# how long a drainer's lease lasts before another may take over from a dead one, and how long
# after submission a job's task is first checked (LinkedIn: at least 5 minutes).
LINKEDIN_RECORDS_PER_MINUTE = env.int("LINKEDIN_RECORDS_PER_MINUTE", default=10_000)
# Records per batch call of the outbound sync: LinkedIn's maximum, 100, unless set lower.
LINKEDIN_BATCH_SIZE = env.int("LINKEDIN_BATCH_SIZE", default=100)
LINKEDIN_SYNC_LEASE_SECONDS = env.int("LINKEDIN_SYNC_LEASE_SECONDS", default=300)
LINKEDIN_JOB_TASK_CHECK_SECONDS = env.int("LINKEDIN_JOB_TASK_CHECK_SECONDS", default=300)
# The hosting partner's parent application, which provisions this installation's customer
# application and registers the origins the widgets load on; empty: the partner does it by hand.
# LINKEDIN_INSTANCE_ID is the uniqueForeignId LinkedIn knows this installation by: set a stable,
# distinct value per installation when one partner application serves several.
LINKEDIN_PARTNER_CLIENT_ID = env.str("LINKEDIN_PARTNER_CLIENT_ID", default="")
LINKEDIN_PARTNER_CLIENT_SECRET = env.str("LINKEDIN_PARTNER_CLIENT_SECRET", default="")
LINKEDIN_INSTANCE_ID = env.str("LINKEDIN_INSTANCE_ID", default="hirebridge")
# Where LinkedIn reaches this ATS: the base of the CALLBACK_URL registered for pushes.
HIREBRIDGE_PUBLIC_URL = env.str("HIREBRIDGE_PUBLIC_URL", default="http://127.0.0.1:8000")

# Outgoing webhooks go only to public hosts; the demo and tests, whose receivers listen on
# loopback, allow private and loopback targets.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)

# Email to candidates: SMTP by default, one file per email in EMAIL_FILE_PATH when set (the demo).
# Replies reach POST /inbound/email from a mail relay that sends INBOUND_EMAIL_TOKEN; unset, that
# endpoint does not exist.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=None)
EMAIL_BACKEND = (
    "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hirebridge@localhost")
INBOUND_EMAIL_TOKEN = env.str("INBOUND_EMAIL_TOKEN", default=None)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins (password or two-factor code) per window: from one address for one account,
# then from one address for any account. Past either, that source waits; nobody is locked out.
LOGIN_FAILURES_PER_USER_IP = env.int("LOGIN_FAILURES_PER_USER_IP", default=5)
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
OTP_TOTP_ISSUER = "hirebridge"
# Failed codes are limited per source above; django-otp's per-device back-off (unbounded) is off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("HTTPS", default=False):
    SECURE_SSL_REDIRECT = True
    # __Host-: browsers keep the cookie only if it is Secure, for "/" and for this host alone.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the whole registrable domain to HTTPS in browsers for good, so the
    # domain's owner opts in; until then Django's reminder (W021) is a choice, not a fault.
    SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a proxy that terminates TLS every request arrives over plain HTTP; the proxy's
# X-Forwarded-Proto says what the browser used. Believe it only when that proxy is the sole way
# in: a client that reached gunicorn directly could send the header itself.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic's target (the Docker image collects at build time); when set, whitenoise serves
# the collected, pre-compressed files from there, else straight from the apps.
STATIC_ROOT = env.str("STATIC_ROOT", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files found in the apps would shadow the collected, compressed copies.
WHITENOISE_USE_FINDERS = not STATIC_ROOT
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The worker logs through the handler Huey's consumer installs.
    # hirebridge.linkedin logs every LinkedIn call with its ids and timing; httpx's own line for
    # the same request adds nothing.
    "loggers": {"huey": {"propagate": False}, "httpx": {"level": "WARNING"}},
}
