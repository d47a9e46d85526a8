"""Common Ground's one settings module.

Everything an operator can change is read from the environment here, through
the typed helpers below, so the rest of the code never reads ``os.environ``.
With nothing set, Common Ground runs on a SQLite file in ``./data/`` with
background tasks in-process: that is the embedded default for a small
organisation. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Celery.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    """An environment variable holds a value Common Ground cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number (got {raw!r}).") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


_RATES = re.compile(r"\s*\d+\s*/\s*\d*\s*[smhd]\s*(,\s*\d+\s*/\s*\d*\s*[smhd]\s*)*")


def env_rate(name: str, default: str) -> str:
    """Rate limits such as ``5/m,30/h`` (per second, minute, hour or day; ``60/10m``)."""
    value = env_str(name, default)
    if not _RATES.fullmatch(value):
        raise ConfigurationError(
            f"{name} must be rates such as 5/m,30/h or 60/10m (got {value!r})."
        )
    return value


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def database_from_url(url: str) -> dict[str, object]:
    """Turn a ``DATABASE_URL`` into a Django ``DATABASES`` entry.

    Supports ``sqlite:///relative/path``, ``sqlite:////absolute/path`` and
    ``postgres://`` (or ``postgresql://``) with query options passed on to
    psycopg, such as ``?sslmode=require``.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ConfigurationError("DATABASE_URL for SQLite needs a file path.")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # Kept open between requests, as on PostgreSQL: opening one costs as much as a
            # small page, and its page cache (below) would start cold every time.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": _SQLITE_PRAGMAS},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options: dict[str, object] = {
            key: values[-1] for key, values in parse_qs(parts.query).items()
        }
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "commonground",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"DATABASE_URL must start with sqlite:// or postgres:// (got {parts.scheme or url!r})."
    )


def email_from_url(url: str) -> dict[str, object]:
    """Turn an ``EMAIL_URL`` into Django's ``EMAIL_*`` settings.

    ``smtp://user:password@host:587`` uses STARTTLS when ``?tls=true`` is given;
    ``smtps://`` uses implicit TLS (port 465). ``console://`` prints messages,
    ``file:///path`` writes them to a folder, ``memory://`` keeps them for tests.
    """
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ConfigurationError(
            "EMAIL_URL must start with smtp://, smtps://, console://, file:// or memory:// "
            f"(got {parts.scheme or url!r})."
        )
    config: dict[str, object] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    if parts.scheme in {"smtp", "smtps"}:
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", "").lower() in {"1", "true", "yes", "on"},
            EMAIL_TIMEOUT=10,
        )
    return config


def secret_key_in(data_dir: Path) -> str:
    """Read the secret key kept in the data directory, creating it on first use.

    Several processes may start at once on a new data directory (a web server's
    workers, two Celery workers): the key is written in full to a private
    temporary file and then linked into place, so each either puts its key there
    first or reads the one that did, never a half-written one.
    """
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=data_dir, prefix=".secret_key-")  # owner-only
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, key_file)
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()


# WAL lets readers carry on while one writer works; a busy timeout makes a
# second writer wait instead of failing at once. A 32 MB page cache (the
# default is 2 MB) keeps the item indexes in memory while a harvest writes.
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
    "PRAGMA cache_size=-32000;"
)

# ``commonground demo`` sets this before Django starts.
DEMO = env_bool("COMMONGROUND_DEMO")

DATA_DIR = env_path("DATA_DIR", Path.cwd() / "data")
DEBUG = env_bool("DEBUG", default=DEMO)
SECRET_KEY = env_str("SECRET_KEY") or secret_key_in(DATA_DIR)

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Common Ground")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ConfigurationError(f"SITE_URL must be an http:// or https:// address (got {SITE_URL!r}).")
_default_hosts = [_site.hostname]
if DEMO or DEBUG:
    _default_hosts += ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "commonground",
    "commonground.accounts",
    "commonground.api",
    "commonground.conversations",
    "commonground.hub",
    "commonground.learning",
    "commonground.frameworks",
    "commonground.groups",
    "commonground.evaluation",
    # After our apps, so that our templates for its pages and emails come first.
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "commonground.middleware.log_refusals",
    "commonground.middleware.refuse_oversized_uploads",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

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
                "commonground.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FORMS_URLFIELD_ASSUME_HTTPS = True

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'commonground.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker started by the tests sees
    # the same test database as the test itself.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    Path(str(DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Accounts, through django-allauth: sign-in by email address, which must be
# verified before the person can sign in at all (so nobody can hold an account,
# a token or a membership in someone else's name), email changes verified at
# the new address, and nothing that tells a stranger whether an address is
# registered. A new password, however it is set, revokes the person's API
# tokens (accounts/passwords.py, listed with the password validators below).
ACCOUNT_ADAPTER = "commonground.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"commonground.accounts.forms.{form}"
    for name, form in {
        "signup": "SignUpForm",
        "login": "SignInForm",
        "reset_password": "ResetRequestForm",
        "reset_password_from_key": "NewPasswordForm",
        "change_password": "PasswordChangeForm",
        "add_email": "EmailChangeForm",
        "reauthenticate": "ConfirmItIsYouForm",
    }.items()
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# Changing the address asks for the password again unless it was given in the last five
# minutes: a session left open must not be enough to take the account over.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
# Requests per period for each account action, counted in the cache; see
# allauth's ACCOUNT_RATE_LIMITS. Sign-in failures: 10 a minute from one
# address, 5 in 5 minutes for one account.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip,30/h/ip",
    "reset_password": "10/m/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entry is
# trusted; the client's address is the one they saw (rate limits count by it).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django's hook for every new password, which revokes API tokens.
    {"NAME": "commonground.accounts.passwords.TokensEndWithThePassword"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")

REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cg",
        }
    }
else:
    # Each process's own memory. Rate limits then count per process (a machine's few
    # gunicorn workers each allow the limit), but each count is exact: the file and
    # database caches add one by reading and writing back, so requests sent at once
    # all get through, and they drop entries at random when full. Redis is exact and
    # shared. Entries are small; the room keeps counts from being pushed out.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Background tasks: with REDIS_URL they go to Celery workers; without it they
# run in this process when the transaction that queued them commits.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs are not listed here: each part registers its own (commonground/jobs.py),
# and `commonground scheduler` (with REDIS_URL) or a thread of `serve` and `demo`
# (without) runs them.

# The Hub's harvester. Private networks are refused unless listed here
# (comma-separated CIDRs), for tests, benchmarks and intranet hubs.
# The demo harvests its own /hub/demo-feeds/ over loopback.
HUB_ALLOWED_PRIVATE_NETWORKS = env_list(
    "HUB_ALLOWED_PRIVATE_NETWORKS", ["127.0.0.1/32", "::1/128"] if DEMO else []
)
HUB_USER_AGENT = f"CommonGround/0.1 (+{SITE_URL}/hub/about/)"
HUB_MAX_BYTES = env_int("HUB_MAX_BYTES", 10 * 1024 * 1024)
HUB_FETCH_TIMEOUT = env_int("HUB_FETCH_TIMEOUT", 30)
HUB_FETCH_THREADS = env_int("HUB_FETCH_THREADS", 16)
# Processes that parse and sanitise feeds in big harvests; 0 means one fewer than the
# cores, but at least two; a negative number means none. Relating many waiting items
# uses one fewer (at most three), beside the relating process.
HUB_PARSE_PROCESSES = env_int("HUB_PARSE_PROCESSES", 0)
# Minutes between looks for sources due a harvest, whichever runs the periodic jobs
# (Celery beat, or the thread in serve and demo); 0 turns scheduled harvesting off.
HUB_HARVEST_EVERY = env_int("HUB_HARVEST_EVERY", 1)

# Evaluation: the largest spreadsheet of responses (or .qdpx project) one import takes
# (bytes). Uploads this size pass through the web server, so keep the proxy's body limit
# above it.
EVALUATION_IMPORT_MAX_BYTES = env_int("EVALUATION_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# The biggest request body the site reads at all: the biggest upload and a little for the
# form around it. Bigger ones are refused unread (commonground/middleware.py).
UPLOAD_MAX_BYTES = EVALUATION_IMPORT_MAX_BYTES + 1024 * 1024
# What one import reads of it, checked as it is read: rows below the headings, columns,
# characters in a cell (Excel's own limit), and bytes an .xlsx or .qdpx may unpack to.
# Files are read as a stream, so these bound the time an import takes; memory stays
# bounded whatever they are, except that an .xlsx's shared texts are held while it is
# read (at most EVALUATION_IMPORT_MAX_UNZIPPED_BYTES).
EVALUATION_IMPORT_MAX_ROWS = env_int("EVALUATION_IMPORT_MAX_ROWS", 200_000)
EVALUATION_IMPORT_MAX_COLUMNS = env_int("EVALUATION_IMPORT_MAX_COLUMNS", 500)
EVALUATION_IMPORT_MAX_CELL_CHARS = env_int("EVALUATION_IMPORT_MAX_CELL_CHARS", 32_767)
EVALUATION_IMPORT_MAX_UNZIPPED_BYTES = env_int("EVALUATION_IMPORT_MAX_UNZIPPED_BYTES", 100_000_000)
# Public forms: how long a page of a form may stay open before it is sent, and how many
# sendings one address may make to one form (a venue's shared connection included).
EVALUATION_SUBMISSION_DAYS = env_int("EVALUATION_SUBMISSION_DAYS", 7)
EVALUATION_RESPOND_RATE = env_rate("EVALUATION_RESPOND_RATE", "60/10m")
# Comments on Hub items, per person.
HUB_COMMENT_RATE = env_rate("HUB_COMMENT_RATE", "5/m,30/h")
# Posts in group discussions, per person (replies by email count too).
CONVERSATION_POST_RATE = env_rate("CONVERSATION_POST_RATE", "10/m,120/h")

EMAIL_URL = env_str("EMAIL_URL", "console://")
globals().update(email_from_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Groups' email (docs/operations.md, "Group email"): the domain of the group and reply
# addresses, which the organisation's mail server hands to `commonground mail-in` (or a
# provider posts to the inbound webhook, proving itself with MAIL_INBOUND_SECRET); and
# how many days a reply address keeps working after the email that carried it.
MAIL_DOMAIN = env_str("MAIL_DOMAIN", _site.hostname or "localhost").lower()
MAIL_INBOUND_SECRET = env_str("MAIL_INBOUND_SECRET")
GROUPS_REPLY_DAYS = env_int("GROUPS_REPLY_DAYS", 365)
# The largest email `commonground mail-in` and the webhook accept.
MAIL_IN_MAX_BYTES = env_int("MAIL_IN_MAX_BYTES", 10_000_000)

# Security. Behind a reverse proxy that terminates TLS (docs/operations.md),
# SITE_URL starts with https:// and these turn on together.
_https = _site.scheme == "https"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _https and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts
# and images from this site only, no inline script or style, no plugins, no
# framing, forms posted only here. Images inside harvested feed content are
# turned into links by the sanitiser, so no reader's browser fetches from
# another site when a page opens (lib/sanitise.py says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Invitations stay open for a fortnight.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF at INFO, and each CSS rule it skips at WARNING.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "commonground.views.csrf_failure"
