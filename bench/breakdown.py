"""Where the read path's time goes: each stage of `GET /v1/articles/{id}/annotations?limit=500` timed alone,
in process, one request at a time (no HTTP server, no competing load), beside the whole app driven through
ASGI directly. `python -m bench profile` runs the whole app under pyinstrument instead."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from service.api.annotations import listed_reviews, native_page
from service.app import create_app
from service.config import Settings
from service.domain.keys import parse_token, secret_matches
from service.domain.offsets import OffsetUnit
from service.store import annotations as annotation_store
from service.store.database import create_pool
from service.store.keys import fetch_key

ROUNDS = 300


async def _timed(action: Callable[[], Awaitable[Any]], rounds: int = ROUNDS) -> float:
    """Median µs of `action` over `rounds` runs, after a tenth as many warm-ups."""
    for _ in range(rounds // 10):
        await action()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await action()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1e6


class AsgiDriver:
    """Calls an ASGI app directly: its lifespan once, then requests, with no server or client in between."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lifespan: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsgiDriver:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._task = asyncio.create_task(self.app(scope, self._lifespan.get, self._replies.put))
        await self._lifespan.put({"type": "lifespan.startup"})
        reply = await self._replies.get()
        assert reply["type"] == "lifespan.startup.complete", reply
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._lifespan.put({"type": "lifespan.shutdown"})
        await self._replies.get()
        assert self._task is not None
        await self._task

    async def get(self, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": [(b"host", b"bench"), *headers],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], body


def _quiet_request_log() -> None:
    """The service's one-line-per-request log, formatted as in production but written to /dev/null."""
    from service.api.observability import JsonFormatter

    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("factmark.requests")
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)


async def stages(database_url: str, token: str, article_id: str, tenant_id: Any) -> list[tuple[str, float, str]]:
    """(stage, median µs, note) for the read path, stage by stage and whole."""
    _quiet_request_log()
    # page_cache_bytes=0: every request renders its page, as a cold article does.
    settings = Settings(
        database_url=database_url, rate_limit_per_minute=0, allowed_hosts=("bench",), page_cache_bytes=0
    )
    pool = await create_pool(
        database_url, min_size=2, max_size=10, connect_timeout_s=5, statement_timeout_ms=15_000, pgbouncer=False
    )
    article = uuid.UUID(article_id)
    key_id, secret = parse_token(token)  # type: ignore[misc]
    try:
        held = await fetch_key(pool, key_id)  # a plain read finds the key in memory

        async def auth() -> None:
            assert held is not None and secret_matches(secret, held.secret_hash)

        async def page() -> Any:  # the plain read's one query (service/api/cached_reads.py)
            reviews = listed_reviews(None, w3c=False)
            return await annotation_store.fetch_whole_article_page(
                pool, tenant_id, article, OffsetUnit.CODEPOINT, reviews, 500, key_id
            )

        documents = await page()

        async def encode() -> None:
            native_page(documents)

        result = [
            (
                "API key held in memory: hash and compare",
                await _timed(auth),
                "secret_matches, per request (the key's row is checked by the page's query)",
            ),
            (
                "annotations page, 200 rows as JSON",
                await _timed(page),
                "fetch_whole_article_page: stored documents as rows, the key checked in the same statement",
            ),
            ("msgspec encode of the page", await _timed(encode), "AnnotationPage around the Raw array → JSON bytes"),
        ]
        path = f"/v1/articles/{article_id}/annotations"
        headers = [(b"authorization", f"Bearer {token}".encode())]
        async with AsgiDriver(create_app(settings)) as app:
            status, _ = await app.get(path, b"limit=500", headers)
            assert status == 200, status
            whole = await _timed(lambda: app.get(path, b"limit=500", headers))
        parts = sum(micros for _, micros, _ in result)
        result.append(("whole Factmark app, in process", whole, "ASGI call, no HTTP server"))
        result.append(("  of which routing to the plain read, log line", whole - parts, "whole minus the stages above"))
        os.environ.setdefault("BENCH_TENANT_ID", str(tenant_id))
        os.environ.setdefault("DATABASE_URL", database_url)
        from bench.baseline_app import Baseline

        async with AsgiDriver(Baseline()) as bare:
            bare_whole = await _timed(lambda: bare.get(path, b"limit=500", []))
        result.append(("whole bare baseline, in process", bare_whole, "ASGI call, no HTTP server"))
        return result
    finally:
        await pool.close()


async def profile(database_url: str, token: str, article_id: str, requests: int = 500) -> str:
    """pyinstrument's report of `requests` in-process read-path requests to the whole app."""
    from pyinstrument import Profiler

    _quiet_request_log()

    path = f"/v1/articles/{article_id}/annotations"
    headers = [(b"authorization", f"Bearer {token}".encode())]
    settings = Settings(
        database_url=database_url, rate_limit_per_minute=0, allowed_hosts=("bench",), page_cache_bytes=0
    )
    async with AsgiDriver(create_app(settings)) as app:
        for _ in range(50):
            await app.get(path, b"limit=500", headers)
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        for _ in range(requests):
            await app.get(path, b"limit=500", headers)
        profiler.stop()
    return str(profiler.output_text(unicode=True, color=False, show_all=False))
