"""Base settings: production-safe defaults, every knob read from the environment.

Every variable read here is listed in docs/environment.md. `dev` and `test` override this module.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Production-safe: no default secret, no debug, no host.
SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Requests that may write run in one transaction, reads in none: `cartolangue.ops.transactions` (the last
# middleware) does for POST, PUT, PATCH and DELETE what ATOMIC_REQUESTS would do for every method (ADR 0015).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, set on every connection: readers never wait for the writer (an import holds the write lock for its
    # whole all-or-nothing transaction) nor block it. synchronous=NORMAL is WAL's recommended level: a commit
    # is not synced at once, so a power cut may lose the last commits, but never corrupts the file.
    # Transactions are IMMEDIATE so that two writers queue on the busy timeout (seconds) rather than fail on
    # a lock upgrade; reads run outside any transaction, so they never take that lock (ADR 0015).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
# Persistent connections on both databases: a new SQLite connection re-reads the whole schema (tables,
# indexes, the data-version triggers) at its first statement, a new PostgreSQL one forks a backend; either
# cost more than a search (ADR 0011).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# In memory, per process: nothing to run beside the app. (The parts of result cards that depend only on the
# course are kept per data version by `cartolangue.search.version.per_version`, ADR 0010.)
# "shared" is seen by every gunicorn worker: the rate-limit counters. By default files on this machine (no
# service to run; not the database, whose write lock an import holds on SQLite); Redis in production with
# SHARED_CACHE_URL=redis://127.0.0.1:6379/1 (ADR 0016).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "shared": env.cache_url("SHARED_CACHE_URL", default=f"filecache://{BASE_DIR / 'var' / 'cache'}"),
}
if CACHES["shared"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    # Every write lists the folder to see whether to cull: keep it small. Counters live a minute or so.
    CACHES["shared"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 2000)

# Per-client request limits (cartolangue/security/limits.py, ADR 0016): django-ratelimit rates, "N/s|m|h|d",
# per client address and group. Far above what a counsellor's day needs (the search page loads its map through
# the API, the commune field asks the API at each keystroke), far below a scraper's or a flood's pace.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "shared"
RATELIMIT_FAIL_OPEN = True  # the cache down: serve, rather than refuse everyone
RATE_LIMITS = {
    "api": env.str("RATE_LIMIT_API", default="300/m"),
    "search": env.str("RATE_LIMIT_SEARCH", default="120/m"),
    "print": env.str("RATE_LIMIT_PRINT", default="20/m"),
    "exports": env.str("RATE_LIMIT_EXPORTS", default="30/m"),
    "forms": env.str("RATE_LIMIT_FORMS", default="60/m"),
}
# Addresses of the reverse proxies whose X-Forwarded-For is believed (cartolangue/security/clients.py); empty:
# REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Login lockout (django-axes, at the authentication-backend level: every login form). A (user name, address)
# pair is locked after LOGIN_FAILURE_LIMIT failures, for LOGIN_COOLOFF_MINUTES; an office sharing one address
# is not locked out by one person's typos.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Each failure is logged (WARNING, logger "axes") with the client's address, for the operator to act on; the
# user name tried stays masked, as it is sometimes a password typed in the wrong field.
AXES_SENSITIVE_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "cartolangue.security.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cartolangue.security.clients.client_ip"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Where the admin is served; another path than /admin/ spares it most of the blind guessing.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must not be empty")

# Public pages may be kept this many seconds by browsers and shared caches, then revalidated (ADR 0016).
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=60)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "corsheaders",
    "ninja",
    "axes",
    "simple_history",
    "cartolangue.security",
    "cartolangue.geo",
    "cartolangue.offers",
    "cartolangue.search",
    "cartolangue.interop",
    "cartolangue.flyers",
    "cartolangue.api",
    "cartolangue.www",
    "cartolangue.ops",
    "cartolangue.accounts",
    "cartolangue.moderation",
    "cartolangue.space",
    "cartolangue.upkeep",
    "cartolangue.sources",
    "cartolangue.actors",
    "cartolangue.parcours",
    "cartolangue.dedup",
    "cartolangue.diagnostic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cartolangue.security.http.HttpRulesMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "cartolangue.security.limits.RateLimitMiddleware",
    "cartolangue.www.middleware.RejectNulBytesMiddleware",
    "cartolangue.search.version.DataVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "cartolangue.security.http.LastModifiedNotInFutureMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Gives the history rows of a request their author (offers/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication, as django-axes asks: it turns a login view's answer into the lockout response.
    "axes.middleware.AxesMiddleware",
    # Last: its transaction covers the view alone, as ATOMIC_REQUESTS did.
    "cartolangue.ops.transactions.WritesInTransactionMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cartolangue.www.context_processors.demo_offer",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: French first; English and Arabic interfaces follow with the search issue.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("Français")),
    ("en", _("Anglais")),
    ("ar", _("Arabe")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))

# The published exports (`manage.py publish_exports`, docs/adr/0014-published-exports.md): a folder by default;
# an object storage backend (django-storages) can replace this entry, the code only uses the storage API.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("EXPORTS_ROOT", default=str(BASE_DIR / "exports"))},
    },
}
# Behind nginx: the internal location that serves EXPORTS_ROOT (deploy/nginx/); the application then answers a
# download with X-Accel-Redirect and nginx sends the file. Empty: the application sends it itself.
EXPORTS_ACCEL_REDIRECT = env.str("EXPORTS_ACCEL_REDIRECT", default="")

# Map tiles: a URL template and its attribution (OSM by default, IGN Plan in production).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>',
)

# The site's public address, printed on flyers and in their QR codes (default: the address of the request;
# set it when documents are made by a command, which has no request).
SITE_URL = env.str("SITE_URL", default="")

# Accounts (cartolangue/accounts): people log in with their e-mail address; invitations and password-reset
# links expire. E-mail goes through SMTP configured by EMAIL_URL (e.g. smtp+tls://user:pass@host:587), else the
# console (make run prints the messages); tests use Django's in-memory outbox.
LOGIN_URL = "space:login"
LOGIN_REDIRECT_URL = "space:home"
LOGOUT_REDIRECT_URL = "space:login"
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, in seconds
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day: a shared office computer does not stay logged in for weeks
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Carto-Langue <ne-pas-repondre@carto-langue.example.org>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Freshness (offers/freshness.py): a course not confirmed for this many months is "information à vérifier";
# providers get a reminder at most once per REMINDER_PERIOD_DAYS, with a link valid REMINDER_LINK_DAYS.
STALE_AFTER_MONTHS = env.int("STALE_AFTER_MONTHS", default=6)
REMINDER_PERIOD_DAYS = env.int("REMINDER_PERIOD_DAYS", default=30)
REMINDER_LINK_DAYS = env.int("REMINDER_LINK_DAYS", default=30)
# Coordinators' review feed: how far back it looks.
REVIEW_FEED_DAYS = env.int("REVIEW_FEED_DAYS", default=60)

# The source registry's synchronisation (cartolangue/sources, ADR 0022): per download, a timeout (connect and
# between two reads), a size limit, retries with exponential back-off on errors a server may recover from; a
# course missing from a complete feed is withdrawn after this many successive successful versions without it.
SOURCES_TIMEOUT_SECONDS = env.int("SOURCES_TIMEOUT_SECONDS", default=60)
SOURCES_MAX_BYTES = env.int("SOURCES_MAX_BYTES", default=500 * 1024 * 1024)
SOURCES_RETRIES = env.int("SOURCES_RETRIES", default=3)
SOURCES_BACKOFF_SECONDS = env.float("SOURCES_BACKOFF_SECONDS", default=2.0)
SOURCES_WITHDRAW_AFTER_RUNS = env.int("SOURCES_WITHDRAW_AFTER_RUNS", default=3)
# A version listing fewer than this share of the courses the source has on show counts no absence (a broken
# export that lists 10 courses of 8,000 must not withdraw the rest).
SOURCES_MIN_LISTED_SHARE = env.float("SOURCES_MIN_LISTED_SHARE", default=0.5)
SOURCES_MAX_SECONDS = env.int("SOURCES_MAX_SECONDS", default=1800)  # a whole download, at most
# Sources read from the server's disk must be under this folder (the repository's data/ by default).
SOURCES_LOCAL_ROOT = env.str("SOURCES_LOCAL_ROOT", default=str(BASE_DIR / "data"))

# Where "signaler une erreur" links send their e-mail.
REPORT_EMAIL = env.str("REPORT_EMAIL", default="signalement@carto-langue.example.org")

# Territory data shipped in the repository (INSEE zones d'emploi 2020, Licence Ouverte).
TERRITORY_DATA_DIR = Path(env.str("TERRITORY_DATA_DIR", default=str(BASE_DIR / "data" / "geo")))

# Security headers. HTTPS settings are on by default and switched off only in dev/test.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): nothing from outside but the map tiles.
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", _TILE_ORIGIN],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The API is open for reading from any origin; nothing else is cross-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
