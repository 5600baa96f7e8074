"""The strict floor of the read path: a bare ASGI callable (no framework, no auth) whose annotations are already
stored as JSON documents (bench_documents, filled from the service's own rendering): one indexed query for the
page, one msgspec encode of `{"items": [...], "next_cursor": null}` with the documents passed through untouched.

Run by uvicorn with the service's flags: `uvicorn bench.stored_json_app:app`; the tenant comes from
BENCH_TENANT_ID."""

from __future__ import annotations

import os
import uuid
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import msgspec

TABLE = """CREATE TABLE IF NOT EXISTS bench_documents (
    tenant_id uuid NOT NULL, article_id uuid NOT NULL, position integer NOT NULL, doc json NOT NULL,
    PRIMARY KEY (tenant_id, article_id, position))"""
_PAGE = "SELECT doc FROM bench_documents WHERE tenant_id = $1 AND article_id = $2 ORDER BY position LIMIT $3"
_JSON = [(b"content-type", b"application/json")]


class Page(msgspec.Struct):
    items: list[msgspec.Raw]
    next_cursor: str | None = None


_encoder = msgspec.json.Encoder()


async def _documents_as_bytes(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec("json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")


class StoredJson:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.tenant_id = uuid.UUID(int=0)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.tenant_id = uuid.UUID(os.environ["BENCH_TENANT_ID"])
                    self.pool = await asyncpg.create_pool(
                        os.environ["DATABASE_URL"], min_size=2, max_size=10, init=_documents_as_bytes
                    )
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.pool is not None:
                        await self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self.pool is not None
        parts = scope["path"].strip("/").split("/")
        status, body = 404, b'{"status":404}'
        if parts == ["healthz"]:
            status, body = 200, b'{"status":"ok"}'
        elif len(parts) == 4 and parts[:2] == ["v1", "articles"] and parts[3] == "annotations":
            limit = int(parse_qs(scope["query_string"].decode("latin-1")).get("limit", ["100"])[0])
            rows = await self.pool.fetch(_PAGE, self.tenant_id, uuid.UUID(parts[2]), limit + 1)
            status, body = 200, _encoder.encode(Page([msgspec.Raw(row[0]) for row in rows[:limit]]))
        await send({"type": "http.response.start", "status": status, "headers": _JSON})
        await send({"type": "http.response.body", "body": body})


app = StoredJson()
