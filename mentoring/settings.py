"""Flipside settings: one module, driven by the environment.

With no environment at all the app runs embedded: SQLite and the Celery broker on the
filesystem under ``var/``, e-mail printed to the console, a generated development secret
and DEBUG on. Setting DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS and
DEBUG=false gives the production shape (PostgreSQL, Redis broker and cache, SMTP).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from kombu import Queue

from mentoring.env import Env, served_origin

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -----------------------------------------------------------------------------------

# Where `make run` serves the app: PORT=8021 make run sets FLIPSIDE_PORT for web, worker and beat, so
# the links in the e-mails and calendar files any of them sends point at the running server.
_SERVED = served_origin(env.str("FLIPSIDE_HOST", "127.0.0.1"), env.int("FLIPSIDE_PORT", 8000, minimum=1))

# DEBUG defaults on only for the embedded setup (no SECRET_KEY given): a deployment that sets
# a secret but forgets DEBUG must not leak tracebacks.
DEBUG = env.bool("DEBUG", default=not env.has("SECRET_KEY"))


def _development_secret() -> str:
    """A random secret kept under var/ so sessions survive restarts of `make run`."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", "") or _development_secret()
    # The host `make run` serves on is allowed too (FLIPSIDE_HOST=192.168.1.20 for a phone on the LAN).
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", sorted({"localhost", "127.0.0.1", "[::1]", "testserver",
                                                      urlsplit(_SERVED).netloc.rpartition(":")[0]}))
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
# The origin every link in an e-mail or a calendar file starts with. A deployment sets SITE_URL (its
# public https:// origin); the embedded app links to where `make run` serves it.
SITE_URL = env.str("SITE_URL", _SERVED).rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # Project apps, in layer order: each may import only from those above it.
    "mentoring",
    "accounts",
    "notifications",
    "programs",
    "pairing",
    "meetings",
    "circles",
    "surveys",
    "evaluation",
    # Integration surfaces sit on top of the domain and call its services.
    "scim",
    "api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every error under /api/ is an RFC 9457 problem document, even a 404 or 405 no view sent.
    "api.middleware.problem_details",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, refreshing at most once a minute (see the middleware).
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "mentoring.security.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
ASGI_APPLICATION = "mentoring.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "accounts.context_processors.roles",
            ],
        },
    }
]

# --- Data -----------------------------------------------------------------------------------

DATABASES = {"default": env.database("DATABASE_URL", VAR_DIR / "flipside.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker, beat) share the embedded database: wait for locks
    # instead of failing, and take the write lock at BEGIN so transactions don't deadlock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "flipside"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # A file cache is shared by web, worker and beat, unlike the per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# An invitation is a password-reset link: whoever sets their first password through it is signed
# in and lands on their home page, instead of a dead-end "your password is now changed" page.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Flipside] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
# Bad passwords: at most 5 tries per account in 5 minutes and 10 per minute per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Open sign-up can be switched off (employees then come only from HR's invitations and
# imports) or limited to the company's e-mail domains.
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", True)
SIGNUP_EMAIL_DOMAINS = [d.lower().lstrip("@") for d in env.list("SIGNUP_EMAIL_DOMAINS")]
# In production (DEBUG off) self sign-up is closed unless SIGNUP_EMAIL_DOMAINS names the company's
# domains: people come in through SCIM, an import, an invitation or SSO (issue 14 item 5).
SIGNUP_REQUIRES_DOMAIN = not DEBUG

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Flipside"
# Roles that must use two-factor authentication (hr_admin, lead, participant, superuser).
# On by default outside DEBUG so the demo logins of `make run` stay one step.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", [] if DEBUG else ["hr_admin", "lead", "superuser"])

# Sessions: listed and revocable by their owner; a new session key at every sign-in (Django);
# every session of the person ends when the password changes; idle sessions expire.
USERSESSIONS_TRACK_ACTIVITY = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True

# Single sign-on through OpenID Connect, entirely from the environment (see README).
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {"openid_connect": {"APPS": []}}
if env.has("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env.str("OIDC_PROVIDER_ID", "company-sso"),
            "name": env.str("OIDC_NAME", "Company single sign-on"),
            "client_id": env.str("OIDC_CLIENT_ID"),
            "secret": env.str("OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env.str("OIDC_SERVER_URL"),
                "token_auth_method": env.str("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"),
            },
        }
    )

# Single sign-on through SAML 2.0 (allauth's SAML provider, hardened in accounts/saml.py). From the
# environment here, or set up by HR in the browser (/sso/saml/, stored as allauth's SocialApp); not both.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SAML_ORGANIZATION_SLUG = env.str("SAML_ORGANIZATION_SLUG", "company")
SOCIALACCOUNT_PROVIDERS["saml"] = {"provider_class": "accounts.saml.FlipsideSAMLProvider", "APPS": []}
if env.has("SAML_IDP_METADATA_URL") or env.has("SAML_IDP_METADATA_XML") or env.has("SAML_IDP_ENTITY_ID"):
    import json as _json

    _saml_idp = {
        "entity_id": env.str("SAML_IDP_ENTITY_ID", ""),
        "metadata_url": env.str("SAML_IDP_METADATA_URL", ""),
        "metadata_xml": env.str("SAML_IDP_METADATA_XML", ""),
        "sso_url": env.str("SAML_IDP_SSO_URL", ""),
        "x509cert": env.str("SAML_IDP_X509_CERT", ""),
    }
    _saml_settings: dict = {"idp": {k: v for k, v in _saml_idp.items() if v}}
    if env.has("SAML_ATTRIBUTE_MAPPING"):
        try:
            _saml_settings["attribute_mapping"] = _json.loads(env.str("SAML_ATTRIBUTE_MAPPING"))
        except ValueError as _exc:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"SAML_ATTRIBUTE_MAPPING is not JSON: {_exc}") from _exc
    SOCIALACCOUNT_PROVIDERS["saml"]["APPS"].append(
        {
            "client_id": SAML_ORGANIZATION_SLUG,
            "name": env.str("SAML_NAME", "Company single sign-on (SAML)"),
            "settings": _saml_settings,
        }
    )

# --- Internationalisation and time ----------------------------------------------------------

LANGUAGE_CODE = "en"
# Each person picks one on Account → Preferences (User.language); blank follows the browser.
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
# One date style everywhere ("Thu 3 Dec 2026, 14:30"), per language; shown through accounts/dates.py.
FORMAT_MODULE_PATH = ["accounts.formats"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------

for _key, _value in env.email("EMAIL_URL").items():
    globals()[_key] = _value
# A dotted backend class overriding the one EMAIL_URL chose (the reliability tests use a slow file
# backend to kill a worker mid-batch); EMAIL_FILE_PATH etc. still come from EMAIL_URL.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "") or EMAIL_BACKEND  # noqa: F821 - set just above
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Flipside <flipside@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Chat channels (notifications.chat) -----------------------------------------------------

# HR connects Slack or Microsoft Teams in the browser (Settings → Chat); the secret is stored
# encrypted with a key derived from SECRET_KEY. A deployment that keeps secrets in its
# environment sets these instead, and the page then shows them masked and read-only.
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", "")
TEAMS_WEBHOOK_URL = env.str("TEAMS_WEBHOOK_URL", "")
# Where the Slack Web API lives (tests point it at a server on 127.0.0.1).
SLACK_API_URL = env.str("SLACK_API_URL", "https://slack.com/api").rstrip("/")

# --- Celery ---------------------------------------------------------------------------------

CELERY_TIMEZONE = "UTC"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Matching runs have their own queue, so a cluster can give them their own workers (a large run
# holds a core and ~1.5 GB for a while) without reminders waiting behind them. A worker started
# without --queues consumes every queue listed here, so one worker still does everything.
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each queue under its own routing key (left out, Celery binds both under "celery"), so a broker
# that routes by bindings keeps them apart.
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("matching", routing_key="matching"))
CELERY_TASK_ROUTES = {"pairing.tasks.run_matching": {"queue": "matching"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "worker-heartbeat": {"task": "mentoring.tasks.heartbeat", "schedule": 60.0},
    # The message jobs, beside their domain: short ticks; each finds what is due, queues it in the
    # outbox (notifications) and delivers it; the deliveries tick sends whatever else is due
    # (retries, messages a broker outage kept from a worker).
    "deliveries": {"task": "notifications.tasks.tick_deliveries", "schedule": 60.0},
    "meeting-reminders": {"task": "meetings.tasks.tick_meeting_reminders", "schedule": 60.0},
    "session-surveys": {"task": "surveys.tasks.tick_session_surveys", "schedule": 60.0},
    "program-surveys": {"task": "surveys.tasks.tick_program_surveys", "schedule": 60.0},
    "survey-reminders": {"task": "surveys.tasks.tick_survey_reminders", "schedule": 60.0},
    "safety-pulses": {"task": "surveys.tasks.tick_safety_pulses", "schedule": 60.0},
    "nudges": {"task": "meetings.tasks.tick_nudges", "schedule": 60.0},
    "circles": {"task": "circles.tasks.tick_circles", "schedule": 60.0},
    "commitment": {"task": "meetings.tasks.tick_commitment", "schedule": 60.0},
    "lead-digest": {"task": "surveys.tasks.tick_lead_digest", "schedule": 3600.0},
    "certificates": {"task": "evaluation.tasks.tick_certificates", "schedule": 60.0},
    "retention": {"task": "programs.tasks.purge_expired_programs", "schedule": 6 * 3600.0},
}
# Hard time limit of one e-mail tick, and the lease on the rows it claims. The lease is longer, so
# rows a slow but living worker still sends are never claimed twice; rows of a killed worker go
# out again once the lease has passed.
JOBS_TIME_LIMIT = env.int("JOBS_TIME_LIMIT", 300, minimum=2)
JOBS_CLAIM_LEASE_SECONDS = env.int("JOBS_CLAIM_LEASE_SECONDS", 2 * JOBS_TIME_LIMIT, minimum=3)
# How many e-mails one claim takes (one UPDATE … RETURNING); a tick claims batches until done.
JOBS_BATCH_SIZE = env.int("JOBS_BATCH_SIZE", 500, minimum=1)
if JOBS_CLAIM_LEASE_SECONDS <= JOBS_TIME_LIMIT:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("JOBS_CLAIM_LEASE_SECONDS must be longer than JOBS_TIME_LIMIT.")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Short socket timeouts: a broker outage must not hang a web request that enqueues work.
    # Web processes publish with 1 s socket timeouts, so even a Redis that accepts connections
    # but never answers cannot hold a request for long; workers and beat (which block on reads)
    # are started with BROKER_SOCKET_TIMEOUT=10 (Procfile.dev, docker-compose.yml).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 1,
        "socket_timeout": env.int("BROKER_SOCKET_TIMEOUT", 1, minimum=1),
    }
    # One attempt: whatever is not enqueued now is picked up by the next periodic tick.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0, "interval_start": 0,
                                        "interval_step": 0.2, "interval_max": 0.5}
else:
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    _control = VAR_DIR / "celery" / "control"  # kombu's exchange tables; default is ./control
    for _folder in (_queue, _processed, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    # kombu wants a host name even for a transport that has none (it warns otherwise).
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(_control),
    }

# --- Security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout: the expiry moves forward with the requests (at most once a SESSION_ACTIVITY_SECONDS:
# accounts.middleware.SessionActivityMiddleware), so it ends after this much inactivity.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", 60 * 60 * 2, minimum=300)
SESSION_ACTIVITY_SECONDS = 60
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Flipside -------------------------------------------------------------------------------

# The password every demo account gets from `manage.py seed_demo` (refused when DEBUG is off).
DEMO_PASSWORD = "flipside-demo"  # noqa: S105 - a documented demo password, seeded only in DEBUG

# REST API: requests per token in each fixed window of API_RATE_WINDOW seconds (then 429).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", 600, minimum=1)
API_RATE_WINDOW = 60

# Dashboard snapshots (evaluation.snapshots): programs with at least this many pairs read their
# dashboard's aggregates at most every DASHBOARD_SNAPSHOT_SECONDS (the refresh job runs twice as often).
DASHBOARD_SNAPSHOT_MIN_PAIRS = env.int("DASHBOARD_SNAPSHOT_MIN_PAIRS", 1000, minimum=1)
DASHBOARD_SNAPSHOT_SECONDS = env.int("DASHBOARD_SNAPSHOT_SECONDS", 600, minimum=60)
# Smaller programs keep their dashboard's reads (and rendered sections) this long; 0: read live.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", 60, minimum=0)
CELERY_BEAT_SCHEDULE["dashboard-snapshots"] = {
    "task": "evaluation.tasks.refresh_dashboards", "schedule": DASHBOARD_SNAPSHOT_SECONDS / 2}
