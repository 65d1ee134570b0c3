#!/usr/bin/env python
"""Load test: gunicorn on PostgreSQL under concurrent reads and writes, optionally while
PostgreSQL restarts.

    DATABASE_URL=postgres://registry:registry@127.0.0.1:5432/registry \\
        .venv/bin/python bench/load_test.py --duration 60 --clients 32
    ... bench/load_test.py --restart-postgres --pg-cluster "15 main"

It creates (and at the end drops) the database ``<name>_load`` next to the one in
``DATABASE_URL`` (the role needs ``CREATEDB``), migrates it, starts gunicorn on 127.0.0.1
with DEBUG off, and runs ``--clients`` threads for ``--duration`` seconds against the REST
API with a bearer token. Each call is one of:

- a read: a filtered list or a detail;
- an ``If-Match`` update of one of a few shared rows, adding one to its
  ``vram_required_mb`` (a 412 is a refused stale write, not an error);
- a create with a unique name;
- a create with a name from a small pool that every client uses (all but the first get 400).

Then it counts from the database: a shared row whose counter is below the number of
accepted increments lost an update; a pool name held by more than one row, or given 201
more than once, is a duplicate. With ``--restart-postgres`` it runs
``pg_ctlcluster <cluster> restart`` a third of the way in: during the outage every 5xx must
be a 503 JSON body ``{"detail", "errors"}`` with ``Retry-After``, and after it calls must
succeed again without restarting gunicorn. Restarting a cluster others use disturbs them:
point ``DATABASE_URL`` and ``--pg-cluster`` at a cluster of your own.

Only 127.0.0.1 is contacted; the run is bounded (at most 600 s and 64 clients). The exit
status is 1 when any of these checks fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_DURATION = 600
MAX_CLIENTS = 64
PREFIX = "load-"
MIX = (("read", 0.55), ("increment", 0.25), ("create", 0.13), ("collide", 0.07))


@dataclass
class Call:
    kind: str
    started: float
    status: int  # 0: no HTTP answer (connection refused, timeout)
    json_error: bool = True  # an error status with a {"detail", "errors"} body
    retry_after: bool = False
    finished: float = 0.0


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    increments: Counter = field(default_factory=Counter)
    unknown_increments: Counter = field(default_factory=Counter)
    collide_created: Counter = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--shared-rows", type=int, default=8)
    parser.add_argument("--pool", type=int, default=20, help="names every client tries")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--pg-cluster", default="15 main", help='e.g. "15 main"')
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1.0), MAX_DURATION)
    args.clients = min(max(args.clients, 1), MAX_CLIENTS)
    url = urlsplit(args.database_url)
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        parser.error("DATABASE_URL (or --database-url) must name a PostgreSQL database")
    if url.hostname not in LOCAL_HOSTS:
        parser.error("the load test only runs against a PostgreSQL on 127.0.0.1")
    return args


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_dsn(url: str) -> str:
    return with_database(url, "postgres").replace("postgres://", "postgresql://", 1)


def create_database(url: str, name: str) -> None:
    with psycopg.connect(admin_dsn(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(admin_dsn(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registry_site.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # One token for all clients: the per-user API rate would throttle the test itself.
        "API_THROTTLE_USER": "10000000/minute",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


SETUP = """
from django.contrib.auth.models import User
from inventory.models import ApiToken
user = User.objects.create_superuser("load-bench", password=None)
print(ApiToken.issue(user, "load-bench")[1])
"""

VERIFY = """
import json
from django.db.models import Count
from django.db.models.functions import Lower
from inventory.models import Engine, RegisteredModel
shared = dict(
    RegisteredModel.objects.filter(name__startswith="load-shared-")
    .values_list("name", "vram_required_mb")
)
pool = list(
    Engine.objects.filter(name__startswith="load-collide-")
    .annotate(key=Lower("name")).values("key").annotate(n=Count("id")).filter(n__gt=1)
    .values_list("key", "n")
)
created = set(
    RegisteredModel.objects.filter(name__startswith="load-u-").values_list("name", flat=True)
)
print(json.dumps({"shared": shared, "pool_duplicates": pool, "created": sorted(created)}))
"""


def start_gunicorn(env: dict[str, str], port: int, args: argparse.Namespace, log: Path):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "registry_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    handle = log.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)


def wait_until_up(base: str, headers: dict[str, str], deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/capabilities/", headers=headers, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def is_json_error(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and {"detail", "errors"} <= set(body)


class Client(threading.Thread):
    def __init__(self, number: int, base: str, token: str, plan: dict[str, Any], tally: Tally):
        super().__init__(daemon=True)
        self.number = number
        self.base = base
        self.plan = plan
        self.tally = tally
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.random = random.Random(number)
        self.sequence = 0

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, timeout=15, **kwargs)
        except requests.RequestException:
            self.tally.add(Call(kind, started, 0, json_error=False, finished=time.monotonic()))
            return None
        error = response.status_code >= 400
        self.tally.add(
            Call(
                kind,
                started,
                response.status_code,
                json_error=is_json_error(response) if error else True,
                retry_after=bool(response.headers.get("Retry-After")),
                finished=time.monotonic(),
            )
        )
        return response

    def run(self) -> None:
        kinds, weights = zip(*MIX, strict=True)
        while time.monotonic() < self.plan["deadline"]:
            kind = self.random.choices(kinds, weights)[0]
            getattr(self, kind)()

    def read(self) -> None:
        if self.random.random() < 0.5:
            row = self.random.choice(self.plan["shared"])
            self.call("read", "GET", f"/api/v1/model-registry/{row}/")
        else:
            params = self.random.choice(
                [
                    {"page_size": 50},
                    {"name": "shared", "sort": "-name"},
                    {"engine_id": self.plan["engine"], "page": 1, "page_size": 20},
                    {"q": "load-u-1"},
                ]
            )
            self.call("read", "GET", "/api/v1/model-registry/", params=params)

    def increment(self) -> None:
        row = self.random.choice(self.plan["shared"])
        current = self.call("increment", "GET", f"/api/v1/model-registry/{row}/")
        if current is None or current.status_code != 200:
            return
        value = current.json()["vram_required_mb"] or 0
        response = self.call(
            "increment",
            "PATCH",
            f"/api/v1/model-registry/{row}/",
            json={"vram_required_mb": value + 1},
            headers={"If-Match": current.headers["ETag"]},
        )
        with self.tally.lock:
            if response is None or response.status_code >= 500:
                self.tally.unknown_increments[row] += 1
            elif response.status_code == 200:
                self.tally.increments[row] += 1

    def create(self) -> None:
        self.sequence += 1
        name = f"{PREFIX}u-{self.number}-{self.sequence}"
        payload = {"name": name, "engine_id": self.plan["engine"], "capabilities": ["chat"]}
        response = self.call("create", "POST", "/api/v1/model-registry/", json=payload)
        if response is not None and response.status_code == 201:
            with self.tally.lock:
                self.tally.created.append(name)

    def collide(self) -> None:
        name = f"{PREFIX}collide-{self.random.randrange(self.plan['pool'])}"
        payload = {"name": name, "provider": "ollama"}
        response = self.call("collide", "POST", "/api/v1/engine-registry/", json=payload)
        if response is not None and response.status_code == 201:
            with self.tally.lock:
                self.tally.collide_created[name] += 1


@dataclass
class Restart:
    started: float = 0.0
    finished: float = 0.0
    output: str = ""


def restart_later(cluster: str, at: float, restart: Restart) -> threading.Thread:
    def run() -> None:
        time.sleep(max(0.0, at - time.monotonic()))
        restart.started = time.monotonic()
        result = subprocess.run(
            ["pg_ctlcluster", *cluster.split(), "restart"], capture_output=True, text=True
        )
        restart.finished = time.monotonic()
        restart.output = (result.stdout + result.stderr).strip()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def workers_rss_mb(master: int) -> list[float]:
    """Resident memory (MB) of each gunicorn worker: the master's child processes."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes += [int(line.split()[1]) / 1024 for line in status.splitlines() if "VmRSS" in line]
    return sizes


def sample_memory(
    master: int, until: float, samples: list[tuple[float, float]]
) -> threading.Thread:
    """Every second until ``until``: (seconds since start, largest worker's RSS in MB)."""

    def run() -> None:
        started = time.monotonic()
        while time.monotonic() < until:
            sizes = workers_rss_mb(master)
            if sizes:
                samples.append((time.monotonic() - started, max(sizes)))
            time.sleep(1.0)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def seed(base: str, headers: dict[str, str], shared_rows: int) -> dict[str, Any]:
    engine = requests.post(
        f"{base}/api/v1/engine-registry/",
        json={"name": f"{PREFIX}engine", "provider": "ollama"},
        headers=headers,
        timeout=15,
    )
    engine.raise_for_status()
    engine_id = engine.json()["id"]
    shared = []
    for index in range(shared_rows):
        row = requests.post(
            f"{base}/api/v1/model-registry/",
            json={"name": f"{PREFIX}shared-{index}", "engine_id": engine_id, "vram_required_mb": 0},
            headers=headers,
            timeout=15,
        )
        row.raise_for_status()
        shared.append(row.json()["id"])
    return {"engine": engine_id, "shared": shared}


def report(
    args: argparse.Namespace,
    tally: Tally,
    plan: dict,
    restart: Restart | None,
    verified: dict,
    elapsed: float,
) -> bool:
    calls = tally.calls
    by_status = Counter(call.status for call in calls)
    ok = True

    def line(label: str, value: Any) -> None:
        print(f"  {label:<34} {value}")

    print(
        f"\nload test: {args.clients} clients, {elapsed:.0f} s, gunicorn "
        f"{args.workers}x{args.threads}, PostgreSQL"
    )
    line("requests", f"{len(calls)} ({len(calls) / elapsed:.0f}/s)")
    memory = plan.get("memory") or []
    if memory:
        tenth = max(1, len(memory) // 10)
        first = max(size for _, size in memory[:tenth])
        last = max(size for _, size in memory[-tenth:])
        line(
            "largest worker RSS MB",
            f"{first:.0f} in the first tenth, {last:.0f} in the last, "
            f"{max(size for _, size in memory):.0f} at most",
        )
    line("by kind", dict(Counter(call.kind for call in calls)))
    line("by status", dict(sorted(by_status.items())))

    window = (0.0, 0.0)

    def in_outage(call: Call) -> bool:
        """The call overlaps the outage: in flight when the restart began, or started
        before the first success after it."""
        return call.started < window[1] and call.finished >= window[0]

    if restart is not None:
        recovered = next(
            (
                c.started
                for c in sorted(calls, key=lambda c: c.started)
                if c.started >= restart.finished and 200 <= c.status < 300
            ),
            None,
        )
        end = recovered if recovered is not None else float("inf")
        window = (restart.started, end)
        during = [c for c in calls if in_outage(c)]
        unavailable = [c for c in during if c.status == 503]
        bad_during = [
            c
            for c in during
            if c.status == 0
            or (c.status >= 500 and not (c.status == 503 and c.json_error and c.retry_after))
        ]
        line(
            "restart took", f"{restart.finished - restart.started:.1f} s ({restart.output or 'ok'})"
        )
        line(
            "service back after restart",
            "never" if recovered is None else f"{recovered - restart.finished:.2f} s",
        )
        line("calls during the outage", len(during))
        line("  503 JSON with Retry-After", len(unavailable))
        line("  other failures", len(bad_during))
        ok &= recovered is not None and not bad_during
        after = [c for c in calls if c.started >= end]
        after_ok = sum(1 for c in after if 200 <= c.status < 300)
        line("calls after recovery (2xx)", f"{len(after)} ({after_ok})")

    outside = [c for c in calls if not in_outage(c)]
    server_errors = [c for c in outside if c.status >= 500 or c.status == 0]
    non_json = [c for c in calls if c.status >= 400 and not c.json_error]
    line("5xx (or no answer) outside outage", len(server_errors))
    line("error bodies that are not JSON", len(non_json))

    lost = extra = 0
    for row, value in verified["shared"].items():
        row_id = next(
            i for i, name in zip(plan["shared"], plan["names"], strict=True) if name == row
        )
        accepted = tally.increments[row_id]
        unknown = tally.unknown_increments[row_id]
        lost += max(0, accepted - (value or 0))
        extra += max(0, (value or 0) - accepted - unknown)
    line("accepted increments", sum(tally.increments.values()))
    line("412 (stale If-Match refused)", by_status.get(412, 0))
    line("lost updates", lost)
    line("unexplained extra increments", extra)
    duplicate_201 = {name: n for name, n in tally.collide_created.items() if n > 1}
    line("pool names created", f"{len(tally.collide_created)} of {args.pool}")
    line(
        "duplicates (201 twice / rows)",
        f"{len(duplicate_201)} / {len(verified['pool_duplicates'])}",
    )
    missing = set(tally.created) - set(verified["created"])
    line("unique creates (201, missing)", f"{len(tally.created)}, {len(missing)}")
    ok &= not server_errors and not non_json and lost == 0 and extra == 0
    ok &= not duplicate_201 and not verified["pool_duplicates"] and not missing
    print("  result", " " * 27, "PASS" if ok else "FAIL")
    return ok


def main() -> int:
    args = arguments()
    name = (urlsplit(args.database_url).path.lstrip("/") or "registry") + "_load"
    database_url = with_database(args.database_url, name)
    create_database(args.database_url, name)
    env = app_environment(database_url)
    server = None
    try:
        manage(env, "migrate", "--verbosity", "0")
        token = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        log = Path(tempfile.gettempdir()) / f"load_test_gunicorn_{port}.log"
        server = start_gunicorn(env, port, args, log)
        wait_until_up(base, headers, time.monotonic() + 60)
        plan = seed(base, headers, args.shared_rows)
        plan["names"] = [f"{PREFIX}shared-{index}" for index in range(args.shared_rows)]
        plan["pool"] = args.pool
        tally = Tally()
        started = time.monotonic()
        plan["deadline"] = started + args.duration
        restart = None
        if args.restart_postgres:
            restart = Restart()
            restarter = restart_later(args.pg_cluster, started + args.duration / 3, restart)
        plan["memory"] = []
        sampler = sample_memory(server.pid, plan["deadline"], plan["memory"])
        clients = [Client(n, base, token, plan, tally) for n in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(args.duration + 60)
        elapsed = time.monotonic() - started
        sampler.join(5)
        if restart is not None:
            restarter.join(120)
        alive = server.poll() is None
        verified = json.loads(manage(env, "shell", "-c", VERIFY).strip().splitlines()[-1])
        ok = report(args, tally, plan, restart, verified, elapsed)
        print(f"  gunicorn still the same process    {'yes' if alive else 'NO'} (log: {log})")
        return 0 if ok and alive else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            drop_database(args.database_url, name)


if __name__ == "__main__":
    sys.exit(main())
