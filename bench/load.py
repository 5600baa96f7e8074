"""`python -m bench.load` (`make load`): a load test with a correctness verdict.

One PostgreSQL (embedded pgserver in a temporary directory, or DATABASE_URL when set) and three `factmark serve`
processes (`--servers N`) on their own ports sharing it. Many asyncio clients (raw keep-alive HTTP/1.1, one
connection to each server per client, requests going to the servers in turn) run a newsroom-like mix for a bounded
time: create articles (some with an Idempotency-Key, retried on purpose: one after the other, concurrently on two
servers, or after abandoning the first attempt), add annotation batches, list and read annotations, read articles
with their annotations and text, look articles up by messy URLs, PATCH annotations with If-Match (412s under
contention are correct answers), replace article text with If-Match, delete annotations.

The fault (unless `--no-kill`): a quarter of the way in, the last server is killed with SIGKILL, requests in
flight on it cut off; a quarter later it is started again on its port, and takes requests once it answers
/healthz. While it is down the clients leave it out, as a load balancer's health check would. A write cut off by
the kill is resolved the way a careful client would: a POST is retried with its Idempotency-Key on another server
(with the fault, every POST carries one); a text replacement or DELETE is checked by reading through another
server whether it took effect; a PATCH cut off may or may not have happened (its note may be written by another
client since), and the lost-update check allows either. The report gives throughput, p50/p99 and errors for each phase.

Every acknowledged (2xx) write is recorded with the ids it returned. Afterwards the database is checked directly:
every acknowledged article and annotation is there exactly once and nothing else is; acknowledged deletes are gone;
each article's revision counts its acknowledged text replacements; no PATCH was lost (each one increments a
counter it read under If-Match); every annotation agrees with the text it is anchored to (quote, code point and
UTF-16 offsets, prefix, suffix, anchor revision). Any 5xx, connection error, unexpected 4xx (anything but 409/412)
or failed check makes the exit status 1 (requests cut off by the kill are counted apart: they are the fault).

Webhooks (bench/load_webhooks.py): the tenant registers one for every event type, pointing at a receiver in this
process that verifies each signature with the `standardwebhooks` package and answers 5% of deliveries 503. After the
load the servers run on until every event has been delivered; any event not delivered, delivered out of its
article's order or unsigned, or any mismatch between the events and the acknowledged writes, fails the run.

The per-key rate limit is set to 1,000,000 a minute on both servers: the limiter code runs, but never answers 429.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import msgspec

from bench import load_webhooks as webhooks
from bench.harness import Database, Server, service_server
from service.domain.anchoring import CONTEXT_LENGTH

RATE_LIMIT = "1000000"
REQUEST_TIMEOUT = 20.0
WEBHOOK_FAIL_SHARE = 0.05  # deliveries the receiver answers 503 on purpose: retries throughout the run
DRAIN_SECONDS = 240.0  # how long after the load the servers have to deliver the last events
HOT_ANNOTATIONS = 24  # annotations PATCHed by many clients at once (never deleted)


# ---------------------------------------------------------------- HTTP


class ConnectionFailed(Exception):
    """The connection broke or timed out before a whole answer arrived."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port (cheap on the CPU: the client shares two cores with
    two servers and PostgreSQL)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.reader.at_eof() or self.writer.is_closing():
            self.close()
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self.reader, self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    @staticmethod
    def _head(method: str, target: str, port: int, headers: dict[str, str], body: bytes | None) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send_only(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> None:
        """Send a request and hang up without reading the answer (a client whose response got lost)."""
        _, writer = await self._open()
        writer.write(self._head(method, target, self.port, headers, body) + (body or b""))
        await writer.drain()
        self.close()

    async def request(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> Answer:
        try:
            return await asyncio.wait_for(self._exchange(method, target, headers, body), REQUEST_TIMEOUT)
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            self.close()
            raise ConnectionFailed(f"{exc.__class__.__name__}: {exc}") from exc

    async def _exchange(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> Answer:
        reader, writer = await self._open()
        writer.write(self._head(method, target, self.port, headers, body) + (body or b""))
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise EOFError("the server closed the connection without answering")
        status = int(status_line.split(b" ", 2)[1])
        answer_headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            answer_headers[name.strip().lower()] = value.strip()
        if "content-length" in answer_headers:
            content = await reader.readexactly(int(answer_headers["content-length"]))
        elif answer_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            while await reader.readline() not in (b"\r\n", b""):
                pass
            content = b"".join(chunks)
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:
            content = await reader.read()
            self.close()
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, answer_headers, content)


# ---------------------------------------------------------------- the articles' texts

FILLERS = (
    "Traders in Gdańsk watched the weather 🌧 closely.",
    "Prices at the café in Tartu rose again ☕.",
    "The harbour master declined to comment.",
    "Rail freight 🚆 was slower than usual this week.",
    "Analysts in Vilnius expect a quieter winter.",
    "Ferries to Helsinki ran on time ⛴ despite the wind.",
    "A spokesperson 👩‍💼 promised more details soon.",
    "Farmers near Jelgava 🌾 reported a late harvest.",
    "Dock workers said the cranes were idle for 𝟐 hours.",
    "Insurers have not published their figures yet.",
)
PHRASES = (
    "Minister {t} said that about {n},500 tonnes of grain 🚢 had left the port",
    "The agency of {t} told reporters the vessels were insured",
    "The owner {t} has denied reports of a blockade",
    "Officials quoted by {t} counted at least {n}00 trucks 🚚 at the border",
    "The ministry named {t} dismissed the claims as rumours",
    "A report signed by {t} put the losses at €{n} million",
)
PERMANENT = 4  # phrases every revision keeps: new annotations and span PATCHes quote them
TRANSIENT = 3  # phrases a text replacement may drop, alter or bring back: orphans and approximate relocations


def _phrase(serial: int, index: int) -> str:
    token = f"Ōzola-{serial:06d}{chr(ord('A') + index)}"  # fixed width: no token is part of another
    return PHRASES[index % len(PHRASES)].format(t=token, n=index + 3)


def _sub_quote(phrase: str, rng: random.Random) -> str:
    """A span of whole words of the phrase that includes its token, so it occurs exactly once in any text."""
    words = phrase.split(" ")
    token = next(i for i, word in enumerate(words) if word.startswith("Ōzola-"))
    if rng.random() < 0.4:
        return phrase
    return " ".join(words[rng.randint(0, token) : rng.randint(token + 1, len(words))])


def _alter(phrase: str) -> str:
    """A slightly edited phrase (a word changed, the token kept): re-anchoring finds it approximately or not."""
    for old, new in (("tonnes", "tons"), ("reporters", "journalists"), ("reports", "rumours"), ("the", "a")):
        if f" {old} " in phrase:
            return phrase.replace(f" {old} ", f" {new} ", 1)
    return phrase + " again"


def compose(phrases: list[str], rng: random.Random, marker: str) -> str:
    """Paragraphs of filler sentences with the phrases (each a sentence) among them."""
    sentences = [phrase + "." for phrase in phrases]
    sentences += [*rng.sample(FILLERS, rng.randint(3, 7)), marker]
    rng.shuffle(sentences)
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    return "\n\n".join(paragraphs)


def utf16_offset(text: str, codepoint: int) -> int:
    return len(text[:codepoint].encode("utf-16-le")) // 2


# ---------------------------------------------------------------- what the clients know


@dataclass
class ArticleState:
    id: str
    serial: int
    url: str
    alternate: str
    stable: bool
    """Never gets a new text: annotations are sent with offsets computed from `text`."""
    text: str
    permanent: list[str]
    transient: list[str]
    puts: int = 0


@dataclass
class AnnotationState:
    id: str
    article: ArticleState
    kind: str
    users: int = 0
    hot: bool = False


class Pick:
    """A set with O(1) add, remove and random choice."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.index: dict[str, int] = {}

    def add(self, key: str, item: Any) -> None:
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append((key, item))

    def remove(self, key: str) -> None:
        i = self.index.pop(key)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.index[last[0]] = i

    def choice(self, rng: random.Random) -> Any:
        return rng.choice(self.items)[1] if self.items else None

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Ledger:
    """Every acknowledged write, and every answer that was wrong."""

    articles: dict[str, str] = field(default_factory=dict)  # id -> logical request
    annotations: dict[str, str] = field(default_factory=dict)  # id -> logical request
    annotation_article: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    patches: Counter[str] = field(default_factory=Counter)
    patches_in_doubt: Counter[str] = field(default_factory=Counter)  # cut off by the kill: applied or not
    revisions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> logical request
    key_answers: dict[str, list[str]] = field(default_factory=dict)  # Idempotency-Key -> what its client got
    problems: list[str] = field(default_factory=list)
    read_skew: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def created(self, table: dict[str, str], ids: list[str], request: str) -> None:
        for id_ in ids:
            if table.setdefault(id_, request) != request:
                self.problem(f"id {id_} acknowledged by two different requests ({table[id_]} and {request})")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    phase_latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    phase_statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    phase_seconds: dict[str, float] = field(default_factory=dict)
    replays: Counter[str] = field(default_factory=Counter)
    abandoned: int = 0
    bad: list[str] = field(default_factory=list)  # first answers of each unexpected kind


# ---------------------------------------------------------------- the clients


class Failed(Exception):
    """An answer this client could not go on from (already recorded)."""


class InDoubt(Failed):
    """The server this request went to was killed before it answered: the write may or may not have happened."""


KILLED = "killed server"
"""The status counted for a request cut off by the killed server (or refused by it until it is back)."""


class World:
    def __init__(self, ports: list[int], token: str, seconds: float, seed: int) -> None:
        self.ports, self.token, self.seconds = ports, token, seconds
        self.seed = seed
        self.articles = Pick()
        self.editable = Pick()
        self.annotations = Pick()
        self.hot: list[AnnotationState] = []
        self.hot_articles = Pick()
        """The articles of the hot annotations: edited, annotated and PATCHed at once, like a live story."""
        self.hot_editable = Pick()
        self.ledger = Ledger()
        self.stats = Stats()
        self.serial = 0
        self.run_tag = uuid.uuid4().hex[:8]
        self.victim: int | None = None
        """The port of the server the fault kills (None: no fault)."""
        self.down: set[int] = set()
        self.phase = "steady"

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def register(self, annotation: AnnotationState) -> None:
        if len(self.hot) < HOT_ANNOTATIONS:
            annotation.hot = True
            self.hot.append(annotation)
            self.hot_articles.add(annotation.article.id, annotation.article)
            if not annotation.article.stable:
                self.hot_editable.add(annotation.article.id, annotation.article)
        self.annotations.add(annotation.id, annotation)


class Client:
    WEIGHTS = {
        "create_article": 6,
        "add_annotations": 12,
        "list_annotations": 14,
        "get_article": 8,
        "get_annotation": 12,
        "lookup_url": 10,
        "patch_annotation": 18,
        "replace_text": 3,
        "delete_annotation": 6,
    }

    def __init__(self, world: World, number: int) -> None:
        self.world = world
        self.rng = random.Random(world.seed * 1000 + number)
        self.connections = [Connection(port) for port in world.ports]
        self.turn = number % len(self.connections)
        self.auth = {"Authorization": f"Bearer {world.token}"}

    def close(self) -> None:
        for connection in self.connections:
            connection.close()

    def _connection(self) -> Connection:
        """The servers in turn, request after request, leaving out one known to be down (a load balancer's
        health check would)."""
        for _ in range(len(self.connections)):
            self.turn = (self.turn + 1) % len(self.connections)
            if self.connections[self.turn].port not in self.world.down:
                break
        return self.connections[self.turn]

    def _another(self, port: int) -> Connection:
        """A connection to a server other than `port`, and up."""
        return next(c for c in self.connections if c.port != port and c.port not in self.world.down)

    async def call(
        self,
        op: str,
        method: str,
        target: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        connection: Connection | None = None,
    ) -> Answer:
        """One request, timed and counted under `op`; an answer outside `expect` (or 409/412) is recorded and
        raised as Failed. 409 and 412 come back to the caller, counted apart."""
        payload = None if body is None else msgspec.json.encode(body)
        connection = connection or self._connection()
        began = time.perf_counter()
        stats = self.world.stats
        try:
            answer = await connection.request(method, target, {**self.auth, **(headers or {})}, payload)
        except ConnectionFailed as exc:
            if connection.port == self.world.victim:
                stats.statuses[op][KILLED] += 1
                stats.phase_statuses[self.world.phase][KILLED] += 1
                raise InDoubt(KILLED) from exc
            stats.statuses[op]["connection error"] += 1
            stats.phase_statuses[self.world.phase]["connection error"] += 1
            stats.bad.append(f"{op}: {method} {target} on :{connection.port}: {exc}")
            raise Failed("connection error") from exc
        # A 4xx the caller asked for (a 404 that shows a cut-off DELETE happened) is an answer, not an error.
        asked_for = answer.status in expect and answer.status >= 400
        label = f"{answer.status} as expected" if asked_for else str(answer.status)
        stats.latencies[op].append(time.perf_counter() - began)
        stats.statuses[op][label] += 1
        stats.phase_latencies[self.world.phase].append(time.perf_counter() - began)
        stats.phase_statuses[self.world.phase][label] += 1
        if answer.headers.get("idempotent-replayed") == "true":
            stats.replays[op] += 1
        if answer.status in expect or answer.status in (409, 412):
            return answer
        stats.bad.append(f"{op}: {method} {target} on :{connection.port} -> {answer.status} {answer.body[:600]!r}")
        raise Failed(str(answer.status))

    async def run(self, deadline: float) -> None:
        ops, weights = list(self.WEIGHTS), list(self.WEIGHTS.values())
        op = "create_article"
        while time.monotonic() < deadline:
            with contextlib.suppress(Failed):
                await getattr(self, op)()
            op = self.rng.choices(ops, weights)[0]
            if len(self.world.articles) < 8:
                op = "create_article"
        self.close()

    # -------------------------------------------------------------- writes

    def _item(self, kind: str, quote: str, article: ArticleState, unit: str | None, claim_id: str | None) -> dict:
        item: dict[str, Any] = {"kind": kind, "tags": ["load"]}
        if unit is None:
            item["quote"] = quote
        else:
            start = article.text.index(quote)
            end = start + len(quote)
            if unit == "utf16":
                start, end = utf16_offset(article.text, start), utf16_offset(article.text, end)
            item["start"], item["end"] = start, end
            if self.rng.random() < 0.5:
                item["quote"] = quote
        if kind == "claim":
            item["verdict"] = self.rng.choice(["unverified", "true", "mostly_true", "false", "misleading"])
            item["id"] = claim_id or str(uuid.uuid4())
        elif kind == "attribution":
            item |= {"source": "Minister Ōzola", "source_type": "government", "cue": "said"}
            if claim_id:
                item["claim_id"] = claim_id
        elif kind == "denial":
            item |= {"denier": "The owner", "cue": "denied"}
            if claim_id:
                item["target_id"] = claim_id
        else:
            item |= {"value": 4500, "unit": "tonnes", "approximate": True, "qualifier": "about", "subject": "grain"}
        return item

    def _items(self, article: ArticleState, phrases: list[str], unit: str | None, count: int) -> tuple[list, list]:
        """`count` annotation inputs quoting `phrases`, a claim first with links to it; and their quotes."""
        items, quotes = [], []
        claim_id = None
        for i in range(count):
            quote = _sub_quote(self.rng.choice(phrases), self.rng)
            kind = "claim" if i == 0 and count > 1 else self.rng.choice(["claim", "attribution", "denial", "figure"])
            link = claim_id if kind in ("attribution", "denial") else None
            item = self._item(kind, quote, article, unit, None)
            if i == 0 and kind == "claim":
                claim_id = item["id"]
            if link:
                item["claim_id" if kind == "attribution" else "target_id"] = link
            items.append(item)
            quotes.append(quote)
        return items, quotes

    async def _keyed(self, op: str, target: str, body: dict, request: str) -> Answer | None:
        """POST with an Idempotency-Key, retried on purpose: one after the other, both at once (one on each
        server), or after abandoning the first attempt unread. Every 201 must be the same answer, and (unless
        one was abandoned) exactly one of them not a replay. Returns a 201, if any came."""
        key = f"{self.world.run_tag}-{uuid.uuid4()}"
        self.world.ledger.keys[key] = request
        headers = {"Idempotency-Key": key}
        up = [c for c in self.connections if c.port not in self.world.down]
        a, b = up[0], up[-1]  # two servers
        if a is b and len(self.connections) == 1:  # one server only: a second connection to it
            b = self.connections[0] = Connection(a.port)
            self.connections.append(a)

        async def attempt(name: str, connection: Connection) -> Answer | Failed:
            try:
                return await self.call(name, "POST", target, body, headers, (201,), connection)
            except Failed as failed:  # already counted; the other attempt still counts
                return failed

        mode = self.rng.choice(["sequential", "concurrent", "abandoned"])
        results: list[Answer | Failed | str]
        if mode == "sequential":
            results = [await attempt(op, a), await attempt(op + "_retry", b)]
        elif mode == "concurrent":  # gather: both finish before either connection is used again
            results = list(await asyncio.gather(attempt(op, a), attempt(op + "_retry", b)))
        else:
            with contextlib.suppress(OSError):  # a server killed just now: an abandoned attempt all the same
                await a.send_only("POST", target, {**self.auth, **headers}, msgspec.json.encode(body))
            self.world.stats.abandoned += 1
            results = ["unread", await attempt(op + "_retry", b)]
        for _ in range(3):  # cut off by the kill and nothing acknowledged: retry elsewhere, as any client would
            if any(isinstance(r, Answer) and r.status == 201 for r in results) or not any(
                isinstance(r, InDoubt) for r in results
            ):
                break
            results.append(await attempt(op + "_retry", self._another(self.world.victim or 0)))
        self.world.ledger.key_answers[key] = [
            f"{r.status}{' replayed' if r.headers.get('idempotent-replayed') == 'true' else ''}"
            if isinstance(r, Answer)
            else str(r)
            for r in results
        ]
        created = [r for r in results if isinstance(r, Answer) and r.status == 201]
        fresh = [r for r in created if r.headers.get("idempotent-replayed") != "true"]
        everything = len(created) == len(results) - (mode == "abandoned")  # (False after a kill: some attempt failed)
        if len({r.body for r in created}) > 1 or (everything and mode != "abandoned" and len(fresh) != 1):
            self.world.ledger.problem(
                f"{op} Idempotency-Key {key} ({mode}): answers differ or not exactly one original: "
                + ", ".join(self.world.ledger.key_answers[key])
            )
            return None
        return created[0] if created else None

    async def create_article(self) -> None:
        world = self.world
        serial = world.next_serial()
        stable = self.rng.random() < 0.5
        permanent = [_phrase(serial, i) for i in range(PERMANENT)]
        transient = [_phrase(serial, PERMANENT + i) for i in range(TRANSIENT)]
        text = compose(permanent + transient, self.rng, f"Edition {serial} 📰.")
        path = f"/2026/11/{world.run_tag}/story-{serial}"
        url = f"https://news.example.com{path}" + ("?id=7&lang=en" if serial % 3 == 0 else "")
        article = ArticleState("", serial, url, f"https://amp.example.com/s/{world.run_tag}-{serial}", stable, text,
                               permanent, transient)  # fmt: skip
        unit = self.rng.choice([None, "codepoint", "utf16"]) if stable else None
        items, quotes = self._items(article, permanent + transient, unit, self.rng.randint(0, 5))
        body = {
            "url": url,
            "alternate_urls": [article.alternate],
            "title": f"Grain leaves the port ({serial})",
            "publisher": "Baltic Wire",
            "language": "en",
            "published_at": "2026-11-23T08:30:00Z",
            "text": text,
            "annotations": items,
        }
        target = "/v1/articles" + (f"?offset_unit={unit}" if unit else "")
        request = f"create-article-{serial}"
        if self.world.victim is not None or self.rng.random() < 0.3:  # with a fault, every POST is retried safely
            answer = await self._keyed("create_article", target, body, request)
        else:
            answer = await self.call("create_article", "POST", target, body, expect=(201,))
        if answer is None:
            return
        if answer.status != 201:
            world.ledger.problem(f"create_article {serial}: {answer.status} {answer.body[:300]!r}")
            return
        created = answer.json()
        article.id = created["id"]
        returned = created["annotations"]
        if created["text"] != text or sorted(a["quote"] for a in returned) != sorted(quotes):
            world.ledger.problem(f"create_article {serial}: the answer does not hold the text or quotes sent")
        world.ledger.created(world.ledger.articles, [article.id], request)
        world.ledger.created(world.ledger.annotations, [a["id"] for a in returned], request)
        world.articles.add(article.id, article)
        if not stable:
            world.editable.add(article.id, article)
        for annotation in returned:
            world.ledger.annotation_article[annotation["id"]] = article.id
            world.register(AnnotationState(annotation["id"], article, annotation["kind"]))

    async def add_annotations(self) -> None:
        world = self.world
        hot = self.rng.random() < 0.3 and len(world.hot_articles)
        article: ArticleState | None = (world.hot_articles if hot else world.articles).choice(self.rng)
        if article is None:
            return
        unit = self.rng.choice([None, "codepoint", "utf16"]) if article.stable else None
        phrases = article.permanent + (article.transient if article.stable else [])
        items, quotes = self._items(article, phrases, unit, self.rng.randint(1, 6))
        single = len(items) == 1 and self.rng.random() < 0.5
        body: Any = items[0] if single else items
        target = f"/v1/articles/{article.id}/annotations" + (f"?offset_unit={unit}" if unit else "")
        request = f"annotations-{uuid.uuid4()}"
        if self.world.victim is not None or self.rng.random() < 0.25:
            answer = await self._keyed("add_annotations", target, body, request)
        else:
            answer = await self.call("add_annotations", "POST", target, body, expect=(201,))
        if answer is None:
            return
        if answer.status != 201:
            world.ledger.problem(f"add_annotations on {article.id}: {answer.status} {answer.body[:300]!r}")
            return
        created = answer.json()
        returned = [created] if single else created["items"]
        if [a["quote"] for a in returned] != quotes:
            world.ledger.problem(f"add_annotations on {article.id}: quotes {quotes} answered as {returned}")
        if unit is not None and [(a["start"], a["end"]) for a in returned] != [(i["start"], i["end"]) for i in items]:
            world.ledger.problem(f"add_annotations on {article.id}: offsets sent and answered differ")
        world.ledger.created(world.ledger.annotations, [a["id"] for a in returned], request)
        for annotation in returned:
            world.ledger.annotation_article[annotation["id"]] = article.id
            world.register(AnnotationState(annotation["id"], article, annotation["kind"]))

    async def patch_annotation(self) -> None:
        """Read-modify-write under If-Match: the note counts the acknowledged PATCHes, so a lost one shows."""
        world = self.world
        hot = world.hot and self.rng.random() < 0.6
        annotation: AnnotationState | None = self.rng.choice(world.hot) if hot else world.annotations.choice(self.rng)
        if annotation is None:
            return
        annotation.users += 1
        try:
            current = await self.call("get_annotation", "GET", f"/v1/annotations/{annotation.id}")
            found = current.json()
            edits = int(found["note"].removeprefix("edits=")) if found["note"] else 0
            patch: dict[str, Any] = {"note": f"edits={edits + 1}", "tags": ["load", "patched"]}
            if annotation.kind == "claim":
                patch["verdict"] = self.rng.choice(["mixed", "true", "false", "unproven"])
            if self.rng.random() < 0.1:  # move it to another phrase that every revision keeps
                patch["quote"] = _sub_quote(self.rng.choice(annotation.article.permanent), self.rng)
            connection = self._connection()
            try:
                answer = await self.call(
                    "patch_annotation", "PATCH", f"/v1/annotations/{annotation.id}", patch,
                    {"If-Match": current.headers["etag"]}, connection=connection,
                )  # fmt: skip
            except InDoubt:  # it may or may not have happened: another client may have written the same note since,
                world.ledger.patches_in_doubt[annotation.id] += 1  # so reading cannot tell; the check allows either
                return
            if answer.status == 200:
                world.ledger.patches[annotation.id] += 1
                updated = answer.json()
                if updated["note"] != patch["note"] or ("quote" in patch and updated["quote"] != patch["quote"]):
                    world.ledger.problem(f"patch {annotation.id}: answered {updated}")
            elif answer.status != 412:
                world.ledger.problem(f"patch {annotation.id}: {answer.status} {answer.body[:300]!r}")
        finally:
            annotation.users -= 1

    async def replace_text(self) -> None:
        world = self.world
        hot = self.rng.random() < 0.5 and len(world.hot_editable)
        article: ArticleState | None = (world.hot_editable if hot else world.editable).choice(self.rng)
        if article is None:
            return
        current = await self.call("get_article", "GET", f"/v1/articles/{article.id}")
        article.puts += 1
        kept = []
        for phrase in article.transient:
            roll = self.rng.random()
            if roll < 0.5:
                kept.append(phrase)
            elif roll < 0.75:
                kept.append(_alter(phrase))
        marker = f"Update {article.serial}.{article.puts}.{self.rng.randrange(10**6)} 📰."
        text = compose(article.permanent + kept, self.rng, marker)
        connection = self._connection()
        try:
            answer = await self.call(
                "replace_text", "PUT", f"/v1/articles/{article.id}/text", {"text": text},
                {"If-Match": current.headers["etag"]}, connection=connection,
            )  # fmt: skip
        except InDoubt:  # did it happen? Under If-Match it could only have become the next revision: read that one
            revision = current.json()["revision"] + 1
            seen = await self.call(
                "get_revision", "GET", f"/v1/articles/{article.id}/revisions/{revision}", expect=(200, 404),
                connection=self._another(connection.port),
            )  # fmt: skip
            if seen.status == 200 and seen.json()["text"] == text:
                world.ledger.revisions[article.id].append(revision)
            return
        if answer.status == 200:
            report = answer.json()
            world.ledger.revisions[article.id].append(report["revision"])
            if report["revision"] != current.json()["revision"] + 1:
                world.ledger.problem(f"replace_text {article.id}: revision {report['revision']} after {current.body!r}")
        elif answer.status != 412:
            world.ledger.problem(f"replace_text {article.id}: {answer.status}")

    async def delete_annotation(self) -> None:
        world = self.world
        for _ in range(5):
            annotation: AnnotationState | None = world.annotations.choice(self.rng)
            if annotation is not None and not annotation.hot and annotation.users == 0:
                break
        else:
            return
        world.annotations.remove(annotation.id)  # nobody picks it from now on
        headers = {}
        if self.rng.random() < 0.3:
            current = await self.call("get_annotation", "GET", f"/v1/annotations/{annotation.id}")
            headers["If-Match"] = current.headers["etag"]
        connection = self._connection()
        try:
            answer = await self.call(
                "delete_annotation", "DELETE", f"/v1/annotations/{annotation.id}", headers=headers, expect=(204,),
                connection=connection,
            )  # fmt: skip
        except InDoubt:  # did it happen? Read through another server
            seen = await self.call(
                "get_annotation", "GET", f"/v1/annotations/{annotation.id}", expect=(200, 404),
                connection=self._another(connection.port),
            )  # fmt: skip
            if seen.status == 404:
                world.ledger.deleted.add(annotation.id)
            else:
                world.annotations.add(annotation.id, annotation)
            return
        if answer.status == 204:
            world.ledger.deleted.add(annotation.id)
        elif answer.status == 412:
            world.annotations.add(annotation.id, annotation)
        else:
            world.ledger.problem(f"delete {annotation.id}: {answer.status}")

    # -------------------------------------------------------------- reads

    async def list_annotations(self) -> None:
        article: ArticleState | None = self.world.articles.choice(self.rng)
        if article is None:
            return
        query: dict[str, Any] = {"limit": self.rng.choice([20, 100, 500])}
        if self.rng.random() < 0.3:
            query["kind"] = self.rng.choice(["claim", "attribution", "denial", "figure"])
        if self.rng.random() < 0.2:
            query["offset_unit"] = "utf16"
        answer = await self.call("list_annotations", "GET", f"/v1/articles/{article.id}/annotations?{urlencode(query)}")
        page = answer.json()
        if "kind" in query and any(item["kind"] != query["kind"] for item in page["items"]):
            self.world.ledger.problem(f"list_annotations {article.id}: kind filter {query['kind']} not applied")

    async def get_annotation(self) -> None:
        annotation: AnnotationState | None = self.world.annotations.choice(self.rng)
        if annotation is None:
            return
        annotation.users += 1
        try:
            answer = await self.call("get_annotation", "GET", f"/v1/annotations/{annotation.id}")
            if answer.json()["article_id"] != annotation.article.id:
                self.world.ledger.problem(f"get_annotation {annotation.id}: another article_id")
        finally:
            annotation.users -= 1

    async def get_article(self) -> None:
        """An article with its text and annotations: what a reader's extension highlights. Every annotation
        anchored to the revision returned must quote that text exactly."""
        article: ArticleState | None = self.world.articles.choice(self.rng)
        if article is None:
            return
        unit = "utf16" if self.rng.random() < 0.3 else "codepoint"
        answer = await self.call(
            "get_article", "GET", f"/v1/articles/{article.id}?include=annotations,text&offset_unit={unit}"
        )
        found = answer.json()
        text = found["text"]
        encoded = text.encode("utf-16-le")

        def text_at(a: dict[str, Any]) -> str:
            if unit == "utf16":
                return encoded[2 * a["start"] : 2 * a["end"]].decode("utf-16-le", errors="replace")
            return str(text[a["start"] : a["end"]])

        skewed = []
        for annotation in found["annotations"]:
            if annotation["anchor"]["status"] == "orphaned":
                continue
            if annotation["anchor"]["revision"] != found["revision"]:
                skewed.append(annotation)
            elif text_at(annotation) != annotation["quote"]:
                self.world.ledger.problem(f"get_article {article.id}: annotation {annotation['id']} misquotes text")
        if skewed:
            self.world.ledger.read_skew.append(
                f"GET /v1/articles/{article.id}?include=annotations,text answered the text of revision "
                f"{found['revision']} with {len(skewed)} annotations anchored to revision(s) "
                f"{sorted({a['anchor']['revision'] for a in skewed})}"
                f" ({sum(text_at(a) != a['quote'] for a in skewed)} of them misquote the text returned)"
            )

    async def lookup_url(self) -> None:
        article: ArticleState | None = self.world.articles.choice(self.rng)
        if article is None:
            return
        base = article.alternate if self.rng.random() < 0.25 else article.url
        rest = base.split("://", 1)[1]
        host, _, path = rest.partition("/")
        path, _, query = path.partition("?")
        params = [p for p in query.split("&") if p]
        params.reverse()
        params += self.rng.sample(["utm_source=twitter", "utm_medium=social", "fbclid=IwAR0x", "gclid=abc"], 2)
        self.rng.shuffle(params)
        messy = self.rng.choice(
            [
                f"HTTP://{host.title()}:80/{path}/?{'&'.join(params)}#top",
                f"https://{host.upper()}:443/{path}?{'&'.join(params)}",
                f"  https://{host}/{path.replace('story-', 'story%2D')}/?{'&'.join(params)}#comments",
            ]
        )
        answer = await self.call("lookup_url", "GET", "/v1/articles?" + urlencode({"url": messy}))
        items = answer.json()["items"]
        if [item["id"] for item in items] != [article.id]:
            self.world.ledger.problem(f"lookup_url {messy!r}: found {[i['id'] for i in items]}, not {article.id}")


# ---------------------------------------------------------------- verification


async def verify(database_url: str, tenant_id: uuid.UUID, ledger: Ledger) -> list[str]:
    """Check the acknowledged writes against the database; the list of what is wrong."""
    failures: list[str] = []
    connection = await asyncpg.connect(database_url)
    try:
        articles = {
            str(row["id"]): row
            for row in await connection.fetch(
                """SELECT a.id, a.revision, count(r.revision) AS revisions, max(r.revision) AS last
                   FROM articles a JOIN article_revisions r ON r.tenant_id = a.tenant_id AND r.article_id = a.id
                   WHERE a.tenant_id = $1 GROUP BY a.id, a.revision""",
                tenant_id,
            )
        }
        texts = {
            (str(row["article_id"]), row["revision"]): row["text"]
            for row in await connection.fetch(
                "SELECT article_id, revision, text FROM article_revisions WHERE tenant_id = $1", tenant_id
            )
        }
        annotations = await connection.fetch(
            """SELECT id, article_id, kind, start_cp, end_cp, start_utf16, end_utf16, quote, prefix, suffix, note,
                      anchor_status, anchor_revision, claim_id, target_id
               FROM annotations WHERE tenant_id = $1""",
            tenant_id,
        )
        keys = await connection.fetch(
            "SELECT key, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = ANY($2::text[])",
            tenant_id,
            list(ledger.keys),
        )
    finally:
        await connection.close()

    def fail(text: str) -> None:
        if len(failures) < 200:
            failures.append(text)

    # Which Idempotency-Key's stored answer names each id, to explain a row no client was told about.
    stored_by: dict[str, str] = {}
    for row in keys:
        if row["body"] is not None:
            answer = json.loads(row["body"])
            items = answer.get("annotations") or answer.get("items") or [answer]
            for id_ in [answer.get("id"), *(item.get("id") for item in items)]:
                stored_by[str(id_)] = row["key"]

    def why(id_: str) -> str:
        key = stored_by.get(id_)
        if key is None:
            return "no stored idempotent answer names it"
        return f"the stored answer to Idempotency-Key {key} names it; its client got {ledger.key_answers.get(key)}"

    # Articles: every acknowledged one present, nothing else.
    for missing in ledger.articles.keys() - articles.keys():
        fail(f"acknowledged article {missing} is missing")
    for extra in articles.keys() - ledger.articles.keys():
        fail(f"article {extra} is stored but no 2xx answer created it ({why(extra)})")
    for article_id, row in articles.items():
        acknowledged = sorted(ledger.revisions.get(article_id, []))
        if acknowledged != list(range(2, 2 + len(acknowledged))):
            fail(f"article {article_id}: acknowledged revisions {acknowledged} are not 2, 3, …")
        if (
            row["revision"] != 1 + len(acknowledged)
            or row["revisions"] != row["revision"]
            or row["last"] != row["revision"]
        ):
            fail(
                f"article {article_id}: at revision {row['revision']} with {row['revisions']} revisions stored, "
                f"after {len(acknowledged)} acknowledged text replacements"
            )

    # Annotations: acknowledged creations minus acknowledged deletions, exactly.
    stored = {str(row["id"]): row for row in annotations}
    expected = ledger.annotations.keys() - ledger.deleted
    for missing in expected - stored.keys():
        fail(f"acknowledged annotation {missing} (article {ledger.annotation_article.get(missing)}) is missing")
    for undeleted in ledger.deleted & stored.keys():
        fail(f"annotation {undeleted} is still stored after an acknowledged DELETE")
    for extra in stored.keys() - ledger.annotations.keys():
        fail(f"annotation {extra} is stored but no 2xx answer created it ({why(extra)})")
    for id_, article_id in ledger.annotation_article.items():
        if id_ in stored and str(stored[id_]["article_id"]) != article_id:
            fail(f"annotation {id_} belongs to article {stored[id_]['article_id']}, not {article_id}")

    # Lost updates: each acknowledged PATCH incremented the counter it read under If-Match.
    for id_, row in stored.items():
        want = ledger.patches.get(id_, 0)
        have = int(row["note"].removeprefix("edits=")) if row["note"] else 0
        if not want <= have <= want + ledger.patches_in_doubt.get(id_, 0):
            fail(f"annotation {id_}: note says {have} PATCHes, {want} were acknowledged (a lost update)")

    # Anchoring: every annotation agrees with the text of the revision it is anchored to.
    claims = {id_: str(row["article_id"]) for id_, row in stored.items() if row["kind"] == "claim"}
    for id_, row in stored.items():
        article_id = str(row["article_id"])
        article = articles.get(article_id)
        if article is None:
            continue
        orphaned = row["anchor_status"] == "orphaned"
        if not orphaned and row["anchor_revision"] != article["revision"]:
            fail(
                f"annotation {id_} is {row['anchor_status']} at revision {row['anchor_revision']}, "
                f"its article is at {article['revision']}"
            )
            continue
        if orphaned and row["anchor_revision"] >= article["revision"]:
            fail(f"annotation {id_} is orphaned at revision {row['anchor_revision']}, the current one")
        text = texts[(article_id, row["anchor_revision"])]
        start, end = row["start_cp"], row["end_cp"]
        problems = []
        if text[start:end] != row["quote"]:
            problems.append(f"text[{start}:{end}] = {text[start:end]!r} but quote = {row['quote']!r}")
        if (row["start_utf16"], row["end_utf16"]) != (utf16_offset(text, start), utf16_offset(text, end)):
            problems.append(f"UTF-16 offsets {row['start_utf16']}, {row['end_utf16']} disagree")
        if (
            row["prefix"] != text[max(0, start - CONTEXT_LENGTH) : start]
            or row["suffix"] != text[end : end + CONTEXT_LENGTH]
        ):
            problems.append("prefix/suffix disagree with the text")
        for link in ("claim_id", "target_id"):
            if row[link] is not None and claims.get(str(row[link])) != article_id:
                problems.append(f"{link} {row[link]} is not a claim of the same article")
        if problems:
            fail(f"annotation {id_} ({row['anchor_status']}, revision {row['anchor_revision']}): {'; '.join(problems)}")

    # Idempotency keys: one stored answer each, a 201.
    by_key = {row["key"]: row["status"] for row in keys}
    for key in ledger.keys:
        if by_key.get(key) not in (201, None):
            fail(f"Idempotency-Key {key}: stored status {by_key.get(key)}")
    return failures


# ---------------------------------------------------------------- report


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] * 1000


def report(stats: Stats, elapsed: float) -> str:
    ops = sorted(stats.statuses, key=lambda op: -sum(stats.statuses[op].values()))
    lines = [f"{'operation':24} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    total = 0
    for op in ops:
        count = sum(stats.statuses[op].values())
        total += count
        latencies = stats.latencies.get(op, [])
        p50 = f"{_percentile(latencies, 0.5):8.1f}" if latencies else f"{'-':>8}"
        p99 = f"{_percentile(latencies, 0.99):8.1f}" if latencies else f"{'-':>8}"
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(stats.statuses[op].items()))
        replays = f" ({stats.replays[op]} replayed)" if stats.replays.get(op) else ""
        lines.append(f"{op:24} {count:8} {count / elapsed:7.1f} {p50} {p99}  {statuses}{replays}")
    every = [v for values in stats.latencies.values() for v in values] or [0.0]
    lines.append(
        f"{'all':24} {total:8} {total / elapsed:7.1f} {_percentile(every, 0.5):8.1f} {_percentile(every, 0.99):8.1f}"
    )
    return "\n".join(lines)


def phase_report(stats: Stats) -> str:
    """Throughput, latency and errors before the kill, while one server is down, and after its restart."""
    lines = [f"{'phase':16} {'seconds':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  errors"]
    for phase, seconds in stats.phase_seconds.items():
        statuses = stats.phase_statuses[phase]
        latencies = stats.phase_latencies[phase] or [0.0]
        count = sum(statuses.values())
        fives = sum(n for status, n in statuses.items() if status.startswith("5"))
        errors = f"5xx: {fives}, cut off by the kill: {statuses[KILLED]}, other connection errors: "
        errors += str(statuses["connection error"])
        lines.append(
            f"{phase:16} {seconds:7.1f} {count:8} {count / max(seconds, 0.001):7.1f} "
            f"{_percentile(latencies, 0.5):8.1f} {_percentile(latencies, 0.99):8.1f}  {errors}"
        )
    return "\n".join(lines)


def classify(stats: Stats) -> Counter[str]:
    classes: Counter[str] = Counter()
    for counts in stats.statuses.values():
        for status, n in counts.items():
            if status == KILLED:
                classes["cut off by the kill (expected)"] += n
            elif status.endswith(" as expected"):
                classes["4xx asked for"] += n
            elif status == "connection error":
                classes["connection errors"] += n
            elif status.startswith("2"):
                classes["2xx"] += n
            elif status in ("409", "412"):
                classes[f"{status} (legitimate)"] += n
            elif status.startswith("5"):
                classes["5xx"] += n
            else:
                classes["other 4xx"] += n
    return classes


def server_errors(log_dir: Path) -> Counter[str]:
    """The servers' logged errors, by message (ids elided) and the exception's last line."""
    found: Counter[str] = Counter()
    for log in sorted(log_dir.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if not re.search(r"Traceback|\"level\": ?\"(error|critical)\"", line):
                continue
            try:
                entry = json.loads(line)
                lines = entry.get("exception", "").strip().splitlines()
                raised = [x for x in lines if re.match(r"[\w.]+(Error|Exception)\b", x)] or lines
                text = entry.get("message", "") + (f" -> {raised[-1]}" if raised else "")
            except (ValueError, AttributeError):
                text = line
            found[re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", text)[:300]] += 1
    return found


# ---------------------------------------------------------------- main


async def load(
    servers: list[Server], token: str, clients: int, seconds: float, seed: int, log_dir: Path, kill: bool
) -> tuple[World, float]:
    world = World([s.port for s in servers], token, seconds, seed)
    began = time.monotonic()
    deadline = began + seconds
    faults = [fault(world, servers[-1], log_dir, seconds)] if kill else []
    await asyncio.gather(*(Client(world, i).run(deadline) for i in range(clients)), *faults)
    elapsed = time.monotonic() - began
    world.stats.phase_seconds[world.phase] = elapsed - sum(world.stats.phase_seconds.values())
    return world, elapsed


async def fault(world: World, victim: Server, log_dir: Path, seconds: float) -> None:
    """A quarter of the way in, SIGKILL one server (requests in flight on it are cut off); a quarter later, start
    it again on the same port. The clients leave it out while it is down, as a load balancer would."""
    assert victim.process is not None
    world.victim = victim.port
    world.phase = "1 all up"
    began = time.monotonic()
    await asyncio.sleep(seconds / 4)
    world.stats.phase_seconds[world.phase] = time.monotonic() - began
    world.phase, began = "2 one killed", time.monotonic()
    world.down.add(victim.port)
    os.killpg(victim.process.pid, signal.SIGKILL)
    await asyncio.to_thread(victim.process.wait)
    await asyncio.sleep(seconds / 4)
    victim.name += "-restarted"
    await asyncio.to_thread(victim.start, log_dir)  # back when /healthz answers
    world.stats.phase_seconds[world.phase] = time.monotonic() - began
    world.down.discard(victim.port)
    world.phase = "3 restarted"


async def load_and_check(
    servers: list[Server],
    database_url: str,
    tenant_id: uuid.UUID,
    token: str,
    args: argparse.Namespace,
    log_dir: Path,
    kill: bool,
) -> tuple[World, float, list[str], str]:
    """Register a webhook to a receiver, run the load, wait for every event to be delivered, and check the
    database and the deliveries: the world, the load's seconds, what is wrong, and the webhooks' summary."""
    receiver = webhooks.Receiver(fail_share=WEBHOOK_FAIL_SHARE, seed=args.seed)
    await receiver.start()
    try:
        await webhooks.register(database_url, tenant_id, servers[0].base, receiver)
        world, elapsed = await load(servers, token, args.clients, args.seconds, args.seed, log_dir, kill)
        waited = await webhooks.drain(database_url, tenant_id, receiver, DRAIN_SECONDS)
        failures = await verify(database_url, tenant_id, world.ledger)
        events = await webhooks.stored_events(database_url, tenant_id)
        states = await webhooks.delivery_states(database_url, tenant_id)
    finally:
        await receiver.stop()
    ledger = world.ledger
    failures += webhooks.check_deliveries(events, receiver.received, states)
    failures += webhooks.check_against_writes(
        events, set(ledger.articles), set(ledger.annotations), ledger.deleted, ledger.revisions
    )
    return world, elapsed, failures, webhooks.summary(events, receiver.received, waited, states)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients run (default 30)")
    parser.add_argument("--clients", type=int, default=48, help="concurrent clients (default 48)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    parser.add_argument("--servers", type=int, default=3, help="factmark serve processes (default 3)")
    parser.add_argument("--no-kill", action="store_true", help="no fault: leave every server running")
    args = parser.parse_args(argv)
    started = time.monotonic()
    log_dir = Path(tempfile.mkdtemp(prefix="factmark-load-logs-"))
    database = Database()
    servers: list[Server] = []
    try:
        token, tenant_id = database.create_key(f"Load test {uuid.uuid4().hex[:8]}")
        for n in range(args.servers):
            server = service_server(database.url)
            server.name = f"factmark-{'abcdefgh'[n]}"
            server.env["FACTMARK_RATE_LIMIT_PER_MINUTE"] = RATE_LIMIT
            server.env |= webhooks.SERVER_SETTINGS
            servers.append(server.start(log_dir))
        kill = not args.no_kill and len(servers) > 1
        ports = ", ".join(f":{s.port}" for s in servers)
        print(
            f"load: {len(servers)} servers ({ports}, 1 worker each, rate limit {RATE_LIMIT}/min) on one PostgreSQL; "
            f"{args.clients} clients for {args.seconds:g} s"
            + (f"; :{servers[-1].port} killed (SIGKILL) at a quarter, restarted from half-time" if kill else ""),
            flush=True,
        )
        world, elapsed, failures, webhook_report = asyncio.run(
            load_and_check(servers, database.url, tenant_id, token, args, log_dir, kill)
        )
    finally:
        for server in servers:
            server.stop()
        database.close()
    stats, ledger = world.stats, world.ledger
    print()
    print(report(stats, elapsed))
    print()
    print(phase_report(stats))
    classes = classify(stats)
    print()
    print("answers: " + ", ".join(f"{name}: {n}" for name, n in sorted(classes.items())))
    print(webhook_report)
    print(
        f"acknowledged: {len(ledger.articles)} articles, {len(ledger.annotations)} annotations created, "
        f"{len(ledger.deleted)} deleted, {sum(ledger.patches.values())} PATCHes, "
        f"{sum(len(r) for r in ledger.revisions.values())} text replacements; {len(ledger.keys)} Idempotency-Keys "
        f"({stats.abandoned} first attempts abandoned unread)"
    )
    verdict: list[str] = []
    for name in ("5xx", "connection errors", "other 4xx"):
        if classes[name]:
            verdict.append(f"{classes[name]} {name}")
    if ledger.read_skew:
        verdict.append(f"{len(ledger.read_skew)} reads of an article with its annotations mixed two revisions")
    verdict += ledger.problems + failures
    log_errors = server_errors(log_dir)
    if stats.bad:
        print("\nunexpected answers (first 15):\n  " + "\n  ".join(stats.bad[:15]))
    if ledger.read_skew:
        print(
            f"\nread skew: {len(ledger.read_skew)} reads of an article with its annotations mixed two revisions "
            "(first 3):\n  " + "\n  ".join(ledger.read_skew[:3])
        )
    if log_errors:
        print("\nerrors in the server logs:\n  " + "\n  ".join(f"{n} × {text}" for text, n in log_errors.most_common()))
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if verdict:
        print(f"\nFAILED ({len(verdict)}):\n  " + "\n  ".join(verdict[:40]))
        print(f"server logs kept in {log_dir}")
        return 1
    print("\nPASSED: no 5xx, no connection errors, no unexpected 4xx; every acknowledged write stored exactly once, "
          "every acknowledged delete gone, no lost update, every annotation consistent with its text; every event "
          "delivered to the webhook, signed, in its article's order, and matching the acknowledged writes")  # fmt: skip
    shutil.rmtree(log_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
