"""The feed and the stream against a live `factmark serve` (concurrent clients): exactly once in commit order
under 20 concurrent writers, long-poll woken by the commit, Server-Sent Events within a second, resumed with
Last-Event-ID, authenticated by a stream token, with CORS for a browser extension."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_tenant
from tests.fixtures import riga_article
from tests.live_events import read_feed
from tests.live_server import live_server


@pytest.fixture(scope="module")
def server(migrated: str) -> Iterator[str]:
    with live_server(
        migrated, webhook_delivery="false", cors_origins="https://reader.example", sse_heartbeat_seconds="1"
    ) as (base, _):
        yield base


def article_body(n: int) -> dict:
    return riga_article(url=f"https://news.example.com/2026/12/live-{n}", annotations=[])


async def test_a_consumer_during_20_concurrent_writers_sees_exactly_the_events_held_in_commit_order(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    headers = tenant.headers("write")
    stop = asyncio.Event()
    seen: list[str] = []

    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=30) as http:

        async def consume() -> None:
            cursor = None
            while True:
                done = stop.is_set()
                query = {"limit": 7, **({"after": cursor} if cursor else {})}
                page = (await http.get("/v1/events", params=query)).json()
                seen.extend(item["id"] for item in page["items"])
                cursor = page["next_cursor"]
                if done and not page["items"]:
                    return

        async def write(n: int) -> None:
            article = (await http.post("/v1/articles", json=article_body(n))).json()
            for m in range(4):
                answer = await http.patch(f"/v1/articles/{article['id']}", json={"title": f"take {m}"})
                assert answer.status_code == 200

        consumer = asyncio.create_task(consume())
        await asyncio.gather(*(write(n) for n in range(20)))
        stop.set()
        await consumer
    held = [str(r["id"]) for r in await db.fetch("SELECT id FROM events ORDER BY xid, id")]
    assert len(held) == 20 * 5
    assert seen == held
    # The sequence hands ids out in another order than the commits: a plain `id > last` cursor would skip.
    assert len(set(seen)) == len(seen)


async def test_long_poll_answers_when_the_write_commits(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    _, cursor = read_feed(server, tenant.read)
    async with httpx.AsyncClient(base_url=server, headers=tenant.headers("write"), timeout=30) as http:
        poll = asyncio.create_task(http.get("/v1/events", params={"after": cursor, "wait": 20}))
        await asyncio.sleep(0.5)
        written = time.monotonic()
        await http.post("/v1/articles", json=article_body(1))
        page = (await poll).json()
        assert time.monotonic() - written < 2
    assert [item["type"] for item in page["items"]] == ["article.created"]


class SSEReader:
    """Reads an event stream in a thread, recording each event with the time it arrived."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: list[tuple[float, dict[str, str]]] = []
        self.comments = 0
        self.status: int | None = None
        self.response_headers: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, headers), daemon=True)
        self._thread.start()

    def _run(self, url: str, headers: dict[str, str]) -> None:
        with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(30, read=30)) as response:
            self.status = response.status_code
            self.response_headers = dict(response.headers)
            current: dict[str, str] = {}
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self.comments += 1
                elif line == "":
                    if "data" in current:
                        self.events.append((time.monotonic(), current))
                    current = {}
                elif ":" in line:
                    name, _, value = line.partition(":")
                    current[name] = current.get(name, "") + value.removeprefix(" ")

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[float, dict[str, str]]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.events) >= count, f"{len(self.events)} events, expected {count}"
        return self.events

    def close(self) -> None:
        self._stop.set()


async def test_the_stream_delivers_within_a_second_and_resumes_from_last_event_id(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    headers = {**tenant.headers("read"), "Origin": "https://reader.example"}
    reader = SSEReader(f"{server}/v1/events/stream", headers)
    async with httpx.AsyncClient(base_url=server, headers=tenant.headers("write"), timeout=30) as http:
        await asyncio.sleep(0.5)
        written = time.monotonic()
        first = (await http.post("/v1/articles", json=article_body(2))).json()
        arrived, event = reader.wait_for(1)[0]
        assert arrived - written < 1.0
        assert reader.status == 200 and reader.response_headers["content-type"].startswith("text/event-stream")
        assert reader.response_headers["access-control-allow-origin"] == "https://reader.example"
        assert event["event"] == "article.created"
        assert json.loads(event["data"])["article_id"] == first["id"]
        reader.close()
        # Events written while no one listens come on reconnection after the Last-Event-ID.
        second = (await http.post("/v1/articles", json=article_body(3))).json()
        await http.patch(f"/v1/articles/{second['id']}", json={"title": "Later"})
    resumed = SSEReader(f"{server}/v1/events/stream", {**tenant.headers("read"), "Last-Event-ID": event["id"]})
    events = [e for _, e in resumed.wait_for(2)]
    assert [e["event"] for e in events[:2]] == ["article.created", "article.updated"]
    assert all(json.loads(e["data"])["article_id"] == second["id"] for e in events[:2])
    time.sleep(1.5)
    resumed.close()
    assert resumed.comments >= 2  # the opening comment and at least one heartbeat (1 s in this test)


async def test_an_eventsource_authenticates_with_a_stream_token(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    other = await make_tenant(db, "Riga Herald")
    minted = httpx.post(f"{server}/v1/events/stream-tokens", headers=tenant.headers("read"))
    assert minted.status_code == 201
    token = minted.json()["token"]
    reader = SSEReader(f"{server}/v1/events/stream?access_token={token}", {})
    httpx.post(f"{server}/v1/articles", json=article_body(4), headers=other.headers("write"))
    httpx.post(f"{server}/v1/articles", json=article_body(5), headers=tenant.headers("write"))
    events = reader.wait_for(1)
    reader.close()
    assert len(events) == 1  # the other tenant's article never shows
    refused = httpx.get(f"{server}/v1/events/stream?access_token=fmst_0123456789abcdef_nope")
    assert refused.status_code == 401
    assert httpx.get(f"{server}/v1/events?access_token={token}").status_code == 401  # only the stream takes it


async def test_concurrent_changes_of_one_annotation_come_out_in_the_order_they_were_made(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    async with httpx.AsyncClient(base_url=server, headers=tenant.headers("write"), timeout=30) as http:
        body = riga_article(url="https://news.example.com/2026/12/live-one-claim")
        article = (await http.post("/v1/articles", json=body)).json()
        claim = next(a for a in article["annotations"] if a["kind"] == "claim")

        async def edit(n: int) -> None:
            for m in range(5):
                answer = await http.patch(f"/v1/annotations/{claim['id']}", json={"note": f"{n}.{m}"})
                assert answer.status_code == 200

        await asyncio.gather(*(edit(n) for n in range(10)))
    events, _ = read_feed(server, tenant.read, types="annotation.updated", limit=500)
    versions = [e["data"]["version"] for e in events if e["annotation_id"] == claim["id"]]
    assert versions == list(range(2, 52))


async def test_concurrent_changes_of_one_article_come_out_in_the_order_they_were_made(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    async with httpx.AsyncClient(base_url=server, headers=tenant.headers("write"), timeout=30) as http:
        article = (await http.post("/v1/articles", json=article_body(40))).json()

        async def edit(n: int) -> None:
            for m in range(5):
                answer = await http.patch(f"/v1/articles/{article['id']}", json={"title": f"take {n}.{m}"})
                assert answer.status_code == 200

        await asyncio.gather(*(edit(n) for n in range(10)))
    events, _ = read_feed(server, tenant.read, types="article.updated", limit=500)
    assert [e["data"]["version"] for e in events] == list(range(2, 52))
