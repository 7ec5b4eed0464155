"""The load client of bench/load.py: one process (started by it, apart from the servers so that it
takes none of their Python time) running `concurrency` virtual users on asyncio for a fixed
duration. Each user keeps one HTTP/1.1 keep-alive connection and its own cookies, and draws each
request's kind from the mix (load.MIX) and its target from the plan (bench/_load_data.prepare).

    python bench/_load_client.py PLAN.json RESULT.json --base URL --concurrency N --duration S
        --warmup S --index I --seed N [--pairs START:END]

Writes, for the requests that began after the warm-up: per kind the latencies and the statuses;
the errors (5xx, a connection refused or cut: must be none) with examples; the desk bookings sent;
the client's own CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import MIX

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EXPECTED = {"desk booking": {302}}  # every other kind: 200


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, list, bytes]:
        fresh = self.writer is None
        if fresh:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            if fresh:
                raise
            # A kept-alive connection the server had closed while idle: the request never reached it.
            return await self.request(method, path, headers, body)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        received = [(k.strip().lower(), v.strip()) for k, _, v in (h.partition(":") for h in header_lines if h)]
        values = dict(received)
        if "content-length" in values:
            content = await self.reader.readexactly(int(values["content-length"]))
        elif values.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                content += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            content = await self.reader.read()
            self.close()
        if values.get("connection", "").lower() == "close":
            self.close()
        return status, received, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def cookies_from(received: list) -> dict:
    jar = SimpleCookie()
    for key, value in received:
        if key == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


class User:
    """A virtual user: its connection, and a cookie jar per identity (anonymous, coordinator, desk)."""

    def __init__(self, n: int, plan: dict, connection: Connection, rng: random.Random, pairs: list):
        self.plan, self.connection, self.rng, self.pairs = plan, connection, rng, pairs
        coordinators = plan["coordinators"]
        self.coordinator = coordinators[n % len(coordinators)] if coordinators else None
        self.jars = {
            "anonymous": {},
            "coordinator": {"sessionid": self.coordinator["session"]} if self.coordinator else {},
            "desk": {"sessionid": plan["desk"]["sessions"][n % len(plan["desk"]["sessions"])]},
        }
        self.token = ""
        self.last = ""

    async def send(self, jar: str, method: str, path: str, body: dict | None = None, headers=None):
        cookies = self.jars[jar]
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = b""
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode(body).encode()
        self.last = f"{method} {path[:120]}"
        status, received, content = await self.connection.request(method, path, headers, data)
        cookies.update(cookies_from(received))
        return status, content

    async def desk_token(self) -> None:
        """The desk's CSRF cookie and form token, from a request's page, as a browser has them."""
        status, content = await self.send("desk", "GET", self.plan["desk"]["token_page"])
        found = TOKEN.search(content.decode("utf-8", "replace"))
        if status != 200 or not found or "csrftoken" not in self.jars["desk"]:
            raise RuntimeError(f"the desk's page answered {status} without a CSRF token: {content[:300]!r}")
        self.token = found.group(1)

    async def one(self, kind: str) -> int:
        """Sends one request of `kind`; its status. `self.last` is what was asked (for the errors)."""
        plan, pick = self.plan, self.rng.choice
        if kind == "public CPTS page":
            return (await self.send("anonymous", "GET", pick(plan["public"])))[0]
        if kind == "public directory search":
            return (await self.send("anonymous", "GET", pick(plan["directory"])))[0]
        if kind == "FHIR Practitioner by name":
            return (await self.send("anonymous", "GET", pick(plan["practitioner"])))[0]
        if kind == "FHIR PractitionerRole by organization":
            return (await self.send("anonymous", "GET", pick(plan["role"])))[0]
        if kind == "SAS slot search":
            auth = {"Authorization": f"Bearer {plan['sas_key']}"}
            return (await self.send("anonymous", "GET", pick(plan["sas"]), headers=auth))[0]
        if kind == "coordinator page":
            return (await self.send("coordinator", "GET", pick(self.coordinator["paths"])))[0]
        if kind == "desk booking":
            if not self.token:
                await self.desk_token()
            request_pk, slot_pk = self.pairs.pop()
            body = {"csrfmiddlewaretoken": self.token, "slot": slot_pk, "confirme": "1", "hors_delai": "1"}
            path = f"/c/{plan['desk']['slug']}/snp/{request_pk}/reserver/"
            return (await self.send("desk", "POST", path, body))[0]
        raise ValueError(kind)


async def run(plan: dict, options) -> dict:
    parts = urlsplit(options.base)
    start, end = (int(x) for x in options.pairs.split(":"))
    pairs = [tuple(p) for p in plan["desk"]["pairs"][start:end]]
    pairs.reverse()  # popped from the end: taken in the plan's order
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    if not plan["coordinators"]:
        weights[kinds.index("coordinator page")] = 0
    figures = {k: {"latencies": [], "statuses": {}} for k in kinds}
    errors: list[str] = []
    counts = {"errors": 0, "bookings_sent": 0, "requests": 0}
    began = time.perf_counter()
    record_from, stop_at = began + options.warmup, began + options.warmup + options.duration

    async def user(n: int) -> None:
        rng = random.Random(options.seed * 1000 + n)
        me = User(n, plan, Connection(parts.hostname, parts.port), rng, pairs)
        try:
            while time.perf_counter() < stop_at:
                kind = rng.choices(kinds, weights)[0]
                if kind == "desk booking" and not pairs:
                    continue  # this run's slots are all taken: the others go on
                t0 = time.perf_counter()
                try:
                    status = await me.one(kind)
                except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError) as exc:
                    status, detail = 0, f"{kind}: {type(exc).__name__} {exc} ({me.last})"[:300]
                    me.connection.close()
                else:
                    detail = f"{kind}: HTTP {status} ({me.last})"
                took = time.perf_counter() - t0
                if kind == "desk booking":
                    counts["bookings_sent"] += 1
                if t0 < record_from:
                    continue
                counts["requests"] += 1
                entry = figures[kind]
                entry["latencies"].append(took * 1000)
                entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1
                if status == 0 or status >= 500:
                    counts["errors"] += 1
                    if len(errors) < 20:
                        errors.append(detail)
        finally:
            me.connection.close()

    await asyncio.gather(*(user(n) for n in range(options.concurrency)))
    times = os.times()
    return {
        "kinds": figures,
        "errors": counts["errors"],
        "error_samples": errors,
        "bookings_sent": counts["bookings_sent"],
        "pairs_used": end - start - len(pairs),
        "requests": counts["requests"],
        "seconds": options.duration,
        "cpu": times.user + times.system,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bench/load.py's load client")
    parser.add_argument("plan")
    parser.add_argument("result")
    parser.add_argument("--base", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--warmup", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pairs", default="0:0")
    options = parser.parse_args(argv)
    plan = json.loads(Path(options.plan).read_text(encoding="utf-8"))
    figures = asyncio.run(run(plan, options))
    Path(options.result).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
