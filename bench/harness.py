"""What every benchmark shares: one PostgreSQL, API keys, server processes (started, found, measured,
stopped) and the load generator (wrk, a C program on its own core-share, so the client is not the bottleneck)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from service.domain.keys import generate_key
from service.store import keys as key_store
from service.store.migrations import migrate

ROOT = Path(__file__).resolve().parents[1]


class Database:
    """DATABASE_URL when set, else an embedded PostgreSQL (pgserver) in a temporary directory."""

    def __init__(self) -> None:
        self._server: Any = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.url = os.environ.get("DATABASE_URL", "")
        if not self.url:
            import pgserver

            self._dir = tempfile.TemporaryDirectory(prefix="factmark-bench-")
            self._server = pgserver.get_server(Path(self._dir.name) / "pg", cleanup_mode="stop")  # type: ignore[attr-defined]
            self.url = self._server.get_uri()
        asyncio.run(self._run(migrate))

    async def _run(self, action: Any, *args: Any) -> Any:
        connection = await asyncpg.connect(self.url)
        try:
            return await action(connection, *args)
        finally:
            await connection.close()

    def run(self, action: Any, *args: Any) -> Any:
        """`await action(connection, *args)` on a fresh connection."""
        return asyncio.run(self._run(action, *args))

    def create_key(self, tenant: str) -> tuple[str, uuid.UUID]:
        """A read/write key for a tenant named `tenant` (created if new): (bearer token, tenant id)."""
        key = generate_key()

        async def create(connection: asyncpg.Connection) -> uuid.UUID:
            async with connection.transaction():
                tenant_id = await key_store.ensure_tenant(connection, tenant)
                await key_store.insert_key(connection, tenant_id, key, ("read", "write"))
            return tenant_id

        return key.token, self.run(create)

    def close(self) -> None:
        self._server = None  # cleanup_mode="stop": the server stops when its last handle goes
        if self._dir is not None:
            self._dir.cleanup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    """An HTTP server process (the service, a baseline, a peer) on 127.0.0.1:port, in its own process group."""

    name: str
    command: list[str]
    port: int
    workers: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    requests: int = 0
    """Requests the load generator sent it so far (for the memory-after-N-requests figure)."""
    rss_at_rest: list[float] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> Server:
        log = open(log_dir / f"{self.name}.log", "wb")  # noqa: SIM115 - the process keeps it
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {log_dir / (self.name + '.log')}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as answer:
                    if answer.status == 200 and len(self.worker_pids()) == self.workers:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{self.name} did not come up; see {log_dir / (self.name + '.log')}")
        time.sleep(1.0)  # let every worker finish its start-up (pool, imports) before measuring rest
        self.rss_at_rest = self.rss()
        return self

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's spawned workers, or the server itself with one worker."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        pending, workers = [self.process.pid], []
        while pending:
            for child in _children(pending.pop()):
                pending.append(child)
                command = _cmdline(child)
                if "spawn_main" in command and "resource_tracker" not in command:
                    workers.append(child)
        return workers

    def rss(self) -> list[float]:
        return [rss_mib(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def service_server(database_url: str, workers: int = 1, page_cache: bool = False) -> Server:
    """`factmark serve` (as `python -m service serve`) on the bench database. Without `page_cache` every read
    renders its page (the sections that measure the rendering path); the strict and hot sections turn it on."""
    port = free_port()
    env = {"DATABASE_URL": database_url, "FACTMARK_RATE_LIMIT_PER_MINUTE": "0"}
    if not page_cache:
        env["FACTMARK_PAGE_CACHE_BYTES"] = "0"
    return Server(
        f"factmark-w{workers}",
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", str(workers)],
        port,
        workers,
        # The per-key rate limit (1,200 a minute by default) would answer most benchmark requests 429.
        env,
    )


def granian_server(database_url: str) -> Server:
    """The service's app under granian (one worker, uvloop), to choose the ASGI server by measurement."""
    port = free_port()
    command = [
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", "1", "--loop", "uvloop", "--log-level", "warning",
        "service.app:create_app_from_environment",
    ]  # fmt: skip
    return Server(
        "factmark-granian",
        command,
        port,
        1,
        {"DATABASE_URL": database_url, "FACTMARK_RATE_LIMIT_PER_MINUTE": "0", "FACTMARK_PAGE_CACHE_BYTES": "0"},
    )


def uvicorn_server(
    name: str, app: str, database_url: str, extra_env: dict[str, str], workers: int = 1, factory: bool = False
) -> Server:
    """An ASGI app under plain uvicorn with the flags `factmark serve` gives uvicorn (service/server.py), less its
    header timeout and connection cap."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *(["--factory"] if factory else []),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "info",
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "20",
    ]
    return Server(name, command, port, workers, {"DATABASE_URL": database_url, **extra_env})


# ---------------------------------------------------------------- load


@dataclass(frozen=True)
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    """Non-2xx answers and socket errors: any makes the figure worthless, and the table says so."""


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT_MS[unit]


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("bench: needs wrk (apt-get install -y wrk; brew install wrk)")
    return path


def wrk(url: str, token: str, seconds: float, connections: int) -> Load:
    """`wrk -t1 -c<connections>` for `seconds` against `url` with the bearer token; keep-alive HTTP/1.1."""
    out = subprocess.run(
        [
            wrk_path(),
            "-t1",
            f"-c{connections}",
            f"-d{math.ceil(seconds)}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    if socket_errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(rps, p50, p99, requests, errors)


def measure(server: Server, url: str, token: str, warmup: float, seconds: float, connections: int) -> Load:
    """Warm up, then measure; both count towards the server's request total."""
    warm = wrk(url, token, warmup, connections)
    load = wrk(url, token, seconds, connections)
    server.requests += warm.requests + load.requests
    return Load(load.requests_per_s, load.p50_ms, load.p99_ms, load.requests, load.errors + warm.errors)


def load_until(server: Server, url: str, token: str, total: int, requests_per_s: float, connections: int) -> None:
    """Keep loading `url` until the server has had `total` requests (for memory after N requests)."""
    while server.requests < total:
        seconds = max(1.0, (total - server.requests) / max(requests_per_s, 1.0) * 1.1)
        server.requests += wrk(url, token, math.ceil(seconds), connections).requests
