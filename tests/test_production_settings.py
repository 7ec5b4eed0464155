"""MAILLAGE_PRODUCTION=1 refuses every unsafe setting at startup, each with a French message; a
safe configuration loads, with its secrets read from files. Each case imports the settings in a
fresh interpreter, as gunicorn would, with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEY = "k" * 50
SAFE = {
    "MAILLAGE_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": KEY,
    "DATABASE_URL": "postgres://maillage:secret@127.0.0.1:5432/maillage",
    "DJANGO_ALLOWED_HOSTS": "cpts.example.fr",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://cpts.example.fr",
    "DJANGO_EMAIL_HOST": "smtp.example.fr",
    "DJANGO_ADMINS": "Équipe Maillage <exploitation@cpts.example.fr>",
}
SHOWN = [
    "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASES", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT",
    "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_TIMEOUT", "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SITE_URL", "MSSANTE_EMAIL", "SOCIALACCOUNT_PROVIDERS", "ADMINS",
]  # fmt: skip


def load(tmp_path, **env):
    """(settings shown as a dict, or None when refused; stderr)."""
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    full_env.update({k: v for k, v in env.items() if v is not None})
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings", MAILLAGE_VAR_DIR=str(tmp_path))
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SHOWN!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True)
    return (json.loads(result.stdout) if result.returncode == 0 else None), result.stderr


def production(**changes):
    return {**SAFE, **changes}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (production(DJANGO_SECRET_KEY="x"), "DJANGO_SECRET_KEY est trop courte : 50 caractères"),
        (production(DJANGO_SECRET_KEY="k" * 49), "DJANGO_SECRET_KEY est trop courte"),
        (production(DATABASE_URL=None), "SQLite est refusé en production"),
        (production(DATABASE_URL="sqlite:////tmp/x.sqlite3"), "SQLite est refusé en production"),
        (production(DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"), "est refusé en production"),
        (production(DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"), "finiraient"),
        (production(DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), "est refusé en production"),
        (production(DJANGO_ALLOWED_HOSTS=None), "DJANGO_ALLOWED_HOSTS est vide"),
        (production(DJANGO_ALLOWED_HOSTS=" , "), "DJANGO_ALLOWED_HOSTS est vide"),
        (production(DJANGO_CSRF_TRUSTED_ORIGINS=None), "DJANGO_CSRF_TRUSTED_ORIGINS est obligatoire derrière HTTPS"),
        (production(DJANGO_CSRF_TRUSTED_ORIGINS="http://cpts.example.fr"), "doit commencer par https://"),
        (production(MAILLAGE_HTTPS="0", DJANGO_CSRF_TRUSTED_ORIGINS=None), "MAILLAGE_SITE_URL est obligatoire"),
        (production(DJANGO_DEBUG="1"), "DJANGO_DEBUG doit être désactivé en production"),
        (production(DJANGO_EMAIL_USE_TLS="1", DJANGO_EMAIL_USE_SSL="1"), "s'excluent"),
        (production(DJANGO_EMAIL_PORT="vingt-cinq"), "DJANGO_EMAIL_PORT='vingt-cinq' : nombre entier attendu"),
        (production(DJANGO_EMAIL_TIMEOUT="0"), "DJANGO_EMAIL_TIMEOUT='0' : nombre entier attendu, au moins 1"),
        (production(DJANGO_SECRET_KEY_FILE="/nonexistent/key"), "DJANGO_SECRET_KEY et DJANGO_SECRET_KEY_FILE"),
        (production(DJANGO_SECRET_KEY=None, DJANGO_SECRET_KEY_FILE="/nonexistent/key"), "fichier illisible"),
        (production(MAILLAGE_MSSANTE_HOST="smtp.mssante.example"), "MAILLAGE_MSSANTE_FROM_EMAIL est obligatoire"),
        (production(DJANGO_ADMINS=None), "Personne ne serait prévenu d'une erreur du serveur"),
        (production(DJANGO_ADMINS="exploitation"), "« exploitation » n'est pas une adresse électronique"),
    ],
)
def test_production_refuses(tmp_path, env, message):
    shown, stderr = load(tmp_path, **env)
    assert shown is None
    assert "ImproperlyConfigured" in stderr and message in stderr


def test_a_safe_production_configuration_loads_with_strict_defaults(tmp_path):
    shown, stderr = load(tmp_path, **SAFE)
    assert shown is not None, stderr
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (shown["EMAIL_HOST"], shown["EMAIL_PORT"], shown["EMAIL_TIMEOUT"]) == ("smtp.example.fr", 25, 10)
    assert shown["SECURE_HSTS_SECONDS"] == 31536000
    assert shown["SESSION_COOKIE_SECURE"] and shown["CSRF_COOKIE_SECURE"] and shown["SECURE_SSL_REDIRECT"]
    assert shown["SECURE_PROXY_SSL_HEADER"] is None  # X-Forwarded-Proto is trusted only when named
    assert shown["SITE_URL"] == "https://cpts.example.fr"
    assert shown["MSSANTE_EMAIL"] is None


def test_secrets_come_from_files_and_every_setting_from_the_environment(tmp_path):
    files = {
        "key": KEY.replace("k", "f") + "\n",
        "fallbacks": "o" * 50 + "\n" + "p" * 50 + "\n",
        "db": "postgres://maillage:from-file@db.internal:5432/maillage\n",
        "smtp": "mot-de-passe-smtp\n",
        "psc": "secret-psc\n",
        "mss": "mot-de-passe-mssante\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    env = production(
        DJANGO_SECRET_KEY=None,
        DATABASE_URL=None,
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "key"),
        DJANGO_SECRET_KEY_FALLBACKS_FILE=str(tmp_path / "fallbacks"),
        DATABASE_URL_FILE=str(tmp_path / "db"),
        DJANGO_EMAIL_HOST_USER="maillage",
        DJANGO_EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "smtp"),
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="1",
        DJANGO_EMAIL_TIMEOUT="30",
        MAILLAGE_PSC_CLIENT_ID="maillage",
        MAILLAGE_PSC_CLIENT_SECRET_FILE=str(tmp_path / "psc"),
        MAILLAGE_MSSANTE_HOST="smtp.mssante.example",
        MAILLAGE_MSSANTE_FROM_EMAIL="cpts@cpts.mssante.fr",
        MAILLAGE_MSSANTE_PASSWORD_FILE=str(tmp_path / "mss"),
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        MAILLAGE_SITE_URL="https://maillage.cpts.example.fr",
    )
    shown, stderr = load(tmp_path, **env)
    assert shown is not None, stderr
    assert shown["SECRET_KEY"] == "f" * 50
    assert shown["SECRET_KEY_FALLBACKS"] == ["o" * 50, "p" * 50]
    assert (shown["DATABASES"]["default"]["HOST"], shown["DATABASES"]["default"]["PASSWORD"]) == (
        "db.internal",
        "from-file",
    )
    assert (shown["EMAIL_HOST_USER"], shown["EMAIL_HOST_PASSWORD"]) == ("maillage", "mot-de-passe-smtp")
    assert (shown["EMAIL_PORT"], shown["EMAIL_USE_TLS"], shown["EMAIL_TIMEOUT"]) == (587, True, 30)
    assert shown["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"][0]["secret"] == "secret-psc"
    assert shown["MSSANTE_EMAIL"]["PASSWORD"] == "mot-de-passe-mssante"
    assert shown["MSSANTE_EMAIL"]["HOST"] == "smtp.mssante.example" and shown["MSSANTE_EMAIL"]["USE_TLS"] is True
    assert shown["SECURE_HSTS_SECONDS"] == 600
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["SITE_URL"] == "https://maillage.cpts.example.fr"


def test_secret_key_fallbacks_from_a_comma_separated_variable(tmp_path):
    shown, stderr = load(tmp_path, **production(DJANGO_SECRET_KEY_FALLBACKS=f"{'a' * 50}, {'b' * 50}"))
    assert shown is not None, stderr
    assert shown["SECRET_KEY_FALLBACKS"] == ["a" * 50, "b" * 50]


def test_the_demo_and_the_tests_keep_their_defaults(tmp_path):
    shown, stderr = load(tmp_path)
    assert shown is not None, stderr
    assert shown["DATABASES"]["default"]["ENGINE"].endswith("sqlite3")
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert (shown["SECURE_HSTS_SECONDS"], shown["SESSION_COOKIE_SECURE"], shown["SECURE_SSL_REDIRECT"]) == (
        0,
        False,
        False,
    )


def test_replicas_and_pooling_from_the_environment(tmp_path):
    shown, _ = load(
        tmp_path,
        **production(
            DATABASE_REPLICA_URLS="postgres://m@10.0.0.2:6432/maillage, postgres://m@10.0.0.3:6432/maillage",
            DATABASE_DISABLE_SERVER_SIDE_CURSORS="1",
            DATABASE_CONN_MAX_AGE="300",
        ),
    )
    databases = shown["DATABASES"]
    assert sorted(databases) == ["default", "replica1", "replica2"]
    assert databases["replica2"]["HOST"] == "10.0.0.3"
    assert databases["replica1"]["TEST"]["MIRROR"] == "default"
    for database in databases.values():
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert database["CONN_MAX_AGE"] == 300
        assert database["CONN_HEALTH_CHECKS"] is True


def test_replicas_of_sqlite_are_refused(tmp_path):
    shown, stderr = load(tmp_path, DATABASE_REPLICA_URLS="postgres://m@10.0.0.2/maillage")
    assert shown is None
    assert "DATABASE_REPLICA_URLS : les réplicas sont des serveurs PostgreSQL" in stderr
