"""The floor the service is measured against: a bare ASGI callable (no framework, no auth) that answers the
two read paths with the same indexed queries on an asyncpg pool and one msgspec encode of the same data.

Run by uvicorn with the service's flags: `uvicorn bench.baseline_app:app`. The tenant comes from
BENCH_TENANT_ID (the service finds it from the API key, which costs it one more query per request)."""

from __future__ import annotations

import os
import uuid
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import msgspec

from service.domain.urls import canonical_url
from service.store.annotations import select_annotations

# The columns and order of the service's own queries.
_PAGE = (
    select_annotations("codepoint") + " WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id LIMIT $3"
)
_BY_URL = """SELECT a.id, a.url, a.canonical_url, a.alternate_urls, a.title, a.publisher, a.language,
       a.published_at, a.revision, r.length AS text_length, a.version, a.created_at, a.updated_at
FROM articles a
JOIN article_revisions r ON r.tenant_id = a.tenant_id AND r.article_id = a.id AND r.revision = a.revision
JOIN article_urls u ON u.tenant_id = a.tenant_id AND u.article_id = a.id
WHERE u.tenant_id = $1 AND u.canonical_url = $2"""
_ALL = select_annotations("codepoint") + " WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id"

_COMMON = (
    "id",
    "article_id",
    "kind",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "tags",
    "note",
    "author",
    "origin",
    "confidence",
    "version",
    "created_at",
    "updated_at",
)
_OWN = {
    "claim": ("statement", "claimant", "verdict", "verdict_explanation", "review_url", "reviewed_at"),
    "attribution": ("source", "source_type", "cue", "claim_id"),
    "denial": ("denier", "cue", "target_id"),
    "figure": ("value", "unit", "approximate", "qualifier", "subject"),
}
_JSON = [(b"content-type", b"application/json")]
_encoder = msgspec.json.Encoder()


def _annotation(row: asyncpg.Record) -> dict[str, Any]:
    item = {name: row[name] for name in _COMMON}
    for name in _OWN[row["kind"]]:
        item[name] = row[name]
    item["anchor"] = {
        "status": row["anchor_status"],
        "revision": row["anchor_revision"],
        "confidence": row["anchor_confidence"],
    }
    return item


class Baseline:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.tenant_id = uuid.UUID(os.environ["BENCH_TENANT_ID"])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        status, body = await self.answer(scope["path"], scope["query_string"])
        await send({"type": "http.response.start", "status": status, "headers": _JSON})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The service's pool settings (service/config.py).
                self.pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def answer(self, path: str, query_string: bytes) -> tuple[int, bytes]:
        assert self.pool is not None
        query = parse_qs(query_string.decode("latin-1"))
        parts = path.strip("/").split("/")
        if parts == ["healthz"]:
            return 200, b'{"status":"ok"}'
        if len(parts) == 4 and parts[:2] == ["v1", "articles"] and parts[3] == "annotations":
            limit = int(query.get("limit", ["100"])[0])
            rows = await self.pool.fetch(_PAGE, self.tenant_id, uuid.UUID(parts[2]), limit + 1)
            items = [_annotation(row) for row in rows[:limit]]
            return 200, _encoder.encode({"items": items, "next_cursor": None})
        if parts == ["v1", "articles"] and "url" in query:
            async with self.pool.acquire() as connection:
                found = await connection.fetchrow(_BY_URL, self.tenant_id, canonical_url(query["url"][0], "url"))
                items = []
                if found is not None:
                    article = dict(found)
                    article["annotations"] = [
                        _annotation(row) for row in await connection.fetch(_ALL, self.tenant_id, found["id"])
                    ]
                    items.append(article)
            return 200, _encoder.encode({"items": items, "next_cursor": None})
        return 404, b'{"status":404}'


app = Baseline()
