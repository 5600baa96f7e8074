"""Hot reads from memory: browsers revalidate with ETags, other tenants never share a page, the caches stay
within their bounds, and without change notifications keys are trusted for the short TTL only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.api.cache import KeyCache, PageCache
from service.app import create_app
from service.config import Settings
from service.store.keys import StoredKey
from tests.conftest import METRICS_TOKEN, TEST_HOST, Tenant
from tests.fixtures import riga_article


async def _article(client: AsyncTestClient[Litestar]) -> str:
    created = await client.post("/v1/articles", json=riga_article())
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_annotation_lists_are_revalidated_by_browsers_with_a_304(client: AsyncTestClient[Litestar]) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations"
    first = await client.get(path)
    assert first.headers["cache-control"] == "private, no-cache"
    for _ in range(2):  # answered by the handler, then from memory: the same validator either way
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == "private, no-cache"
    cached = await client.get(path)
    assert cached.content == first.content
    assert cached.headers["etag"] == first.headers["etag"]


async def test_an_answer_from_memory_carries_its_own_request_id_only(client: AsyncTestClient[Litestar]) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations"
    filled = await client.get(path, headers={"X-Request-ID": "the-first-read"})
    assert filled.headers.get_list("x-request-id") == ["the-first-read"]
    cached = await client.get(path, headers={"X-Request-ID": "the-second-read"})
    assert cached.content == filled.content
    assert cached.headers.get_list("x-request-id") == ["the-second-read"]


async def test_another_tenant_never_gets_a_page_cached_for_the_first(
    client: AsyncTestClient[Litestar], other_tenant: Tenant
) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations"
    for _ in range(2):
        assert (await client.get(path)).status_code == 200
    assert (await client.get(path, headers=other_tenant.headers("read"))).status_code == 404


async def test_the_representation_and_query_asked_for_are_part_of_the_cached_page(
    client: AsyncTestClient[Litestar],
) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations"
    w3c = {"Accept": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'}
    for _ in range(2):
        assert "items" in (await client.get(path)).json()
        assert (await client.get(path, headers=w3c)).json()["type"] == ["BasicContainer", "AnnotationCollection"]
        assert len((await client.get(path + "?limit=1")).json()["items"]) == 1


@pytest.fixture
async def deaf_client(migrated: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An app whose change notifications cannot arrive (its direct connection names a closed port)."""
    settings = Settings(
        database_url=migrated, direct_database_url="postgresql://postgres@127.0.0.1:9/none", key_cache_ttl_s=0.3,
        allowed_hosts=(TEST_HOST,), metrics_token=METRICS_TOKEN,
    )  # fmt: skip
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def test_without_notifications_a_revoked_key_is_refused_after_the_short_ttl(
    deaf_client: AsyncTestClient[Litestar], tenant: Tenant, db: asyncpg.Connection
) -> None:
    headers = tenant.headers("read")
    assert (await deaf_client.get("/v1/articles", headers=headers)).status_code == 200
    await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", tenant.read.split("_")[1])
    await asyncio.sleep(0.4)
    assert (await deaf_client.get("/v1/articles", headers=headers)).status_code == 401


async def test_without_notifications_no_page_is_served_from_memory(
    deaf_client: AsyncTestClient[Litestar], tenant: Tenant, db: asyncpg.Connection
) -> None:
    headers = tenant.headers("write")
    created = await deaf_client.post("/v1/articles", json=riga_article(), headers=headers)
    path = f"/v1/articles/{created.json()['id']}/annotations"
    assert len((await deaf_client.get(path, headers=headers)).json()["items"]) == 4
    await db.execute("DELETE FROM annotations WHERE kind = 'figure'")
    assert len((await deaf_client.get(path, headers=headers)).json()["items"]) == 3
    metrics = (await deaf_client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text
    assert "factmark_cache_listening 0.0" in metrics


def _page(cache: PageCache, owner: tuple[uuid.UUID, uuid.UUID], n: int, size: int) -> None:
    cache.put(("page", n), owner, [(b"etag", f'"{n}"'.encode())], b"x" * size, cache.epoch)


def test_the_page_cache_stays_within_its_bytes_evicting_the_least_recently_used() -> None:
    cache = PageCache(max_bytes=80_000)
    cache.live = True
    owner = (uuid.uuid4(), uuid.uuid4())
    for n in range(20):
        _page(cache, owner, n, 9_000)
        if n >= 1:
            assert cache.get(("page", 0)) is not None  # kept fresh, so never the one evicted
    assert cache.bytes <= 80_000
    assert ("page", 0) in cache and ("page", 19) in cache and ("page", 1) not in cache
    assert cache.counts.evictions == 20 - len(cache)


def test_a_page_rendered_before_an_announced_change_is_not_kept() -> None:
    cache = PageCache(max_bytes=1_000_000)
    cache.live = True
    owner = (uuid.uuid4(), uuid.uuid4())
    epoch = cache.epoch
    cache.drop_article(owner)  # a write commits while the read is under way
    cache.put(("page", 1), owner, [], b"stale", epoch)
    assert ("page", 1) not in cache
    _page(cache, owner, 2, 10)
    _page(cache, (owner[0], uuid.uuid4()), 3, 10)
    cache.drop_article(owner)
    assert ("page", 2) not in cache and ("page", 3) in cache


def test_a_key_read_before_its_revocation_was_announced_is_not_kept() -> None:
    keys = KeyCache(ttl_s=1.0)
    keys.live = True
    stored = StoredKey(uuid.uuid4(), "k1", b"h", ("read",), False, "Desk", None)
    epoch = keys.epoch
    keys.drop_key("k1")
    keys.put(stored, epoch)
    assert keys.get("k1") is None
    keys.put(stored, keys.epoch)
    assert keys.get("k1") == stored
    keys.drop_tenant(stored.tenant_id)
    assert keys.get("k1") is None
    assert msgspec.json.encode(keys.counts.__dict__)  # counters are plain numbers for /metrics


async def test_a_cached_page_is_not_served_to_a_host_that_is_not_allowed(client: AsyncTestClient[Litestar]) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations"
    for _ in range(2):
        assert (await client.get(path)).status_code == 200
    assert (await client.get(path, headers={"Host": "evil.example"})).status_code == 400


def _list_requests_seen_by_the_app(metrics: str) -> float:
    """How many list reads reached the app's route handler (the Prometheus middleware runs inside the app)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("factmark_requests_total{")
        and 'path="/v1/articles/{article_id}/annotations"' in line
        and 'method="GET"' in line
    )


@pytest.mark.parametrize("page_cache_bytes", [0, 64 * 1024 * 1024])
async def test_a_plain_list_read_is_rendered_before_routing_exactly_as_the_handler_renders_it(
    settings: Settings, tenant: Tenant, page_cache_bytes: int
) -> None:
    """A cold `?limit=&offset_unit=` read is answered from the stored documents in front of the app; the same
    page asked in a form only the handler answers (every kind named) has the same items and cursor, and the
    cursor leads on through the handler to the rest."""
    metrics = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    app = create_app(msgspec.structs.replace(settings, page_cache_bytes=page_cache_bytes))
    async with AsyncTestClient(app=app) as client:
        client.headers.update(tenant.headers("write"))
        async with asyncio.timeout(10):  # the key must be held once notifications arrive (they clear the caches)
            while not app.state.listener.live:
                await asyncio.sleep(0.01)
        created = await client.post("/v1/articles", json=riga_article())  # a flag in mid-text: the units differ
        assert created.status_code == 201, created.text
        path = f"/v1/articles/{created.json()['id']}/annotations"
        every_kind = [("kind", kind) for kind in ("claim", "attribution", "denial", "figure")]
        for unit in ("codepoint", "utf16"):
            before = _list_requests_seen_by_the_app((await client.get("/metrics", headers=metrics)).text)
            plain = await client.get(path, params={"limit": 3, "offset_unit": unit})
            seen = _list_requests_seen_by_the_app((await client.get("/metrics", headers=metrics)).text)
            assert seen == before, "the plain read reached the handler"
            handled = await client.get(path, params=[("limit", 3), ("offset_unit", unit), *every_kind])
            assert plain.status_code == handled.status_code == 200
            assert plain.json() == handled.json() and plain.json()["next_cursor"]
            assert plain.headers["content-type"] == handled.headers["content-type"] == "application/json"
            assert plain.headers["vary"] == "Accept" and plain.headers["cache-control"] == "private, no-cache"
            rest = await client.get(path, params={"offset_unit": unit, "cursor": plain.json()["next_cursor"]})
            everything = await client.get(path, params=[("offset_unit", unit), *every_kind])
            assert plain.json()["items"] + rest.json()["items"] == everything.json()["items"]
            assert len(everything.json()["items"]) == 4
            again = await client.get(path, params={"limit": 3, "offset_unit": unit},
                                     headers={"If-None-Match": plain.headers["etag"]})  # fmt: skip
            assert again.status_code == 304


async def test_a_plain_list_read_of_a_missing_or_empty_article_is_answered_by_the_app(
    client: AsyncTestClient[Litestar],
) -> None:
    await client.get("/v1/articles")  # the key is now in memory: the plain path could answer
    missing = await client.get(f"/v1/articles/{uuid.uuid4()}/annotations", params={"limit": 5})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    body = riga_article()
    body["annotations"] = []
    created = await client.post("/v1/articles", json=body)
    empty = await client.get(f"/v1/articles/{created.json()['id']}/annotations", params={"limit": 5})
    assert empty.status_code == 200 and empty.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=abc", "offset_unit=bytes", "limit=5&limit=6"])
async def test_a_list_read_the_plain_path_cannot_answer_gets_the_handlers_answer(
    client: AsyncTestClient[Litestar], query: str
) -> None:
    path = f"/v1/articles/{await _article(client)}/annotations?{query}"
    answer = await client.get(path)
    if query == "limit=5&limit=6":  # repeated: the handler's query parsing decides, as it always has
        assert answer.status_code in (200, 400, 422)
    else:
        assert answer.status_code in (400, 422) and answer.headers["content-type"] == "application/problem+json"


async def test_a_plain_list_read_checks_the_key_in_the_database_not_only_in_memory(
    settings: Settings, tenant: Tenant, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain read waits for no barrier: its own query reads nothing once the key is revoked, even while
    this process has not heard of the revocation (here it never will: notifications are dropped), and the
    request goes on to the app."""
    metrics = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    app = create_app(msgspec.structs.replace(settings, page_cache_bytes=0))
    async with AsyncTestClient(app=app) as client:
        client.headers.update(tenant.headers("write"))
        async with asyncio.timeout(10):
            while not app.state.listener.live:
                await asyncio.sleep(0.01)
        path = f"/v1/articles/{await _article(client)}/annotations?limit=500"
        seen = _list_requests_seen_by_the_app((await client.get("/metrics", headers=metrics)).text)
        assert (await client.get(path)).status_code == 200
        assert _list_requests_seen_by_the_app((await client.get("/metrics", headers=metrics)).text) == seen
        monkeypatch.setattr(app.state.caches, "changed", lambda payload: None)
        await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", tenant.write.split("_")[1])
        await client.get(path)
        assert _list_requests_seen_by_the_app((await client.get("/metrics", headers=metrics)).text) == seen + 1
