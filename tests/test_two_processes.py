"""The login limit holds across processes (issue 13): two gunicorn servers share the database cache;
wrong passwords sent to one and the other in turn are counted together, and the 6th is refused.

The servers read the test database: on SQLite a file copy of the in-memory test database (made with
SQLite's backup API, a few milliseconds), on PostgreSQL the test database itself; the test uses
`transactional_db` so that the account it creates is committed and visible to them."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import RoleFactory

ROOT = Path(__file__).resolve().parents[1]
THROTTLED = "Trop de tentatives de connexion échouées"
WRONG = "L’adresse e-mail ou le mot de passe sont incorrects."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "partagee.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    if connection.vendor == "postgresql":
        user, password = urllib.parse.quote(settings["USER"] or ""), urllib.parse.quote(settings["PASSWORD"] or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return (
            f"postgres://{credentials}{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    pytest.skip(f"no shared test database for {connection.vendor}")


def _start(port, env, log):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--no-control-socket",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(port, process, deadline):
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return response.status == 200
        except urllib.error.HTTPError as answer:
            # The server answers: up. 503 only says that no periodic job has run on this database.
            return answer.code == 503
        except OSError:
            time.sleep(0.1)
    return False


class Browser:
    """One person's cookies (the CSRF cookie is valid on both servers: same secret key)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, port, email, password):
        url = f"http://127.0.0.1:{port}/accounts/login/"
        with self.opener.open(url, timeout=10) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password}).encode()
        request = urllib.request.Request(url, data=data, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_the_login_limit_holds_across_two_processes(tmp_path):
    member = RoleFactory(cpts__name="CPTS des deux serveurs").user
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path),
        "MAILLAGE_CACHE_URL": "",  # the production default: the database
        "MAILLAGE_VAR_DIR": str(tmp_path / "var"),
        "MAILLAGE_DEMO_RELAX_MFA": "0",
        "DJANGO_SECRET_KEY": "deux-processus-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "0",
    }
    ports = [_free_port(), _free_port()]
    log = (tmp_path / "gunicorn.log").open("w")
    servers = [_start(port, env, log) for port in ports]
    try:
        deadline = time.monotonic() + 60
        if not all(_wait_ready(port, server, deadline) for port, server in zip(ports, servers, strict=True)):
            log.flush()
            pytest.fail("les serveurs n'ont pas démarré :\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])
        browser = Browser()
        pages = [browser.login(ports[attempt % 2], member.email, "mauvais") for attempt in range(6)]
        # Each server alone saw 3 failures, under the limit of 5: only a shared count refuses the 6th.
        assert [WRONG in page for page in pages[:5]] == [True] * 5
        assert THROTTLED in pages[5]
        assert THROTTLED in browser.login(ports[0], member.email, "mauvais")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
        log.close()
