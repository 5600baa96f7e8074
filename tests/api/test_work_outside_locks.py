"""CPU work holds no lock and no connection: a write's quote search and re-anchoring run on the text read before
its transaction, and are done again if that text changed by the time the write holds its lock. Here the first
heavy step is parked until released; with one pooled connection, a text revision still completes meanwhile. The app
runs in the test's own event loop (Litestar's test client would run one request at a time)."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import msgspec

from service.app import create_app
from service.operations.compute import Compute
from service.operations.transaction import TEXT_ATTEMPTS
from service.store.annotations import INSERT_COLUMNS
from tests.conftest import TEST_HOST
from tests.fixtures import RIGA, riga_article


class ParkedFirstStep(Compute):
    """Compute whose first heavy step waits for `release`."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.parked = asyncio.Event()
        self.release = asyncio.Event()
        self.armed = False

    async def run(self, fn: Any, *args: Any, location: str = "") -> Any:
        if self.armed:
            self.armed = False
            self.parked.set()
            await self.release.wait()
        return await super().run(fn, *args, location=location)


@asynccontextmanager
async def parked_app(settings, tenant):
    """The app with one pooled connection and a parking Compute, served in this task (lifespan scopes are
    task-bound, so this is a context manager in the test rather than a fixture)."""
    app = create_app(msgspec.structs.replace(settings, pool_min_size=1, pool_max_size=1))
    compute = ParkedFirstStep(app.state.settings)
    app.state.compute = compute
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=f"http://{TEST_HOST}") as client:
        client.headers.update(tenant.headers("write"))
        yield client, compute


async def _article(client):
    created = await client.post("/v1/articles", json=riga_article(url="https://x.example/parked", annotations=[]))
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def _while_parked(compute, write, revise):
    """Start `write`, let it park in its next heavy step, run `revise` to the end meanwhile, then release `write`."""
    compute.armed = True
    task = asyncio.create_task(write)
    try:
        parked = asyncio.create_task(compute.parked.wait())
        await asyncio.wait({task, parked}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert not task.done(), task.result().text  # the write is parked in its heavy step, not answered
        revised = await asyncio.wait_for(revise, 10)  # times out if the parked write held the one connection
    finally:
        compute.release.set()
    return await asyncio.wait_for(task, 30), revised


async def test_a_batch_parked_in_its_quote_search_holds_no_lock_and_is_placed_on_the_new_text(settings, tenant):
    async with parked_app(settings, tenant) as (client, compute):
        article = await _article(client)
        batch = [
            {"kind": "claim", "quote": "has denied this"},
            {"kind": "figure", "quote": "4,500 tonnes", "value": 4500},
        ]
        created, revised = await _while_parked(
            compute,
            client.post(f"/v1/articles/{article}/annotations", json=batch),
            client.put(f"/v1/articles/{article}/text", json={"text": "Updated. " + RIGA}),
        )
        assert revised.status_code == 200, revised.text
        assert created.status_code == 201, created.text
        for item in created.json()["items"]:
            assert item["anchor"]["revision"] == 2  # found again on the new text, not stored at the old offsets
            assert ("Updated. " + RIGA)[item["start"] : item["end"]] == item["quote"]


async def test_a_text_revision_parked_in_re_anchoring_is_done_again_after_a_concurrent_one(settings, tenant):
    async with parked_app(settings, tenant) as (client, compute):
        article = await _article(client)
        added = await client.post(
            f"/v1/articles/{article}/annotations", json={"kind": "claim", "quote": "has denied this"}
        )
        assert added.status_code == 201, added.text
        first, second = await _while_parked(
            compute,
            client.put(f"/v1/articles/{article}/text", json={"text": "First. " + RIGA}),
            client.patch(f"/v1/annotations/{added.json()['id']}", json={"quote": "left the port"}),
        )
        assert second.status_code == 200, second.text
        assert first.status_code == 200, first.text
        now = (await client.get(f"/v1/annotations/{added.json()['id']}")).json()
        assert now["quote"] == "left the port" and now["anchor"]["revision"] == 2
        assert ("First. " + RIGA)[now["start"] : now["end"]] == "left the port"


class InterferingSteps(Compute):
    """Compute that, before each heavy step, has another writer change `article` straight in the database
    (`interfere`): every plan made outside the lock is stale by the time the write holds its lock. A step run
    under the article's lock makes that writer wait; it gives up after a moment (`lock_timeout`), uncounted."""

    def __init__(self, settings: Any, db: Any) -> None:
        super().__init__(settings)
        self.db = db
        self.article: str | None = None
        self.interfered = 0

    async def interfere(self, article_id: uuid.UUID) -> None:
        raise NotImplementedError

    async def run(self, fn: Any, *args: Any, location: str = "") -> Any:
        if self.article is not None:
            try:
                async with self.db.transaction():
                    await self.db.execute("SET LOCAL lock_timeout = '300ms'")
                    await self.interfere(uuid.UUID(self.article))
                self.interfered += 1
            except asyncpg.LockNotAvailableError:
                pass  # this step holds the article: nobody can change it
        return await super().run(fn, *args, location=location)


class OvertakenSteps(InterferingSteps):
    """Another writer adds an annotation to the article before each heavy step."""

    async def interfere(self, article_id: uuid.UUID) -> None:
        await self.db.execute(
            f"""INSERT INTO annotations ({", ".join(INSERT_COLUMNS)})
                SELECT {", ".join("gen_random_uuid()" if c == "id" else c for c in INSERT_COLUMNS)}
                FROM annotations WHERE article_id = $1 LIMIT 1""",
            article_id,
        )


@asynccontextmanager
async def interfering_app(settings, tenant, db, kind: type[InterferingSteps]):
    """The app with a Compute of `kind`, served in this task, and a client with the tenant's write key."""
    app = create_app(settings)
    compute = kind(app.state.settings, db)
    app.state.compute = compute
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=f"http://{TEST_HOST}") as client:
        client.headers.update(tenant.headers("write"))
        yield client, compute


async def test_a_text_revision_overtaken_by_annotation_writes_every_time_still_lands(settings, tenant, db):
    """The last attempt re-anchors under the lock, so a current If-Match is never answered 409 however busy the
    article is; every annotation the revision locked moves to the new text."""
    async with interfering_app(settings, tenant, db, OvertakenSteps) as (client, compute):
        created = await client.post("/v1/articles", json=riga_article(url="https://x.example/busy"))
        assert created.status_code == 201, created.text
        article = created.json()["id"]
        compute.article = article
        current = {"If-Match": created.headers["etag"]}
        revised = await client.put(f"/v1/articles/{article}/text", json={"text": "Busy. " + RIGA}, headers=current)
        compute.article = None
        assert revised.status_code == 200, revised.text
        assert compute.interfered == TEXT_ATTEMPTS - 1  # every attempt made outside the lock
        assert revised.json()["revision"] == 2 and revised.json()["counts"]["orphaned"] == 0
        listed = (await client.get(f"/v1/articles/{article}/annotations", params={"limit": 500})).json()["items"]
        moved = [a for a in listed if a["anchor"]["revision"] == 2]
        assert len(moved) >= 4 and all(("Busy. " + RIGA)[a["start"] : a["end"]] == a["quote"] for a in moved)


class RevisedBeforeEachStep(InterferingSteps):
    """Another writer makes the article's text a new revision (the same words) before each heavy step: every
    span found outside the lock was found on a revision that is gone by the time the write holds its lock."""

    async def interfere(self, article_id: uuid.UUID) -> None:
        await self.db.execute(
            """INSERT INTO article_revisions (tenant_id, article_id, revision, text, length, length_utf16)
               SELECT r.tenant_id, r.article_id, r.revision + 1, r.text, r.length, r.length_utf16
               FROM articles a JOIN article_revisions r
                 ON r.tenant_id = a.tenant_id AND r.article_id = a.id AND r.revision = a.revision
               WHERE a.id = $1 FOR UPDATE OF a""",
            article_id,
        )
        await self.db.execute("UPDATE articles SET revision = revision + 1 WHERE id = $1", article_id)


async def test_annotations_written_while_the_text_is_revised_every_time_still_land(settings, tenant, db):
    """A create's and a PATCH's last attempt find their spans under the lock: a busy article is not a 409."""
    async with interfering_app(settings, tenant, db, RevisedBeforeEachStep) as (client, compute):
        article = await _article(client)
        compute.article = article
        claim = {"kind": "claim", "quote": "has denied this"}
        batch = [claim, {"kind": "figure", "quote": "4,500 tonnes", "value": 4500}]
        created = await client.post(f"/v1/articles/{article}/annotations", json=batch)
        assert created.status_code == 201, created.text
        assert compute.interfered == TEXT_ATTEMPTS - 1  # every attempt made outside the lock was overtaken
        revision = TEXT_ATTEMPTS  # 1, and one more per overtaken attempt
        for item in created.json()["items"]:
            assert item["anchor"]["revision"] == revision and RIGA[item["start"] : item["end"]] == item["quote"]

        compute.interfered = 0
        stored = created.json()["items"][0]
        moved = await client.patch(f"/v1/annotations/{stored['id']}", json={"quote": "left the port"})
        assert moved.status_code == 200, moved.text
        assert compute.interfered == TEXT_ATTEMPTS - 1
        assert moved.json()["quote"] == "left the port" and moved.json()["anchor"]["revision"] == revision + 2

        compute.interfered = 0
        document = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": "Checked", "purpose": "commenting"},
            "target": {
                "source": "https://x.example/parked",
                "selector": {"type": "TextQuoteSelector", "exact": "4,500 tonnes"},
            },
        }
        w3c = await client.post(f"/w3c/articles/{article}/", json=document)
        assert w3c.status_code == 201, w3c.text
        assert compute.interfered == TEXT_ATTEMPTS - 1


async def test_a_quote_missing_from_the_text_found_under_the_lock_is_still_a_422(settings, tenant, db):
    async with interfering_app(settings, tenant, db, RevisedBeforeEachStep) as (client, compute):
        article = await _article(client)
        compute.article = article
        refused = await client.post(f"/v1/articles/{article}/annotations", json={"kind": "claim", "quote": "no such"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["pointer"] == "/quote"
        assert compute.interfered == TEXT_ATTEMPTS - 1  # refused only once found under the lock, on the current text
        listed = await client.get(f"/v1/articles/{article}/annotations")
        assert listed.json()["items"] == []
