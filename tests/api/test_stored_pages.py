"""Stored pages (schemas/0013): the plain list read's answer kept in the database is what a cold read serves,
byte for byte the handler's answer, and never once a write to the article has committed, on any replica, however
the write and the storing race."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings
from service.domain.offsets import OffsetUnit
from service.store.stored_pages import PART_BYTES, StoredPage, fetch_stored_page, store_page
from tests.conftest import Tenant
from tests.fixtures import riga_article

EVERY_KIND = [("kind", kind) for kind in ("claim", "attribution", "denial", "figure")]


async def _client(settings: Settings, tenant: Tenant) -> tuple[Litestar, AsyncTestClient[Litestar]]:
    app = create_app(msgspec.structs.replace(settings, page_cache_bytes=0))  # every read reaches the database
    return app, AsyncTestClient(app=app)


async def _live(app: Litestar) -> None:
    async with asyncio.timeout(10):
        while not app.state.listener.live:
            await asyncio.sleep(0.01)


async def test_a_cold_read_serves_the_stored_answer_until_a_write_through_another_replica(
    settings: Settings, tenant: Tenant, db: asyncpg.Connection
) -> None:
    reader_app, reader = await _client(settings, tenant)
    writer_app, writer = await _client(settings, tenant)
    async with reader, writer:
        for client in (reader, writer):
            client.headers.update(tenant.headers("write"))
        await _live(reader_app)
        await _live(writer_app)
        created = await writer.post("/v1/articles", json=riga_article())
        assert created.status_code == 201, created.text
        article = created.json()["id"]
        path = f"/v1/articles/{article}/annotations"
        for unit in ("codepoint", "utf16"):
            first = await reader.get(path, params={"limit": 500, "offset_unit": unit})  # joined, then stored
            stored = await reader.get(path, params={"limit": 500, "offset_unit": unit})
            handled = await reader.get(path, params=[("limit", 500), ("offset_unit", unit), *EVERY_KIND])
            assert first.status_code == stored.status_code == handled.status_code == 200
            assert first.content == stored.content and stored.json() == handled.json()
            assert first.headers["etag"] == stored.headers["etag"]
        assert await db.fetchval("SELECT count(DISTINCT unit) FROM annotation_page_parts") == 2
        # What is stored is what is served: marked here, so the next read shows where it came from.
        marked = b'{"items":[{"marked":true}],"next_cursor":null}'
        await db.execute("UPDATE annotation_page_parts SET body = $1, parts = 1 WHERE unit = 'codepoint'", marked)
        await db.execute("DELETE FROM annotation_page_parts WHERE unit = 'codepoint' AND part > 0")
        served = await reader.get(path, params={"limit": 500})
        assert served.content == marked
        # A write through the other replica: the stored answer is no longer served, the new one is.
        annotation = first.json()["items"][0]
        patched = await writer.patch(f"/v1/annotations/{annotation['id']}", json={"note": "checked twice"},
                                     headers={"If-Match": f'"{annotation["version"]}"'})  # fmt: skip
        assert patched.status_code == 200, patched.text
        after = await reader.get(path, params={"limit": 500})
        assert after.status_code == 200 and after.content != marked
        assert {i["id"]: i.get("note") for i in after.json()["items"]}[annotation["id"]] == "checked twice"
        assert after.headers["etag"] != first.headers["etag"]
        handled = await reader.get(path, params=[("limit", 500), *EVERY_KIND])
        assert after.json() == handled.json()
        again = await reader.get(path, params={"limit": 500})  # stored anew, under the new generation
        assert again.content == after.content
        # A smaller page than the stored answer is the handler's, with its cursor.
        small = await reader.get(path, params={"limit": 1})
        assert small.status_code == 200 and len(small.json()["items"]) == 1 and small.json()["next_cursor"]
        deleted = await writer.delete(f"/v1/articles/{article}")
        assert deleted.status_code in (200, 204), deleted.text
        assert await db.fetchval("SELECT count(*) FROM annotation_page_parts") == 0
        assert (await reader.get(path, params={"limit": 500})).status_code == 404


async def test_a_page_rendered_before_a_write_committed_is_never_served(
    tenant: Tenant, db: asyncpg.Connection, settings: Settings
) -> None:
    _, client = await _client(settings, tenant)
    async with client:
        client.headers.update(tenant.headers("write"))
        created = await client.post("/v1/articles", json=riga_article())
        article = uuid.UUID(created.json()["id"])
    tenant_id = await db.fetchval("SELECT tenant_id FROM articles WHERE id = $1", article)
    key_id = tenant.write.split("_")[1]
    read_under = await db.fetchval("SELECT generation FROM annotation_page_generations WHERE article_id = $1", article)
    page = StoredPage(b"x" * (3 * PART_BYTES + 1), 4, "4:1.0")  # four parts, the last of one byte
    await db.execute("UPDATE annotations SET note = 'written meanwhile' WHERE article_id = $1", article)
    await store_page(db, tenant_id, article, OffsetUnit.CODEPOINT, read_under, page)
    assert await fetch_stored_page(db, tenant_id, article, OffsetUnit.CODEPOINT, key_id) is None
    current = read_under + 1
    newer = StoredPage(b"y" * (PART_BYTES + 5), 4, "4:2.0")
    await store_page(db, tenant_id, article, OffsetUnit.CODEPOINT, current, newer)
    await store_page(db, tenant_id, article, OffsetUnit.CODEPOINT, read_under, page)  # late: changes nothing
    assert await fetch_stored_page(db, tenant_id, article, OffsetUnit.CODEPOINT, key_id) == newer
    assert await fetch_stored_page(db, tenant_id, article, OffsetUnit.UTF16, key_id) is None
    await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", key_id)
    assert await fetch_stored_page(db, tenant_id, article, OffsetUnit.CODEPOINT, key_id) is None
    await db.execute("TRUNCATE annotations CASCADE")
    assert await db.fetchval("SELECT count(*) FROM annotation_page_parts") == 0
