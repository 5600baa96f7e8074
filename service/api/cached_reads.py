"""Hot reads from memory: the rendered annotations of an article (and the article read with them) are answered
from this process's page cache, after the same authentication as every request but without a query.

A route middleware (it runs after routing, so it knows the handler and the article id): for the operations in
CACHED_OPERATIONS it authenticates the caller with the route's guard, answers a hit from memory (or 304 when
If-None-Match names its ETag), and on a miss lets the handler answer and keeps its complete 200 response. The
key is everything such an answer depends on: tenant, path, query string, Accept (the representation) and the
host the request named (W3C ids carry it). Every answer says `Cache-Control: private, no-cache`: browsers keep
it but revalidate with the ETag each time, which costs them a 304."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Message, Receive, Send

from service.api.auth import PRINCIPAL, Principal, require_scope
from service.api.cache import PageCache
from service.api.http import etag_listed

CACHED_OPERATIONS = frozenset({"listAnnotations", "getArticle"})
CACHE_CONTROL = (b"cache-control", b"private, no-cache")
_VARYING = (b"accept", b"host", b"x-forwarded-host", b"x-forwarded-proto", b"forwarded")


class CachedReadsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or getattr(handler, "operation_id", None) not in CACHED_OPERATIONS
        ):
            await self.app(scope, receive, send)
            return
        cache: PageCache = scope["app"].state.caches.pages
        if not cache.serving:
            await self.app(scope, receive, _with_cache_control(send))
            return
        await require_scope(ASGIConnection(scope), handler)  # answers 401/403/429 itself
        principal: Principal = scope["state"][PRINCIPAL]
        headers = dict(scope["headers"])
        key = (principal.tenant_id, scope["path"], scope["query_string"], *(headers.get(h) for h in _VARYING))
        # A hit is served only once every change committed before this request began has been applied here, so a
        # read through this replica after a write through another never sees the page from before the write.
        page = None
        if key in cache and await scope["app"].state.listener.caught_up():
            page = cache.get(key)  # may have been dropped meanwhile: then a miss
        else:
            cache.missed()
        if page is not None:
            asked = headers.get(b"if-none-match")
            if page.etag is not None and asked is not None and etag_listed(asked.decode("latin-1"), page.etag.decode()):
                await _answer(send, 304, [(b"etag", page.etag), (b"vary", b"Accept"), CACHE_CONTROL], b"")
                return
            await _answer(send, 200, page.headers, page.body)
            return
        owner = (principal.tenant_id, uuid.UUID(str(scope["path_params"]["article_id"])))
        epoch = cache.epoch
        kept: dict[str, Any] = {}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), CACHE_CONTROL]
                if message["status"] == 200:
                    kept["headers"], kept["body"] = list(message["headers"]), []
            elif message["type"] == "http.response.body" and "body" in kept:
                kept["body"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    cache.put(key, owner, kept["headers"], b"".join(kept["body"]), epoch)
            await send(message)

        await self.app(scope, receive, keep)


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _with_cache_control(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), CACHE_CONTROL]
        await send(message)

    return sending
