"""Settings for Model Registry, read from the environment (12-factor).

Environment variables:
    DATABASE_URL   database to use, e.g. postgres://user:pass@host:5432/registry; defaults to
                   the SQLite file db.sqlite3 next to manage.py.
    SECRET_KEY     required unless DEBUG is on (the settings refuse to load without it).
    DEBUG          "1"/"true"/"yes"/"on" turns on development mode (default off). Off means
                   production: HTTPS redirect, secure cookies, HSTS, manifest static files
                   (run ``manage.py collectstatic`` first); ``manage.py check --deploy`` passes.
    ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1,[::1]).
    CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://registry.example.com; needed
                   when the browser's origin differs from the host Django sees (a proxy
                   that rewrites Host, another port).
    CONN_MAX_AGE   seconds a database connection is kept open (default 60).
    LOG_LEVEL      root log level (default INFO).
    DATA_UPLOAD_MAX_MEMORY_SIZE  largest request body in bytes (default 2621440, 2.5 MB);
                   a larger one is refused with 413.
    TRUSTED_PROXY  "1" when the app is reached only through a proxy that sets
                   X-Forwarded-Proto (and overwrites what clients send); off by default, so a
                   client talking to gunicorn directly cannot claim HTTPS with that header.
    LOGIN_FAILURE_LIMIT (default 10), LOGIN_COOLOFF_MINUTES (default 15)   failed logins of one
                   user from one address before both are locked out, and for how long.
    API_THROTTLE_USER, API_THROTTLE_FAILED_AUTH   API rates such as "2000/minute": calls
                   per user (default 2000/minute) and refused tokens per address (default
                   20/minute).
    GC_THRESHOLD   generation-0 threshold of Python's garbage collector (default 5000), set
                   with gc.freeze() of the loaded application (inventory.gc_tuning); 0
                   leaves the collector as Python sets it.

Production only (DEBUG off), each on by default:
    SECURE_SSL_REDIRECT   turn off when a proxy terminates TLS and redirects by itself.
    SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE   cookies only over HTTPS.
    SECURE_HSTS_SECONDS (default 31536000), SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
TRUSTED_PROXY = env_bool("TRUSTED_PROXY")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# Fernet keys for secrets in engine config, comma-separated: the first encrypts, all decrypt
# (rotation: put the new key first, run ``manage.py rotate_secrets``, then drop the old one).
# Empty: a key derived from SECRET_KEY (``check --deploy`` warns).
REGISTRY_SECRETS_KEYS = env_list("REGISTRY_SECRETS_KEYS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "inventory",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "log_request_id.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "inventory.session_user.SessionUserMiddleware",
    "inventory.history.middleware.ChangeContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry_site.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "registry_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked": transactions
    # take the write lock when they begin (IMMEDIATE), so one that read first cannot fail to
    # upgrade its lock while another process writes (gunicorn runs several workers).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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
WHITENOISE_USE_FINDERS = DEBUG

# Database sessions that carry their user as a column: one query reads the session and its
# user (inventory.session_user); logout and password changes still end a session at once.
SESSION_ENGINE = "inventory.session_user"

LOGIN_URL = "inventory:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "inventory:login"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    if TRUSTED_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CSRF_FAILURE_VIEW = "inventory.failures.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", "2621440"))

# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and images
# from this site only, no inline script or style, no framing. The API docs pages widen
# style-src for the styles Swagger UI and Redoc inject (inventory/api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Every request gets an id: in the X-Request-ID response header, in each log line of the
# request and on the error pages, so a reported error can be found in the log.
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
LOG_REQUESTS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {
        "standard": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "standard",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins of one user name
# from one address, that pair is locked out for LOGIN_COOLOFF_MINUTES, on the login page and
# the admin login alike. Attempts and lockouts are listed in the admin (Axes) and logged;
# ``manage.py axes_reset`` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "inventory.login_lockout.LoginLockoutBackend",
    "inventory.session_user.SessionUserBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # attempts and lockouts are still logged; no start-up banner
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "inventory.client_address.client_address"
# The log names the user and address of each failure and lockout (passwords never).
AXES_SENSITIVE_PARAMETERS: list[str] = []

# REST API (inventory/api): bearer tokens for modules, sessions for the browsable API, Django
# model permissions for reads and writes, one error body for every failure.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "inventory.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "inventory.api.json_renderer.JSONRenderer",  # DRF's output, written by orjson
        "inventory.api.renderers.BrowsableAPI",
    ],
    "DEFAULT_PARSER_CLASSES": ["inventory.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "inventory.api.errors.exception_handler",
    # Calls per user (token or session). Anonymous calls are refused before any throttle;
    # refused tokens are counted per address (inventory.api.throttles), so guessing tokens
    # is slowed too.
    "DEFAULT_THROTTLE_CLASSES": ["inventory.api.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "2000/minute"),
        "failed_auth": os.environ.get("API_THROTTLE_FAILED_AUTH", "20/minute"),
    },
    # The client address for throttling: REMOTE_ADDR, or the proxy's X-Forwarded-For entry.
    "NUM_PROXIES": 1 if TRUSTED_PROXY else 0,
    # "format" is a filter of the catalog list; ?format=json|api picks the renderer (see
    # FormatParameterNegotiation), any other value is left to the filter.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "inventory.api.lists.FormatParameterNegotiation",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Model Registry API",
    "DESCRIPTION": (
        "Engines, the model catalog and registered models; mirrors the module SDK "
        "(`inventory.sdk.module_sdk`) one to one. Authenticate with `Authorization: Bearer "
        "<token>` (`manage.py create_api_token <username>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages need a login (session or token), as the API does.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the docs make no request to another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [{"url": "/", "description": "This Model Registry"}],
    "TAGS": [
        {"name": "engine_registry", "description": "Inference engines."},
        {"name": "available_model_registry", "description": "The model catalog."},
        {"name": "model_registry", "description": "Models registered on engines."},
        {"name": "knowledge", "description": "Knowledge embedding backend settings."},
        {"name": "capabilities", "description": "Capability vocabulary and schemas."},
        {"name": "workflows", "description": "Bind, reconcile, stale rows, export, import."},
        {"name": "history", "description": "Change records of every write, and restore."},
        {"name": "vocabulary", "description": "Terms and aliases of the controlled vocabularies."},
        {"name": "api", "description": "The API's own index."},
    ],
    # Each entity's status vocabulary is its own enum in generated clients.
    "ENUM_NAME_OVERRIDES": {
        "EngineStatusEnum": "inventory.models.engine.EngineStatus",
        "AvailableModelStatusEnum": "inventory.models.available_model.AvailableModelStatus",
        "RegisteredModelStatusEnum": "inventory.models.registered_model.RegisteredModelStatus",
        "ImportFormatEnum": "inventory.workflows.transfer.FORMATS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "inventory.api.failure_schema.add_failure_responses",
        "inventory.api.schema.typed_nullable_refs",
        "inventory.api.schema.publish_limits",
        "inventory.api.links.add_links",
    ],
}

# The garbage collector of every process that loads the app (inventory.gc_tuning).
GC_THRESHOLD = int(os.environ.get("GC_THRESHOLD", "5000"))

# Imports (inventory/workflows/transfer): the largest file the import page and the import API
# endpoint accept, upload or JSON body (other requests keep Django's DATA_UPLOAD_MAX_MEMORY_SIZE).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_MB", "64")) * 1024 * 1024

# The covering index of registered models (status INCLUDE capabilities) serves counts on
# PostgreSQL; SQLite builds it without the included column, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
