"""The read path against the strict floors (issue 15): each pair measured interleaved, `rounds` times, at 16
connections, reporting the median ratio and its spread, then once at 64 connections for p99.

- strict: `GET /v1/articles/{id}/annotations?limit=500` (200 annotations) against bench/stored_json_app.py,
  whose rows are already JSON: once with the page cache off (every request renders in PostgreSQL) and once
  as deployed (the page cache on).
- hot: the same article read by every client, as deployed, against bench/memory_app.py (the same bytes from
  memory): the limit of the HTTP stack.
- workers: the read path, cache off and on, with 1, 2 and 4 workers."""

from __future__ import annotations

import json
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx

from bench.harness import Load, Server, service_server, uvicorn_server, wrk
from bench.stored_json_app import TABLE

if TYPE_CHECKING:
    from bench.suite import Context

RATIO_CONNECTIONS = 16
P99_CONNECTIONS = 64


def _path(ctx: Context) -> str:
    return f"/v1/articles/{ctx.article_id}/annotations?limit=500"


def _service(ctx: Context, cached: bool, workers: int = 1) -> Server:
    """The service with its page cache on or off; off is the suite's usual server (ctx.service)."""
    if not cached:
        return ctx.service(workers)
    ctx.service()  # seeds the article
    name = f"factmark-cached-w{workers}"

    def make() -> Server:
        server = service_server(ctx.database.url, workers, page_cache=True)
        server.name = name
        return server

    return ctx.server(name, make)


def _answer(ctx: Context) -> bytes:
    answer = httpx.get(ctx.service().base + _path(ctx), headers=ctx.headers(), timeout=30)
    answer.raise_for_status()
    return answer.content


def _stored_json(ctx: Context) -> Server:
    items = json.loads(_answer(ctx))["items"]
    ctx.database.run(_store_documents, ctx.tenant_id, uuid.UUID(ctx.article_id), items)
    env = {"BENCH_TENANT_ID": str(ctx.tenant_id)}
    return ctx.server(
        "stored-json", lambda: uvicorn_server("stored-json", "bench.stored_json_app:app", ctx.database.url, env)
    )


async def _store_documents(
    connection: asyncpg.Connection, tenant: uuid.UUID, article: uuid.UUID, items: list[Any]
) -> None:
    await connection.execute(TABLE)
    await connection.execute("DELETE FROM bench_documents WHERE tenant_id = $1 AND article_id = $2", tenant, article)
    await connection.executemany(
        "INSERT INTO bench_documents (tenant_id, article_id, position, doc) VALUES ($1, $2, $3, $4::json)",
        [(tenant, article, n, json.dumps(item, separators=(",", ":"))) for n, item in enumerate(items)],
    )


def _from_memory(ctx: Context) -> Server:
    body = Path(tempfile.mkdtemp(prefix="factmark-bench-body-")) / "page.json"
    body.write_bytes(_answer(ctx))
    env = {"BENCH_BODY_FILE": str(body)}
    return ctx.server("memory", lambda: uvicorn_server("memory", "bench.memory_app:app", ctx.database.url, env))


def _check_same_page(ctx: Context, ours: Server, theirs: Server) -> str:
    mine = httpx.get(ours.base + _path(ctx), headers=ctx.headers(), timeout=30)
    other = httpx.get(theirs.base + _path(ctx), headers=ctx.headers(), timeout=30)
    if json.loads(mine.content)["items"] != json.loads(other.content)["items"]:
        raise RuntimeError(f"{theirs.name} does not answer the same annotations as {ours.name}")
    return f"{len(mine.content) / 1024:.0f} KiB"


def _run(ctx: Context, server: Server, connections: int) -> Load:
    url = server.base + _path(ctx)
    warm = wrk(url, ctx.token, ctx.settings.warmup, connections)
    load = wrk(url, ctx.token, ctx.settings.seconds, connections)
    server.requests += warm.requests + load.requests
    return Load(load.requests_per_s, load.p50_ms, load.p99_ms, load.requests, load.errors + warm.errors)


def _pair(ctx: Context, section: str, ours: Server, theirs: Server, subject: str, floor: str, goal: float) -> None:
    """Interleaved rounds at 16 connections (median ratio, spread), then one run each at 64 for p99."""
    from bench.suite import Row

    size = _check_same_page(ctx, ours, theirs)
    rounds = [
        (_run(ctx, ours, RATIO_CONNECTIONS), _run(ctx, theirs, RATIO_CONNECTIONS)) for _ in range(ctx.settings.rounds)
    ]
    ratios = sorted(a.requests_per_s / b.requests_per_s for a, b in rounds)
    errors = sum(a.errors + b.errors for a, b in rounds)
    ours_rps = statistics.median(a.requests_per_s for a, _ in rounds)
    theirs_rps = statistics.median(b.requests_per_s for _, b in rounds)
    ratio = f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f}; goal ≥ {goal:g})"
    note = f"{size}; median of {len(rounds)} interleaved rounds at -c{RATIO_CONNECTIONS}"
    if errors:
        note = f"{errors} ERRORS; {note}"
    ctx.rows.append(Row(section, subject, ours_rps, ratio=ratio, note=note))
    ctx.rows.append(Row(section, floor, theirs_rps, ratio="1", note=f"-c{RATIO_CONNECTIONS}"))
    for server, name in ((ours, subject), (theirs, floor)):
        load = _run(ctx, server, P99_CONNECTIONS)
        note = f"-c{P99_CONNECTIONS}" + (f"; {load.errors} ERRORS" if load.errors else "")
        ctx.rows.append(Row(section, name, load.requests_per_s, load.p50_ms, load.p99_ms, note=note))


def strict(ctx: Context) -> None:
    floor = _stored_json(ctx)
    name = "bare asyncpg + msgspec, rows stored as JSON"
    _pair(ctx, "strict", _service(ctx, cached=False), floor, "Factmark, page cache off", name, 1.0)
    _pair(ctx, "strict", _service(ctx, cached=True), floor, "Factmark, as deployed (page cache)", name, 1.0)


def hot(ctx: Context) -> None:
    _pair(
        ctx,
        "hot",
        _service(ctx, cached=True),
        _from_memory(ctx),
        "Factmark, hot article",
        "same bytes from memory (ASGI)",
        0.5,
    )
    ctx.stop("memory")


def workers(ctx: Context) -> None:
    from bench.suite import Row

    for count in (1, 2, 4):
        for cached in (False, True):
            server = _service(ctx, cached, count)
            load = _run(ctx, server, RATIO_CONNECTIONS)
            subject = f"Factmark, {count} worker{'s' * (count > 1)}, page cache {'on' if cached else 'off'}"
            note = f"-c{RATIO_CONNECTIONS}" + (f"; {load.errors} ERRORS" if load.errors else "")
            ctx.rows.append(Row("workers", subject, load.requests_per_s, load.p50_ms, load.p99_ms, note=note))
            if count > 1:
                ctx.stop(server.name)
