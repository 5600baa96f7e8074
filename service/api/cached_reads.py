"""Hot reads from memory: the rendered annotations of an article, and the article read with them, answered from
this process's page cache without a query, a router or a handler.

It wraps the app's ASGI handler, in front of routing (Litestar runs its middleware per route, after routing: there
is no earlier hook). For `GET /v1/articles/{id}[/annotations]` it checks the Host as the host check does,
authenticates the caller from the key cache with the guard's own rules (service/api/auth.py) and answers a hit from
memory (304 when If-None-Match names its ETag), logging it as every request is logged. Anything else, or anything in
doubt (a key not in memory, an error to report), goes on to the app; a complete 200 answer it gives is kept. The
cache key is everything such an answer depends on: tenant, path, query string, and the headers that choose the
representation (Accept), the host in W3C ids, and the CORS answer (Origin).

Every answer on these paths says `Cache-Control: private, no-cache`: browsers keep it but revalidate with the
ETag each time, which costs them a 304. Answers from memory are counted by `factmark_cache_hits_total`, not
by the per-route request histograms."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
from litestar.datastructures import State
from litestar.types import ASGIApp, Message, Receive, Send

from service.api.annotations import list_etag, listed_reviews, native_page
from service.api.auth import PRINCIPAL, Principal, authorize, check_address, client_address, credentials
from service.api.cache import Caches, PageKey
from service.api.hosts import host_of
from service.api.http import etag_listed
from service.api.observability import log_request, request_id
from service.api.ratelimit import RateLimiter
from service.domain.offsets import OffsetUnit
from service.errors import FactmarkError
from service.store.annotations import AnnotationFilter, DocumentPage, fetch_documents_page, fetch_whole_article_page
from service.store.database import UNAVAILABLE
from service.store.notifications import ChangeListener
from service.store.stored_pages import StoredPage, fetch_stored_page, store_page
from service.wire import DEFAULT_PAGE, MAX_PAGE

CACHE_CONTROL = (b"cache-control", b"private, no-cache")
_CACHEABLE = re.compile(r"/v1/articles/([0-9A-Fa-f-]{32,36})(/annotations)?")
_PLAIN_ACCEPT = frozenset({None, b"*/*", b"application/json"})


class HotReads:
    def __init__(
        self,
        app: ASGIApp,
        state: State,
        caches: Caches,
        listener: ChangeListener,
        limiter: RateLimiter,
        failures: RateLimiter,
        host_allowed: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.state = state
        self.host_allowed = host_allowed
        self.caches = caches
        self.listener = listener
        self.limiter = limiter
        self.failures = failures

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        matched = _CACHEABLE.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if matched is None:
            await self.app(scope, receive, send)
            return
        pages = self.caches.pages
        headers = dict(scope["headers"])
        get = headers.get
        varying = (scope["path"], scope["query_string"], get(b"accept"), get(b"host"), get(b"origin"),
                   get(b"x-forwarded-host"), get(b"x-forwarded-proto"), get(b"forwarded"))  # fmt: skip
        if pages.serving and await self._from_memory(scope, headers, varying, send):
            return
        try:
            article = uuid.UUID(matched.group(1))
        except ValueError:  # not an article id: the app answers
            await self.app(scope, receive, send)
            return
        epoch = pages.epoch
        if matched.group(2) and await self._rendered_here(scope, headers, varying, send, article):
            return
        if not pages.serving:
            await self.app(scope, receive, _with_cache_control(send))
            return
        kept: dict[str, Any] = {}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), CACHE_CONTROL]
                if message["status"] == 200:  # kept without this request's id: each answer carries its own
                    kept["headers"] = [(k, v) for k, v in message["headers"] if k.lower() != b"x-request-id"]
                    kept["body"] = []
            elif message["type"] == "http.response.body" and "body" in kept:
                kept["body"].append(message.get("body", b""))
                principal: Principal | None = scope["state"].get(PRINCIPAL)
                if not message.get("more_body", False) and principal is not None:
                    key = (principal.tenant_id, *varying)
                    pages.put(key, (principal.tenant_id, article), kept["headers"], b"".join(kept["body"]), epoch)
            await send(message)

        await self.app(scope, receive, keep)

    async def _from_memory(self, scope: Any, headers: dict[bytes, bytes], varying: tuple[Any, ...], send: Send) -> bool:
        """Answer from memory if the caller's key and the page are both held; False to let the app answer."""
        started = time.perf_counter()
        try:
            key_id, secret = credentials(headers.get(b"authorization", b"").decode("latin-1"))
        except FactmarkError:
            return False
        if not self.host_allowed(host_of(headers.get(b"host", b"").decode("latin-1"))):
            return False  # the app's host check answers 400
        keys, pages = self.caches.keys, self.caches.pages
        held = keys.peek(key_id)
        key: PageKey = (held.tenant_id, *varying) if held is not None else ()
        if held is None or key not in pages:
            pages.missed()
            return False
        if await self._authorized(scope, key_id, secret) is None:
            return False
        page = pages.get(key)  # None if the change just applied dropped it
        if page is None:
            return False
        found = request_id(scope, headers)
        identified = (b"x-request-id", found.encode())
        asked = headers.get(b"if-none-match")
        if page.etag is not None and asked is not None and etag_listed(asked.decode("latin-1"), page.etag.decode()):
            await _answer(send, 304, [(b"etag", page.etag), (b"vary", b"Accept"), CACHE_CONTROL, identified], b"")
            log_request(scope, found, 304, started)
        else:
            await _answer(send, 200, [*page.headers, identified], page.body)
            log_request(scope, found, 200, started)
        return True

    async def _authorized(self, scope: Any, key_id: str, secret: str) -> Principal | None:
        """The caller, from the key cache, as the guard would authorise it; None when the app should decide."""
        # Trusted only once every change committed before this request began has been applied here, so a read
        # through this replica after a write through another (or a revocation) never sees what came before.
        if key_id not in self.caches.keys or not await self.listener.caught_up():
            return None
        principal = self._from_key_cache(scope, key_id, secret)
        if principal is not None:
            scope["state"][PRINCIPAL] = principal  # authorised once: the guard will not take a second token
        return principal

    def _from_key_cache(self, scope: Any, key_id: str, secret: str) -> Principal | None:
        """The caller as the guard would authorise it from the key held in memory, which may be out of date."""
        if key_id not in self.caches.keys:
            return None
        try:
            check_address(self.failures, client_address(scope))
            return authorize(self.caches.keys.get(key_id), secret, "read", self.limiter)
        except FactmarkError:
            return None  # the app's guard answers 401/403/429 the usual way

    async def _rendered_here(
        self, scope: Any, headers: dict[bytes, bytes], varying: tuple[Any, ...], send: Send, article: uuid.UUID
    ) -> bool:
        """A page not in memory of an article's annotations, in the form nearly every reader asks for (native
        JSON, `limit` and `offset_unit` at most, no cursor, no conditional or cross-origin request): the answer
        stored in the database (schemas/0013), or else one query joining the stored documents (then stored),
        answered without routing, DI or a handler, in the bytes and headers the list handler gives
        (service/api/annotations.py) and kept. Anything else, or in doubt (a key not in
        memory, no annotations to tell an empty article from a missing one, more than one page, the database
        failing), goes on to the app, which answers it as usual."""
        started = time.perf_counter()
        get = headers.get
        if get(b"accept") not in _PLAIN_ACCEPT or get(b"if-none-match") or get(b"origin") or get(b"range"):
            return False
        asked = _plain_page_request(scope["query_string"])
        if asked is None:
            return False
        limit, unit, parameters = asked
        try:
            key_id, secret = credentials(get(b"authorization", b"").decode("latin-1"))
        except FactmarkError:
            return False
        if not self.host_allowed(host_of(get(b"host", b"").decode("latin-1"))):
            return False
        pages = self.caches.pages
        epoch = pages.epoch
        # No barrier: the query itself reads only while the key is still live with the read scope, in the same
        # snapshot as the documents (a revocation committed before it is seen), so it costs no extra round trip.
        principal = self._from_key_cache(scope, key_id, secret)
        if principal is None:
            return False
        try:
            found = await self._plain_page(scope, principal, key_id, article, unit, limit)
        except (*UNAVAILABLE, asyncpg.PostgresError):
            return False  # the app tries again and answers 503 the usual way
        if found is None:  # an empty or missing article, or a key no longer live: the guard decides
            return False
        body, version, unstored = found
        kept = [(b"content-type", b"application/json"), (b"vary", b"Accept"),
                (b"etag", list_etag(parameters, False, version).encode()), CACHE_CONTROL]  # fmt: skip
        pages.put((principal.tenant_id, *varying), (principal.tenant_id, article), kept, body, epoch)
        request = request_id(scope, headers)
        length = (b"content-length", str(len(body)).encode())
        await _answer(send, 200, [*kept, length, (b"x-request-id", request.encode())], body)
        log_request(scope, request, 200, started)
        if unstored is not None:
            await self._store(principal.tenant_id, article, unit, body, unstored)
        return True

    async def _plain_page(
        self, scope: Any, principal: Principal, key_id: str, article: uuid.UUID, unit: OffsetUnit, limit: int
    ) -> tuple[bytes, str, DocumentPage | None] | None:
        """The plain read's answer and its version: stored (schemas/0013) if it is and one page holds it, else
        joined from the documents (with them, when they are every annotation listed, to be stored). None when
        the rows say nothing: no annotations, or the key no longer live."""
        pool, tenant, reviews = self.state.pool, principal.tenant_id, listed_reviews(None, w3c=False)
        stored = await fetch_stored_page(pool, tenant, article, unit, key_id)
        if stored is not None and stored.matching <= limit:
            return stored.body, stored.version, None
        if stored is None:
            documents = await fetch_whole_article_page(pool, tenant, article, unit, reviews, limit, key_id)
            if documents is not None:
                return (native_page(documents), documents.version, documents) if documents.count else None
        # more than one page: the keyset and version need the windowed statement, which does not check the
        # key, so the key waits for the barrier as in the app
        if not await self.listener.caught_up() or self.caches.keys.peek(key_id) is None:
            return None
        scope["state"][PRINCIPAL] = principal
        where = AnnotationFilter(reviews=reviews)
        documents = await fetch_documents_page(pool, tenant, article, unit, where, None, limit)
        return (native_page(documents), documents.version, None) if documents.count else None

    async def _store(
        self, tenant: uuid.UUID, article: uuid.UUID, unit: OffsetUnit, body: bytes, documents: DocumentPage
    ) -> None:
        """Keep an answer listing every annotation for the next plain read of it, on any replica; a failure
        only means the next one joins the documents again."""
        if documents.generation is None:
            return
        page = StoredPage(body, documents.count, documents.version)
        try:
            await store_page(self.state.pool, tenant, article, unit, documents.generation, page)
        except (*UNAVAILABLE, asyncpg.PostgresError):
            pass


def _plain_page_request(query_string: bytes) -> tuple[int, OffsetUnit, list[tuple[str, str]]] | None:
    """(limit, offset unit, parameters) of a query string naming at most `limit` and `offset_unit`, each once
    and valid; None for anything else (the app validates and answers it)."""
    parameters = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = dict(parameters)
    if len(given) != len(parameters) or not given.keys() <= {"limit", "offset_unit"}:
        return None
    limit = given.get("limit", str(DEFAULT_PAGE))
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE):
        return None
    try:
        unit = OffsetUnit(given.get("offset_unit", OffsetUnit.CODEPOINT))
    except ValueError:
        return None
    return int(limit), unit, parameters


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _with_cache_control(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), CACHE_CONTROL]
        await send(message)

    return sending
