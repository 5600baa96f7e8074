"""The benchmark sections. Each measures the service and its baseline (or peer) in the same run, with the same
server flags, the same load and the same data, and adds rows to one table."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import importlib.util
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import msgspec
import psutil

from bench import hot
from bench.data import article_request
from bench.harness import (
    ROOT,
    Database,
    Load,
    Server,
    granian_server,
    load_until,
    measure,
    service_server,
    uvicorn_server,
)
from service.store.annotations import INSERT_COLUMNS

READ_ANNOTATIONS = 200
WRITE_ANNOTATIONS = 1000
ARTICLE_URL = "https://news.example.com/2026/11/baltic-grain-ports"
# The browser extension's first call, with everything a shared link picks up on its way.
MESSY_URL = (
    "HTTP://News.Example.com:80/2026/11/baltic-grain-ports/?utm_source=twitter&utm_medium=social&fbclid=IwAR0x#top"
)


@dataclass
class Settings:
    warmup: float = 2.0
    seconds: float = 6.0
    connections: int = 64
    write_requests: int = 10
    memory_requests: int = 10_000
    rounds: int = 3
    """Interleaved rounds of each pair in the strict and hot sections."""
    memory_all_workers: bool = False
    """Load every worker count to `memory_requests` (slow: `python -m bench scaling` does); else only 1 worker."""


@dataclass
class Row:
    section: str
    subject: str
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    ms: float | None = None
    ratio: str = ""
    note: str = ""


@dataclass
class Context:
    settings: Settings
    log_dir: Path
    database: Database = field(default_factory=Database)
    rows: list[Row] = field(default_factory=list)
    servers: dict[str, Server] = field(default_factory=dict)
    loads: dict[str, Load] = field(default_factory=dict)
    token: str = ""
    tenant_id: uuid.UUID | None = None
    article_id: str = ""

    def server(self, name: str, make: Callable[[], Server]) -> Server:
        if name not in self.servers:
            self.servers[name] = make().start(self.log_dir)
        return self.servers[name]

    def service(self, workers: int = 1) -> Server:
        server = self.server(f"factmark-w{workers}", lambda: service_server(self.database.url, workers))
        if not self.article_id:
            self.seed(server)
        return server

    def baseline(self) -> Server:
        self.service()  # seeds the data and the tenant
        env = {"BENCH_TENANT_ID": str(self.tenant_id)}
        return self.server(
            "baseline", lambda: uvicorn_server("baseline", "bench.baseline_app:app", self.database.url, env)
        )

    def peer(self) -> Server:
        self.service()
        return self.server(
            "fastapi", lambda: uvicorn_server("fastapi", "bench.peers.fastapi_app:app", self.database.url, {})
        )

    def stop(self, name: str) -> None:
        if server := self.servers.pop(name, None):
            server.stop()

    def close(self) -> None:
        for name in list(self.servers):
            self.stop(name)
        self.database.close()

    def seed(self, server: Server) -> None:
        """The read article: 200 annotations of all four kinds, created through the service's own API."""
        self.token, self.tenant_id = self.database.create_key("Bench Times")
        answer = httpx.post(
            server.base + "/v1/articles",
            content=msgspec.json.encode(article_request(ARTICLE_URL, READ_ANNOTATIONS)),
            headers=self.headers(),
            timeout=60,
        )
        answer.raise_for_status()
        self.article_id = answer.json()["id"]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def run(self, name: str, server: Server, path: str) -> Load:
        load = measure(
            server,
            server.base + path,
            self.token,
            self.settings.warmup,
            self.settings.seconds,
            self.settings.connections,
        )
        self.loads[name] = load
        return load

    def check_answer(self, server: Server, path: str, count: Callable[[Any], int]) -> str:
        """Fetch once: the same data from every server (same item count), and its size."""
        answer = httpx.get(server.base + path, headers=self.headers(), timeout=30)
        answer.raise_for_status()
        items = count(answer.json())
        if items != READ_ANNOTATIONS:
            raise RuntimeError(f"{server.name} answered {items} annotations, not {READ_ANNOTATIONS}")
        return f"{len(answer.content) / 1024:.0f} KiB"


def _load_row(section: str, subject: str, load: Load, ratio: str = "", note: str = "") -> Row:
    if load.errors:
        note = f"{load.errors} ERRORS; " + note
    return Row(section, subject, load.requests_per_s, load.p50_ms, load.p99_ms, ratio=ratio, note=note)


def _memory(server: Server) -> str:
    rest = "+".join(f"{m:.0f}" for m in server.rss_at_rest)
    now = "+".join(f"{m:.0f}" for m in server.rss())
    return f"RSS {rest} MiB at rest, {now} after {server.requests:,} req"


def read_path(ctx: Context) -> None:
    service = ctx.service()
    path = f"/v1/articles/{ctx.article_id}/annotations?limit=500"
    baseline = ctx.baseline()
    size = ctx.check_answer(service, path, lambda page: len(page["items"]))
    base_size = ctx.check_answer(baseline, path, lambda page: len(page["items"]))
    ours = ctx.run("read.service", service, path)
    base = ctx.run("read.baseline", baseline, path)
    ratio = ours.requests_per_s / base.requests_per_s
    ctx.rows.append(_load_row("read", "Factmark", ours, f"{ratio:.2f} (goal ≥ 0.8)", f"{size}"))
    ctx.rows.append(_load_row("read", "bare ASGI + asyncpg + msgspec", base, "1", f"{base_size}; {_memory(baseline)}"))


def lookup(ctx: Context) -> None:
    service = ctx.service()
    baseline = ctx.baseline()
    path = f"/v1/articles?url={quote(MESSY_URL, safe='')}&include=annotations"

    def count(page: Any) -> int:
        return len(page["items"][0]["annotations"])

    size = ctx.check_answer(service, path, count)
    base_size = ctx.check_answer(baseline, path, count)
    ours = ctx.run("lookup.service", service, path)
    base = ctx.run("lookup.baseline", baseline, path)
    ratio = ours.requests_per_s / base.requests_per_s
    ctx.rows.append(_load_row("lookup", "Factmark", ours, f"{ratio:.2f} (goal ≥ 0.8)", size))
    ctx.rows.append(_load_row("lookup", "bare ASGI + asyncpg + msgspec", base, "1", base_size))


def peers(ctx: Context) -> None:
    service = ctx.service()
    peer = ctx.peer()
    path = f"/v1/articles/{ctx.article_id}/annotations?limit=500"
    size = ctx.check_answer(peer, path, lambda page: len(page["items"]))
    ours = ctx.loads.get("read.service") or ctx.run("read.service", service, path)
    theirs = ctx.run("read.fastapi", peer, path)
    ratio = ours.requests_per_s / theirs.requests_per_s
    ctx.rows.append(
        _load_row(
            "peers",
            "FastAPI + pydantic v2 + SQLAlchemy 2 ORM",
            theirs,
            f"Factmark {ratio:.2f}x",
            f"{size}; {_memory(peer)}",
        )
    )
    ctx.stop("fastapi")


def scaling(ctx: Context) -> None:
    for workers in (1, 2, 4):
        server = ctx.service(workers)
        path = f"/v1/articles/{ctx.article_id}/annotations?limit=500"
        load = ctx.loads.get("read.service") if workers == 1 else None
        load = load or ctx.run(f"read.service.w{workers}", server, path)
        if workers == 1 or ctx.settings.memory_all_workers:
            total = ctx.settings.memory_requests
            load_until(server, server.base + path, ctx.token, total, load.requests_per_s, ctx.settings.connections)
        ctx.rows.append(
            _load_row("scaling", f"Factmark, {workers} worker{'s' * (workers > 1)}", load, note=_memory(server))
        )
        if workers > 1:
            ctx.stop(f"factmark-w{workers}")


def bulk_write(ctx: Context) -> None:
    """`POST /v1/articles` with 1,000 annotations, one request at a time, against COPY of the same rows."""
    service = ctx.service()
    n = ctx.settings.write_requests
    bodies = [
        msgspec.json.encode(
            article_request(f"https://news.example.com/2026/11/bulk-{uuid.uuid4()}", WRITE_ANNOTATIONS, i)
        )
        for i in range(n + 2)
    ]
    times = []
    created = ""
    with httpx.Client(base_url=service.base, headers=ctx.headers(), timeout=120) as client:
        for i, body in enumerate(bodies):
            start = time.perf_counter()
            answer = client.post("/v1/articles", content=body)
            elapsed = time.perf_counter() - start
            answer.raise_for_status()
            created = answer.json()["id"]
            if i >= 2:  # two warm-ups
                times.append(elapsed * 1000)
    ours = statistics.median(times)
    base = ctx.database.run(_copy_baseline, ctx.tenant_id, uuid.UUID(created), n)
    ratio = ours / base
    size = f"{len(bodies[0]) / 1024:.0f} KiB body"
    ctx.rows.append(
        Row(
            "write",
            "Factmark POST /v1/articles",
            ms=ours,
            ratio=f"{ratio:.1f}x (goal ≤ 3x)",
            note=f"median of {n}; {size}",
        )
    )
    ctx.rows.append(
        Row(
            "write",
            "asyncpg COPY of the same rows",
            ms=base,
            ratio="1",
            note="article + revision + URL rows, COPY of 1,000 annotation rows, one transaction",
        )
    )


async def _copy_baseline(connection: asyncpg.Connection, tenant_id: uuid.UUID, source: uuid.UUID, n: int) -> float:
    """Median ms of writing the rows the service stored for `source` again as new articles: the least the
    database must do for the same request (the article's rows, then one COPY of its annotations)."""
    rows = await connection.fetch(
        f"SELECT {', '.join(INSERT_COLUMNS)} FROM annotations WHERE tenant_id = $1 AND article_id = $2",
        tenant_id,
        source,
    )
    revision = await connection.fetchrow(
        "SELECT text, length, length_utf16 FROM article_revisions WHERE tenant_id = $1 AND article_id = $2",
        tenant_id,
        source,
    )
    id_at = INSERT_COLUMNS.index("id")
    links = [INSERT_COLUMNS.index("claim_id"), INSERT_COLUMNS.index("target_id"), id_at]
    article_at = INSERT_COLUMNS.index("article_id")
    times = []
    for _ in range(n + 2):
        article_id = uuid.uuid4()
        fresh = {row[id_at]: uuid.uuid4() for row in rows}
        records = []
        for row in rows:
            values = list(row)
            values[article_at] = article_id
            for at in links:
                values[at] = fresh.get(values[at])
            records.append(tuple(values))
        start = time.perf_counter()
        async with connection.transaction():
            await connection.execute(
                "INSERT INTO articles (tenant_id, id, url, canonical_url) VALUES ($1, $2, $3, $3)",
                tenant_id,
                article_id,
                f"https://news.example.com/copy/{article_id}",
            )
            await connection.execute(
                """INSERT INTO article_revisions (tenant_id, article_id, revision, text, length, length_utf16)
                   VALUES ($1, $2, 1, $3, $4, $5)""",
                tenant_id,
                article_id,
                *revision,
            )
            await connection.execute(
                "INSERT INTO article_urls (tenant_id, canonical_url, article_id) VALUES ($1, $2, $3)",
                tenant_id,
                f"https://news.example.com/copy/{article_id}",
                article_id,
            )
            await connection.copy_records_to_table("annotations", records=records, columns=INSERT_COLUMNS)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[2:])


def breakdown(ctx: Context) -> None:
    from bench.breakdown import stages

    ctx.service()
    for subject, micros, note in asyncio.run(stages(ctx.database.url, ctx.token, ctx.article_id, ctx.tenant_id)):
        ctx.rows.append(Row("breakdown", subject, ms=micros / 1000, note=note))


def w3c(ctx: Context) -> None:
    from bench.w3c import representations

    ctx.service()
    baseline = None
    for subject, micros, note in asyncio.run(representations(ctx.database.url, ctx.token, ctx.article_id)):
        baseline = baseline or micros
        ctx.rows.append(Row("w3c", subject, ms=micros / 1000, ratio=f"{micros / baseline:.2f}", note=note))


def anchoring(ctx: Context) -> None:
    """bench/anchoring (written separately), when it has a `main()` or a `__main__`: its own report, printed as
    it comes, in a process of its own (it may parse arguments or run its own event loop)."""
    try:
        module = importlib.import_module("bench.anchoring")
        has_main = importlib.util.find_spec("bench.anchoring.__main__") is not None
    except ImportError as exc:
        print(f"re-anchoring: bench/anchoring cannot be imported ({exc}); skipped", flush=True)
        return
    if has_main:
        command = ["-m", "bench.anchoring"]
    elif callable(getattr(module, "main", None)):
        command = ["-c", "from bench.anchoring import main; main()"]
    else:
        print("re-anchoring: bench/anchoring has no main() or __main__ yet; skipped", flush=True)
        return
    print("re-anchoring (bench/anchoring):", flush=True)
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env={**os.environ, "DATABASE_URL": ctx.database.url}, check=False
    )
    note = "its report is printed above the table" if done.returncode == 0 else f"FAILED: exit status {done.returncode}"
    ctx.rows.append(Row("anchoring", "bench/anchoring", note=note))


def _cpu_seconds(server: Server) -> float:
    """User + system CPU of the server's process and all its children (granian serves from a child process)."""
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    return sum(sum(process.cpu_times()[:2]) for process in [root, *root.children(recursive=True)])


def _run_for_cpu(ctx: Context, name: str, server: Server, path: str) -> tuple[Load, float]:
    """The load, and the server's CPU milliseconds per request over it (warm-up included)."""
    cpu, requests = _cpu_seconds(server), server.requests
    load = ctx.run(name, server, path)
    return load, (_cpu_seconds(server) - cpu) * 1000 / max(1, server.requests - requests)


SERVER_ROUNDS = 3


def _median_load(loads: list[Load]) -> Load:
    """The round whose req/s is the median one (its latencies come with it)."""
    return sorted(loads, key=lambda load: load.requests_per_s)[len(loads) // 2]


def servers(ctx: Context) -> None:
    """The same app under `factmark serve` (uvicorn with a header timeout and a connection cap), under plain
    uvicorn and under granian, same load, in interleaved rounds (medians: the machine is shared): which ASGI
    server to ship, and what the bounds cost."""
    service = ctx.service()
    plain = ctx.server(
        "factmark-plain-uvicorn",
        lambda: uvicorn_server(
            "factmark-plain-uvicorn", "service.app:create_app_from_environment", ctx.database.url,
            {"FACTMARK_RATE_LIMIT_PER_MINUTE": "0"}, factory=True,
        ),
    )  # fmt: skip
    granian = ctx.server("factmark-granian", lambda: granian_server(ctx.database.url))
    path = f"/v1/articles/{ctx.article_id}/annotations?limit=500"
    ctx.check_answer(plain, path, lambda page: len(page["items"]))
    ctx.check_answer(granian, path, lambda page: len(page["items"]))
    subjects = (
        ("Factmark under uvicorn, bounded (shipped)", service, "factmark serve"),
        ("Factmark under plain uvicorn", plain, "no header timeout, no cap"),
        ("Factmark under granian", granian, "granian 1 worker"),
    )
    rounds: dict[str, list[tuple[Load, float]]] = {subject: [] for subject, _, _ in subjects}
    for _ in range(SERVER_ROUNDS):
        for subject, server, _ in subjects:
            rounds[subject].append(_run_for_cpu(ctx, f"servers.{server.name}", server, path))
    medians = {
        subject: (
            min(
                runs, key=lambda run: abs(run[0].requests_per_s - statistics.median(r[0].requests_per_s for r in runs))
            )[0],
            statistics.median(cpu for _, cpu in runs),
        )
        for subject, runs in rounds.items()
    }
    shipped_rps, shipped_cpu = medians[subjects[0][0]][0].requests_per_s, medians[subjects[0][0]][1]
    for subject, _, note in subjects:
        load, cpu_ms = medians[subject]
        ratio = f"{load.requests_per_s / shipped_rps:.2f} req/s, {cpu_ms / shipped_cpu:.2f} CPU"
        runs = "/".join(f"{run.requests_per_s:.0f}" for run, _ in rounds[subject])
        row = _load_row("servers", subject, load, ratio, f"{note}; req/s by round {runs}; ms/req = server CPU")
        ctx.rows.append(dataclasses.replace(row, ms=cpu_ms))
    ctx.stop("factmark-plain-uvicorn")
    ctx.stop("factmark-granian")


SLOWLORIS_CONNECTIONS = 6_000
SLOWLORIS_SOFT_LIMIT = 4_096


def _first_answer(base: str, within: float) -> tuple[str, float, float | None]:
    """(the first answer to GET /healthz, seconds it took, seconds until a 200, if one came within `within`)."""
    started = time.monotonic()
    first: tuple[str, float] | None = None
    while time.monotonic() - started < within:
        status: int | str
        try:
            status = httpx.get(base + "/healthz", timeout=max(0.1, within - (time.monotonic() - started))).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        first = first or (str(status), time.monotonic() - started)
        if status == 200:
            return first[0], first[1], time.monotonic() - started
        time.sleep(0.2)
    return (first or ("no answer", within))[0], (first or ("", within))[1], None


def slowloris(ctx: Context) -> None:
    """6,000 connections that never finish their headers against servers started with a soft `ulimit -n` of
    4,096, then a normal request: how soon it is answered, and how soon it gets a 200, under `factmark serve`
    (header timeout 10 s, cap 4,096) and under plain uvicorn."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < SLOWLORIS_CONNECTIONS + 500:
        ctx.rows.append(Row("slowloris", "skipped", note=f"`ulimit -Hn` {hard} < {SLOWLORIS_CONNECTIONS + 500}"))
        return
    ctx.service()  # seeds the database
    resource.setrlimit(resource.RLIMIT_NOFILE, (SLOWLORIS_SOFT_LIMIT, hard))  # the servers inherit it
    try:
        servers = [
            ("Factmark under uvicorn, bounded (shipped)", ctx.server("slowloris-bounded", lambda: dataclasses.replace(
                service_server(ctx.database.url), name="slowloris-bounded"))),
            ("Factmark under plain uvicorn", ctx.server("slowloris-plain", lambda: uvicorn_server(
                "slowloris-plain", "service.app:create_app_from_environment", ctx.database.url, {}, factory=True))),
        ]  # fmt: skip
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        for subject, server in servers:
            sockets = []
            try:
                for _ in range(SLOWLORIS_CONNECTIONS):
                    connection = socket.socket()
                    connection.setblocking(False)
                    connection.connect_ex(("127.0.0.1", server.port))
                    sockets.append(connection)
                time.sleep(1)  # the handshakes complete; then each sends half a request head
                for connection in sockets:
                    with contextlib.suppress(OSError):
                        connection.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                status, seconds, ok_after = _first_answer(server.base, within=30)
            finally:
                for connection in sockets:
                    connection.close()
            recovered = f"200 after {ok_after:.1f} s" if ok_after is not None else "no 200 within 30 s"
            note = f"first answer {status} after {seconds:.1f} s; {recovered}"
            ctx.rows.append(Row("slowloris", subject, note=note))
            ctx.stop(server.name)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


SECTIONS: dict[str, Callable[[Context], None]] = {
    "strict": hot.strict,
    "hot": hot.hot,
    "workers": hot.workers,
    "read": read_path,
    "lookup": lookup,
    "peers": peers,
    "scaling": scaling,
    "write": bulk_write,
    "servers": servers,
    "slowloris": slowloris,
    "breakdown": breakdown,
    "w3c": w3c,
    "anchoring": anchoring,
}


def table(rows: list[Row]) -> str:
    def fmt(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:,.{digits}f}"

    header = ("section", "subject", "req/s", "p50 ms", "p99 ms", "ms/req", "ratio", "notes")
    lines = [(r.section, r.subject, fmt(r.rps, 0), fmt(r.p50), fmt(r.p99), fmt(r.ms, 2), r.ratio, r.note) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    out += [
        "  ".join(c.ljust(w) if i in (0, 1, 6, 7) else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
        for line in lines
    ]
    return "\n".join(out)
