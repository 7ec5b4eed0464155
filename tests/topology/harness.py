"""The production topology of issue 19 on one machine, made of the programs operators run: a
PostgreSQL primary and a streaming replica (pg_basebackup -R), PgBouncer in transaction mode, a
Redis (or Valkey) cache, N gunicorn app servers and nginx balancing them round robin.

Everything listens on 127.0.0.1 from `base_port` upward and lives under `workdir`; every program is
started in its own process group, and __exit__ stops them all (even after a failure) so that no
server outlives the test or the benchmark using it. Standard library and psycopg only: the load
benchmark (bench/load.py) imports it too.

PostgreSQL and PgBouncer refuse to run as root: as root (CI containers) they run as the `postgres`
system user, like scripts/pg-throwaway does; the workdir must then stay reachable by that user
(its parents are given o+x). Not under pytest's tmp_path: every pytest run sets
/tmp/pytest-of-<user> back to 0700, and a running PostgreSQL would lose its data folder.

Ports, from base_port: +0 primary, +1 replica, +2 PgBouncer (database `maillage`, the primary),
+3 Redis, +4 nginx, +5 the replica's PgBouncer (database `maillage_replica`), +10… app servers."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "maillage"
SECRET_KEY = "topologie-locale-" + "k" * 50  # the same on every app server: sessions and CSRF hold across


def postgres_bin() -> Path | None:
    """Debian's newest PostgreSQL server programs (or the ones on PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _program(name: str, *candidates: str) -> str | None:
    for path in candidates:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def missing_programs() -> list[str]:
    """The Debian packages this topology needs and the machine lacks (empty: all there)."""
    missing = []
    if postgres_bin() is None:
        missing.append("postgresql")
    if not _program("pgbouncer", "/usr/sbin/pgbouncer"):
        missing.append("pgbouncer")
    if not (_program("redis-server", "/usr/bin/redis-server") or _program("valkey-server", "/usr/bin/valkey-server")):
        missing.append("redis-server")
    if not _program("nginx", "/usr/sbin/nginx"):
        missing.append("nginx")
    return missing


def _as_root() -> bool:
    return os.geteuid() == 0


@dataclass
class _Server:
    """One started program: its process (the leader of its own process group) and how to stop it."""

    name: str
    process: subprocess.Popen
    stop_signal: int = signal.SIGTERM
    log: Path | None = None
    extra: dict = field(default_factory=dict)

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self) -> None:
        """Ask the program to stop, without waiting (stop() waits)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, self.stop_signal)

    def stop(self, timeout: float = 20) -> None:
        family = [(pid, _started(pid)) for pid in descendants(self.process.pid)] if self.alive() else []
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        # The leader gone, stragglers of its group (backends, workers) are killed.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for pid, started in family[1:]:
            # Only the very process seen before (same start time), never a reused id.
            if _started(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def _started(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[19]


def descendants(leader: int) -> list[int]:
    """The leader and every process under it. By parent, not by process group: PostgreSQL's
    backends each open their own session (setsid), out of the postmaster's group."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields are read after the last ")".
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [leader]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(found)


class TopologyError(RuntimeError):
    pass


class Topology:
    """Everything on 127.0.0.1, under `workdir`, each component a real Debian program:
    PostgreSQL primary (initdb, wal_level=replica), a streaming replica made with pg_basebackup -R,
    PgBouncer in transaction mode in front of the primary (and of the replica), redis-server, N
    gunicorn app servers (config.wsgi, gthread), and nginx as the load balancer (round robin over
    the app servers, X-Forwarded-For).

    `env` is added to every app server's environment (after the harness's own variables, so it may
    override them, e.g. MAILLAGE_CACHE_URL="" for the database cache)."""

    def __init__(
        self,
        workdir: Path,
        *,
        base_port: int,
        app_servers: int = 2,
        replica: bool = True,
        workers: int = 2,
        threads: int = 4,
        env: dict[str, str] | None = None,
    ):
        self.workdir = Path(workdir).resolve()
        self.base_port = base_port
        self.app_servers = app_servers
        self.replica = replica
        self.workers = workers
        self.threads = threads
        self.env = dict(env or {})
        self.bin = postgres_bin()
        self.primary_port = base_port
        self.replica_port = base_port + 1
        self.pgbouncer_port = base_port + 2
        self.pgbouncer_replica_port = base_port + 5
        self.redis_port = base_port + 3
        self.nginx_port = base_port + 4
        self.primary_url = f"postgres://{DATABASE}@127.0.0.1:{self.primary_port}/{DATABASE}"
        self.replica_url = f"postgres://{DATABASE}@127.0.0.1:{self.replica_port}/{DATABASE}" if replica else None
        self.pool_url = f"postgres://{DATABASE}@127.0.0.1:{self.pgbouncer_port}/{DATABASE}"
        self.replica_pool_url = (
            f"postgres://{DATABASE}@127.0.0.1:{self.pgbouncer_replica_port}/{DATABASE}_replica" if replica else None
        )
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.lb_url = f"http://127.0.0.1:{self.nginx_port}"
        self.media_root = self.workdir / "media"
        self.app_urls: list[str] = []
        self._servers: dict[str, _Server] = {}
        self._apps: list[str] = []  # names of the running app servers, in order
        self._replica_delay = 0.0

    # --- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> Topology:
        missing = missing_programs()
        if missing:
            raise TopologyError(f"programmes absents : {', '.join(missing)} (paquets Debian)")
        try:
            self.workdir.mkdir(parents=True, exist_ok=True)
            # A workdir used before starts afresh (a new cluster each time).
            for name in ("primary", "replica", "pgbouncer", "redis", "nginx", "logs", "media"):
                shutil.rmtree(self.workdir / name, ignore_errors=True)
            self.media_root.mkdir(exist_ok=True)
            if _as_root():
                self._open_path_to_postgres()
            self._init_primary()
            self._start_postgres("primary")
            self._create_database()
            if self.replica:
                self._base_backup()
                self._start_postgres("replica")
                self._wait_streaming()
            self._write_pgbouncer_config()
            self._start_pgbouncer()
            self._start_redis()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc) -> None:
        # The front first (no new work), the databases last; the app servers all told at once
        # (each takes a few seconds to let its threads go).
        for name in self._apps:
            if name in self._servers:
                self._servers[name].signal()
        for name in ["nginx", *reversed(self._apps), "redis", "pgbouncer_replica", "pgbouncer", "replica", "primary"]:
            server = self._servers.pop(name, None)
            if server is not None:
                began = time.monotonic()
                with contextlib.suppress(Exception):
                    server.stop()
                self._note(f"{name} arrêté en {time.monotonic() - began:.1f} s")
        self._apps = []
        self.app_urls = []

    # --- helpers ------------------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        if _as_root():
            postgres = pwd.getpwnam("postgres")
            os.chown(path, postgres.pw_uid, postgres.pw_gid)
        return path

    def _open_path_to_postgres(self) -> None:
        # The postgres user must be able to reach the workdir (pytest's and mktemp's folders are private).
        path = self.workdir
        while path != path.parent:
            mode = path.stat().st_mode
            if not mode & 0o001:
                path.chmod(mode | 0o001)
            path = path.parent

    def _note(self, line: str) -> None:
        with contextlib.suppress(OSError), (self.workdir / "logs" / "harness.log").open("a") as log:
            log.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    def _owner_kwargs(self) -> dict:
        if not _as_root():
            return {}
        return {"user": "postgres", "group": "postgres", "extra_groups": []}

    def _run_as_owner(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            check=False,
            **self._owner_kwargs(),
            **kwargs,
        )
        if run.returncode != 0:
            raise TopologyError(f"{' '.join(command)} a échoué :\n{run.stdout}\n{run.stderr}")
        return run

    def _spawn(self, name: str, command: list[str], *, as_owner=False, env=None, stop_signal=signal.SIGTERM):
        log = self.workdir / "logs" / f"{name}.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("ab") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT if not as_owner else self.workdir,
                env=env or {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **(self._owner_kwargs() if as_owner else {}),
            )
        server = _Server(name, process, stop_signal, log)
        self._servers[name] = server
        return server

    def _fail(self, server: _Server, what: str):
        tail = server.log.read_text(errors="replace")[-3000:] if server.log and server.log.exists() else ""
        raise TopologyError(f"{what} ({server.name}) :\n{tail}")

    def _wait_port(self, server: _Server, port: int, timeout: float = 30) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not server.alive():
                self._fail(server, "le programme s'est arrêté au démarrage")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
            time.sleep(0.05)
        self._fail(server, f"rien n'écoute sur le port {port}")

    def _wait_sql(self, server: _Server, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        error = None
        while time.monotonic() < deadline:
            if not server.alive():
                self._fail(server, "le serveur s'est arrêté au démarrage")
            try:
                with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.Error as exc:
                error = exc
                time.sleep(0.1)
        self._fail(server, f"pas de connexion SQL : {error}")

    def query(self, url: str, sql: str, params=None) -> list[tuple]:
        """One statement on one server, autocommit; the rows (empty for a statement without)."""
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _init_primary(self) -> None:
        data = self._dir("primary") / "data"
        self._run_as_owner(
            [
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-U",
                DATABASE,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        with (data / "postgresql.conf").open("a") as conf:
            # Durability is not what this topology tests; replication is.
            conf.write(
                "\n# tests/topology/harness.py\n"
                "wal_level = replica\nmax_wal_senders = 10\nwal_keep_size = '512MB'\nhot_standby = on\n"
                "fsync = off\nsynchronous_commit = off\nmax_connections = 300\n"
                "listen_addresses = '127.0.0.1'\n"
            )
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication replicator 127.0.0.1/32 trust\n")

    def _start_postgres(self, role: str) -> None:
        port = self.primary_port if role == "primary" else self.replica_port
        folder = self.workdir / role
        command = [str(self.bin / "postgres"), "-D", str(folder / "data"), "-p", str(port), "-k", str(folder)]
        # SIGINT: PostgreSQL's fast shutdown (sessions rolled back, no wait for clients).
        server = self._spawn(role, command, as_owner=True, stop_signal=signal.SIGINT)
        # The `postgres` database: the application's one is not made yet on a fresh primary.
        self._wait_sql(server, f"postgres://{DATABASE}@127.0.0.1:{port}/postgres")

    def _create_database(self) -> None:
        admin = f"postgres://{DATABASE}@127.0.0.1:{self.primary_port}/postgres"
        if not self.query(admin, "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]):
            self.query(admin, f"CREATE DATABASE {DATABASE}")
        if not self.query(admin, "SELECT 1 FROM pg_roles WHERE rolname = 'replicator'"):
            self.query(admin, "CREATE ROLE replicator WITH REPLICATION LOGIN")

    def _base_backup(self) -> None:
        data = self._dir("replica") / "data"
        self._run_as_owner(
            [
                str(self.bin / "pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "replicator", "-D", str(data)),
                *("-R", "-X", "stream", "-c", "fast"),
            ]
        )

    def _wait_streaming(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query(self.primary_url, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
            if rows[0][0]:
                return
            time.sleep(0.1)
        raise TopologyError("la réplique ne reçoit pas le flux du primaire")

    def wait_replica_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary wrote so far (with no apply delay)."""
        # The insert position, not the write position: with synchronous_commit off, a commit just
        # made may not be written yet, and the replica would look caught up without it.
        lsn = self.query(self.primary_url, "SELECT pg_current_wal_insert_lsn()")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query(self.replica_url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(lsn)])
            if rows[0][0]:
                return
            time.sleep(0.1)
        raise TopologyError("la réplique n'a pas rattrapé le primaire")

    # --- PgBouncer ----------------------------------------------------------------------------

    def _pools(self) -> dict[str, tuple[int, int, str]]:
        """PgBouncer instance -> (port, server port, query_wait_timeout). Two instances: PgBouncer
        holds a client while it cannot reach the server (query_wait_timeout, 120 s by default),
        which is right for the primary (a restart of a few seconds makes requests wait, not fail)
        and wrong for a replica (a stopped replica would hold every read for two minutes instead
        of sending it back to the primary): the replica's pool gives up after 2 s."""
        pools = {"pgbouncer": (self.pgbouncer_port, self.primary_port, 120)}
        if self.replica:
            pools["pgbouncer_replica"] = (self.pgbouncer_replica_port, self.replica_port, 2)
        return pools

    def _write_pgbouncer_config(self) -> None:
        folder = self._dir("pgbouncer")
        (folder / "userlist.txt").write_text(f'"{DATABASE}" ""\n')
        (folder / "userlist.txt").chmod(0o644)
        for name, (port, server_port, wait) in self._pools().items():
            database = DATABASE if name == "pgbouncer" else f"{DATABASE}_replica"
            config = folder / f"{name}.ini"
            config.write_text(
                f"[databases]\n{database} = host=127.0.0.1 port={server_port} dbname={DATABASE}\n\n"
                "[pgbouncer]\n"
                f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
                f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\n"
                "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 40\n"
                f"server_login_retry = 1\nserver_connect_timeout = 5\nquery_wait_timeout = {wait}\n"
                # psycopg sends these at connection; PgBouncer would refuse an unknown startup parameter.
                "ignore_startup_parameters = extra_float_digits,options\n"
                f"admin_users = {DATABASE}\n"
            )
            config.chmod(0o644)

    def _start_pgbouncer(self) -> None:
        pgbouncer = _program("pgbouncer", "/usr/sbin/pgbouncer")
        for name, (port, _, _) in self._pools().items():
            # SIGTERM: immediate shutdown (SIGINT would wait for the clients to leave).
            server = self._spawn(name, [pgbouncer, str(self.workdir / "pgbouncer" / f"{name}.ini")], as_owner=True)
            self._wait_port(server, port)

    def restart_pgbouncer(self) -> None:
        """Stop PgBouncer (both pools: client and server connections cut) and start it again on the
        same ports."""
        for name in self._pools():
            self._servers.pop(name).stop()
        self._start_pgbouncer()

    # --- Redis --------------------------------------------------------------------------------

    def _start_redis(self) -> None:
        program = _program("redis-server", "/usr/bin/redis-server") or _program(
            "valkey-server", "/usr/bin/valkey-server"
        )
        folder = self.workdir / "redis"
        folder.mkdir(exist_ok=True)
        command = [
            program, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(folder),
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxmemory", "256mb",
        ]  # fmt: skip
        server = self._spawn("redis", command)
        self._wait_port(server, self.redis_port)

    def stop_redis(self) -> None:
        server = self._servers.pop("redis", None)
        if server:
            server.stop()

    def start_redis(self) -> None:
        if "redis" not in self._servers:
            self._start_redis()

    # --- the app servers and the load balancer ------------------------------------------------

    def app_env(self, index: int, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of app server `index` (1-based): the whole topology by its addresses."""
        var = self.workdir / f"app{index}" / "var"
        var.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "MAILLAGE_", "DJANGO_", "PYTEST"))
        }
        env.update(
            {
                "DATABASE_URL": self.pool_url,
                "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
                "MAILLAGE_CACHE_URL": self.redis_url,
                "MAILLAGE_MEDIA_ROOT": str(self.media_root),
                "MAILLAGE_VAR_DIR": str(var),
                "MAILLAGE_TRUSTED_PROXIES": "1",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECRET_KEY": SECRET_KEY,
                "DJANGO_DEBUG": "0",
                "MAILLAGE_DEMO_RELAX_MFA": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.replica:
            env["DATABASE_REPLICA_URLS"] = self.replica_pool_url
        env.update(self.env)
        env.update(extra or {})
        return env

    def start_apps(self, count: int | None = None, env: dict[str, str] | None = None) -> list[str]:
        """Start `count` gunicorn servers (default: app_servers) and nginx in front; their URLs."""
        self.stop_apps()
        count = self.app_servers if count is None else count
        for index in range(1, count + 1):
            port = self.base_port + 9 + index
            command = [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(self.workers), "--threads", str(self.threads),
                "--worker-class", "gthread", "--no-control-socket", "--graceful-timeout", "5",
                "--timeout", "60", "--access-logfile", "-",
            ]  # fmt: skip
            name = f"app{index}"
            # SIGQUIT: gunicorn's quick shutdown (SIGTERM would wait for the graceful timeout).
            self._spawn(name, command, env=self.app_env(index, env), stop_signal=signal.SIGQUIT)
            self._apps.append(name)
            self.app_urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90
        for name, url in zip(self._apps, self.app_urls, strict=True):
            self._wait_http(self._servers[name], url + "/healthz", deadline)
        self._start_nginx()
        return list(self.app_urls)

    def _wait_http(self, server: _Server, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not server.alive():
                self._fail(server, "le serveur d'application s'est arrêté au démarrage")
            try:
                with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own http:// URL)
                    return
            except urllib.error.HTTPError:
                return  # it answers (503: no periodic run yet on this database)
            except OSError:
                time.sleep(0.1)
        self._fail(server, f"{url} ne répond pas")

    def _start_nginx(self) -> None:
        folder = self.workdir / "nginx"
        folder.mkdir(exist_ok=True)
        temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir(exist_ok=True)
        servers = "".join(f"server {url.removeprefix('http://')};" for url in self.app_urls)
        # As root, the workers keep root's identity: the temporary folders are ours.
        user = "user root root;" if _as_root() else ""
        (folder / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    client_max_body_size 25m;
    # nginx must drop an idle connection before gunicorn does (its keep-alive is 2 s): a POST
    # sent on a connection gunicorn has just closed is not retried, and the client gets a 502.
    upstream maillage {{ {servers} keepalive 64; keepalive_timeout 1s; }}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        location / {{
            proxy_pass http://maillage;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""
        )
        nginx = _program("nginx", "/usr/sbin/nginx")
        command = [nginx, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")]
        server = self._spawn("nginx", command)  # SIGTERM: nginx's fast shutdown
        self._wait_port(server, self.nginx_port)

    def stop_apps(self) -> None:
        server = self._servers.pop("nginx", None)
        if server:
            server.stop()
        for name in self._apps:
            self._servers[name].signal()
        for name in reversed(self._apps):
            self._servers.pop(name).stop()
        self._apps = []
        self.app_urls = []

    # --- data ---------------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 600) -> str:
        """manage.py on the primary, directly (no pool): migrations and bulk loads."""
        env = self.app_env(0, {"DATABASE_URL": self.primary_url})
        env.pop("DATABASE_REPLICA_URLS", None)
        env["MAILLAGE_CACHE_URL"] = ""  # no need for Redis to migrate
        run = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if run.returncode != 0:
            raise TopologyError(f"manage.py {' '.join(args)} a échoué :\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}")
        return run.stdout

    def migrate(self, *, reference: bool = True) -> None:
        """manage.py migrate + install_reference on the primary (reference=False: the schema only)."""
        self.manage("migrate", "--noinput", "-v", "0")
        if reference:
            self.manage("install_reference")

    # --- faults -------------------------------------------------------------------------------

    def stop_replica(self) -> None:
        server = self._servers.pop("replica", None)
        if server:
            server.stop()

    def start_replica(self) -> None:
        if self.replica and "replica" not in self._servers:
            self._start_postgres("replica")

    def set_replica_delay(self, seconds: float) -> None:
        """recovery_min_apply_delay on the replica (a reload, no restart): commits reach it late."""
        self.query(self.replica_url, f"ALTER SYSTEM SET recovery_min_apply_delay = '{int(seconds * 1000)}ms'")
        self.query(self.replica_url, "SELECT pg_reload_conf()")
        time.sleep(0.5)  # the reload is a signal: let the startup process read its new setting
        self._replica_delay = seconds

    def restart_primary(self) -> None:
        """Fast shutdown (sessions cut, transactions rolled back) and start again on the same port."""
        self._servers.pop("primary").stop()
        self._start_postgres("primary")

    # --- measurement --------------------------------------------------------------------------

    def pids(self) -> dict[str, list[int]]:
        """Component name (primary, replica, pgbouncer, pgbouncer_replica, redis, nginx, app1, app2…) -> its process ids,
        the leader and its children (PostgreSQL backends, gunicorn workers)."""
        return {name: descendants(server.process.pid) for name, server in self._servers.items() if server.alive()}

    def xact_commits(self) -> dict[str, int]:
        """pg_stat_database.xact_commit of the application's database on the primary and the replica
        (each server counts the transactions it ran; this reading adds one or two)."""
        sql = "SELECT xact_commit FROM pg_stat_database WHERE datname = %s"
        counts = {"primary": self.query(self.primary_url, sql, [DATABASE])[0][0]}
        if self.replica and "replica" in self._servers:
            counts["replica"] = self.query(self.replica_url, sql, [DATABASE])[0][0]
        return counts
