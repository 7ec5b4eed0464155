"""The release (ADR 0025): the runtime lock alone runs the application, the units of deploy/ start
commands that exist, gunicorn's configuration is valid and logs what docs/operations.md says, and a
production configuration serves hashed static files. scripts/release-check installs and runs the
whole release in CI; these are the quick checks."""

import ast
import configparser
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Import names of the development-only packages (requirements-dev.lock, not requirements.lock).
DEV_ONLY = {
    "pytest": "pytest",
    "pytest_django": "pytest-django",
    "pytest_randomly": "pytest-randomly",
    "factory": "factory-boy",
    "playwright": "playwright",
    "hypothesis": "hypothesis",
    "fhir": "fhir-resources",
    "schemathesis": "schemathesis",
    "ruff": "ruff",
}


def _locked(path: str) -> set[str]:
    names = re.findall(r"^([A-Za-z0-9_.\-]+)==", (ROOT / path).read_text(), re.MULTILINE)
    return {name.lower().replace("_", "-").replace(".", "-") for name in names}


def test_the_dev_only_packages_are_not_in_the_runtime_lock():
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    for distribution in DEV_ONLY.values():
        assert distribution in dev and distribution not in runtime, distribution


def test_no_module_of_the_application_imports_a_development_package():
    offenders = []
    for folder in ("maillage", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] in DEV_ONLY]
    assert offenders == []


def _units() -> dict[str, configparser.ConfigParser]:
    units = {}
    for path in sorted(DEPLOY.glob("maillage-*.*")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(path)
        units[path.name] = parser
    return units


def test_every_service_starts_something_that_exists_hardened_with_the_environment_file():
    services = {name: unit for name, unit in _units().items() if name.endswith(".service")}
    assert set(services) == {
        "maillage-web.service",
        "maillage-worker.service",
        "maillage-periodic.service",
        "maillage-backup.service",
    }
    commands = get_commands()
    for name, unit in services.items():
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/maillage/maillage.env", name
        assert service["WorkingDirectory"] == "/srv/maillage/current", name
        for option, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes"}.items():
            assert service[option] == value, (name, option)
        assert service["ReadWritePaths"], name
        program, *args = service["ExecStart"].split()
        program = program.removeprefix("/srv/maillage/current/")
        if program == ".venv/bin/python":
            assert args[0] == "manage.py" and args[1] in commands, name
        elif program == ".venv/bin/gunicorn":
            assert args[:2] == ["-c", "deploy/gunicorn.conf.py"], name
        else:
            assert os.access(ROOT / program, os.X_OK), name


def test_each_timer_starts_its_service():
    units = _units()
    timers = [name for name in units if name.endswith(".timer")]
    assert sorted(timers) == ["maillage-backup.timer", "maillage-periodic.timer"]
    assert units["maillage-periodic.timer"]["Timer"]["OnCalendar"] == "*:0/5"
    for timer in timers:
        assert timer.replace(".timer", ".service") in units


def _gunicorn(monkeypatch, **env) -> Config:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn validates each value
    return config


def test_gunicorn_configuration_logs_the_documented_format_and_trusts_the_proxies(monkeypatch):
    config = _gunicorn(monkeypatch, MAILLAGE_WEB_WORKERS="5", MAILLAGE_BIND="127.0.0.1:8010")
    assert config.workers == 5 and config.bind == ["127.0.0.1:8010"] and config.accesslog == "-"
    assert config.wsgi_app == "config.wsgi:application"
    documented = (ROOT / "docs" / "operations.md").read_text()
    assert config.access_log_format in documented and "%(U)s" in config.access_log_format
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]  # a count of proxies names nobody
    config = _gunicorn(monkeypatch, MAILLAGE_TRUSTED_PROXIES="10.0.0.1, 192.168.0.0/24")
    assert config.forwarded_allow_ips == ["10.0.0.1/32", "192.168.0.0/24"]


@pytest.mark.parametrize("production", [True, False])
def test_production_serves_hashed_static_files(tmp_path, production):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", MAILLAGE_VAR_DIR=str(tmp_path))
    if production:
        env.update(
            MAILLAGE_PRODUCTION="1",
            DJANGO_SECRET_KEY="k" * 50,
            DATABASE_URL="postgres://maillage@127.0.0.1:5432/maillage",
            DJANGO_ALLOWED_HOSTS="cpts.example.fr",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://cpts.example.fr",
            DJANGO_ADMINS="exploitation@cpts.example.fr",
        )
    code = (
        "from django.conf import settings as s; print(s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    backend, finders = result.stdout.split()
    assert backend.endswith("CompressedManifestStaticFilesStorage" if production else ".CompressedStaticFilesStorage")
    assert finders == str(not production)
