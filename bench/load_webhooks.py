"""The webhook half of `make load`: a receiver that every server delivers to, and the checks on what it got.

Before the clients start, the tenant registers one webhook (all event types) with an admin key. The receiver is
an HTTP/1.1 server in the load process; it verifies each delivery's signature with the `standardwebhooks` package
and the secret Factmark showed at registration, and answers a share of them 503 on purpose, so retries happen
throughout (also while one server is down, and for deliveries that server had claimed when it was killed).

After the load, the servers keep running until the receiver has every event of the tenant (or a deadline
passes). Then: every event was delivered with a valid signature (duplicates are allowed: delivery is at least
once, and a server killed after the receiver answered but before it recorded the attempt sends it again); the
body's id is the `webhook-id`; each article's events were first accepted in the order they were written; no
delivery is stored as failed; and the events agree with the acknowledged writes (each created article and
annotation has exactly one creation event, each acknowledged delete one deletion event, each article as many
text revisions as were acknowledged).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.domain.keys import generate_key
from service.store import keys as key_store

RETRY_SCHEDULE = ",".join(["0.2", "0.5"] + ["1"] * 20)
SERVER_SETTINGS = {
    "FACTMARK_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver listens on 127.0.0.1
    "FACTMARK_WEBHOOK_RETRY_SCHEDULE": RETRY_SCHEDULE,
    "FACTMARK_WEBHOOK_TIMEOUT_SECONDS": "3",  # a delivery claimed by the killed server is due again 8 s later
    "FACTMARK_WEBHOOK_POLL_SECONDS": "0.2",
}
"""What every `serve` process of the load test runs with."""


@dataclass
class Received:
    """What the receiver saw: every request, and the first acceptance of each event id in arrival order."""

    requests: int = 0
    failed_on_purpose: int = 0
    bad_signatures: list[str] = field(default_factory=list)
    mismatched_ids: list[str] = field(default_factory=list)
    accepted: dict[int, int] = field(default_factory=dict)  # event id -> arrival number of its first acceptance
    duplicates: int = 0


class Receiver:
    """An asyncio HTTP/1.1 server (keep-alive) that verifies each POST's Standard Webhooks signature and answers
    204, or 503 for a share `fail_share` of the valid ones (chosen at random), or 400 for a bad signature."""

    def __init__(self, fail_share: float, seed: int) -> None:
        self.fail_share = fail_share
        self.rng = random.Random(seed)
        self.secret = ""
        self.received = Received()
        self.arrivals = 0
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and hang up on the servers' keep-alive connections (their handlers end normally)."""
        if self._server is not None:
            self._server.close()
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            while request_line := await reader.readline():
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self._answer(request_line, headers, body)
                reason = {204: "No Content", 400: "Bad Request", 503: "Service Unavailable"}[status]
                writer.write(f"HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            del self._connections[task]

    def _answer(self, request_line: bytes, headers: dict[str, str], body: bytes) -> int:
        received = self.received
        received.requests += 1
        webhook_id = headers.get("webhook-id", "")
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            received.bad_signatures.append(f"{request_line.decode(errors='replace').strip()} {webhook_id}: {exc}")
            return 400
        event = msgspec.json.decode(body)
        if str(event.get("id")) != webhook_id:
            received.mismatched_ids.append(f"webhook-id {webhook_id}, body id {event.get('id')}")
        if self.rng.random() < self.fail_share:
            received.failed_on_purpose += 1
            return 503
        self.arrivals += 1
        event_id = int(webhook_id)
        if event_id in received.accepted:
            received.duplicates += 1
        else:
            received.accepted[event_id] = self.arrivals
        return 204


async def register(database_url: str, tenant_id: uuid.UUID, base: str, receiver: Receiver) -> None:
    """An admin key for the tenant, and through it (over HTTP, as a CMS would) a webhook for every event type
    pointing at the receiver, whose secret the receiver keeps."""
    key = generate_key()
    connection = await asyncpg.connect(database_url)
    try:
        await key_store.insert_key(connection, tenant_id, key, ("admin",))
    finally:
        await connection.close()
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = msgspec.json.encode({"url": receiver.url, "description": "make load"})
    writer.write(
        (
            f"POST /v1/webhooks HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, content = answer.partition(b"\r\n\r\n")
    if b" 201 " not in head.split(b"\r\n")[0] + b" ":
        raise RuntimeError(f"registering the webhook failed: {answer[:500]!r}")
    receiver.secret = msgspec.json.decode(content)["secret"]


@dataclass
class StoredEvent:
    id: int
    type: str
    article_id: str | None
    annotation_id: str | None


async def _fetch(database_url: str, query: str, *arguments: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        rows: list[asyncpg.Record] = await connection.fetch(query, *arguments)
        return rows
    finally:
        await connection.close()


async def stored_events(database_url: str, tenant_id: uuid.UUID) -> list[StoredEvent]:
    """The tenant's events in the order they were written (the order deliveries of one article keep)."""
    query = "SELECT id, type, article_id, annotation_id FROM events WHERE tenant_id = $1 ORDER BY xid, id"
    rows = await _fetch(database_url, query, tenant_id)
    return [StoredEvent(row["id"], row["type"], _str(row["article_id"]), _str(row["annotation_id"])) for row in rows]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


async def drain(database_url: str, tenant_id: uuid.UUID, receiver: Receiver, timeout: float) -> float:
    """Wait until the receiver accepted every stored event (or `timeout`); the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        events = await stored_events(database_url, tenant_id)
        if all(event.id in receiver.received.accepted for event in events):
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - began


async def delivery_states(database_url: str, tenant_id: uuid.UUID) -> Counter[str]:
    query = "SELECT state, count(*) AS n FROM webhook_deliveries WHERE tenant_id = $1 GROUP BY state"
    return Counter({row["state"]: row["n"] for row in await _fetch(database_url, query, tenant_id)})


def check_deliveries(events: list[StoredEvent], received: Received, states: Counter[str]) -> list[str]:
    """What is wrong with the deliveries: missing, unknown, unsigned, out of order within an article, failed."""
    failures: list[str] = []
    stored_ids = {event.id for event in events}
    missing = [event for event in events if event.id not in received.accepted]
    if missing:
        kinds = Counter(event.type for event in missing)
        failures.append(f"{len(missing)} of {len(events)} events never delivered ({dict(kinds)}; first {missing[0]})")
    unknown = received.accepted.keys() - stored_ids
    if unknown:
        failures.append(f"{len(unknown)} deliveries of events the tenant does not have (e.g. {min(unknown)})")
    for bad in received.bad_signatures[:5]:
        failures.append(f"bad signature: {bad}")
    for bad in received.mismatched_ids[:5]:
        failures.append(f"delivery body does not match its header: {bad}")
    by_article: dict[str, list[int]] = defaultdict(list)
    for event in events:
        if event.article_id is not None and event.id in received.accepted:
            by_article[event.article_id].append(received.accepted[event.id])
    out_of_order = [article for article, arrivals in by_article.items() if arrivals != sorted(arrivals)]
    if out_of_order:
        failures.append(f"{len(out_of_order)} articles' events first accepted out of order (e.g. {out_of_order[0]})")
    if states.get("failed"):
        failures.append(f"{states['failed']} deliveries stored as failed (given up)")
    return failures


def check_against_writes(
    events: list[StoredEvent],
    articles: set[str],
    annotations: set[str],
    deleted: set[str],
    revisions: dict[str, list[int]],
) -> list[str]:
    """The events agree with the acknowledged writes: one creation per created article and annotation, one
    deletion per deleted annotation, one text revision per acknowledged replacement."""
    failures: list[str] = []

    def once(kind: str, ids: list[str | None], expected: set[str]) -> None:
        counts = Counter(ids)
        twice = [i for i, n in counts.items() if n > 1]
        if twice:
            failures.append(f"{len(twice)} {kind} events repeat an id (e.g. {twice[0]})")
        if counts.keys() != expected:
            lacking, extra = expected - counts.keys(), counts.keys() - expected
            failures.append(f"{kind}: {len(lacking)} acknowledged without an event, {len(extra)} events unacknowledged")

    by_type: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in events:
        by_type[event.type].append(event)
    once("article.created", [e.article_id for e in by_type["article.created"]], articles)
    once("annotation.created", [e.annotation_id for e in by_type["annotation.created"]], annotations)
    once("annotation.deleted", [e.annotation_id for e in by_type["annotation.deleted"]], deleted)
    revised = Counter(e.article_id for e in by_type["article.text_revised"])
    wrong = [a for a in articles if revised.get(a, 0) != len(revisions.get(a, []))]
    if wrong:
        failures.append(f"{len(wrong)} articles' article.text_revised events differ from their acknowledged texts")
    return failures


def summary(events: list[StoredEvent], received: Received, seconds: float, states: Counter[str]) -> str:
    kinds = ", ".join(f"{kind}: {n}" for kind, n in Counter(e.type for e in events).most_common())
    return (
        f"webhooks: {len(events)} events ({kinds}); receiver got {received.requests} requests, accepted "
        f"{len(received.accepted)} events ({received.duplicates} again: at-least-once), answered "
        f"{received.failed_on_purpose} 503 on purpose, {len(received.bad_signatures)} bad signatures; "
        f"waited {seconds:.1f} s after the load for the last; deliveries stored by state: {dict(states)}"
    )
