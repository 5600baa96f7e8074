"""CORS for browser clients (the reader extension, Web Annotation Protocol clients in a page).

Litestar's own CORS middleware (2.25, litestar/middleware/_internal/cors.py) has two gaps that break those
clients: it sets `Vary: Origin` in place of the response's own `Vary` (so `Vary: Accept, Prefer` is lost, and a
shared cache may hand JSON-LD to a JSON client), and it answers every OPTIONS request that has an `Origin` as a
preflight, so a page's real OPTIONS request (the protocol's "Containers MUST support OPTIONS") never reaches the
route and gets a 204 without `Allow`. This middleware treats only OPTIONS with `Access-Control-Request-Method`
as a preflight (the Fetch standard's definition) and adds `Origin` to `Vary`. It runs once a route is found,
so a path that does not exist answers without CORS headers (the browser then reports a network error rather
than the 404)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from service.config import Settings

ALLOW_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
ALLOW_HEADERS = (  # the safelisted ones too: with a quoted profile, even `Accept` needs a preflight
    "accept", "accept-language", "content-language", "authorization", "content-type", "idempotency-key",
    "if-match", "if-none-match", "prefer", "x-request-id",
)  # fmt: skip
# The Web Annotation Protocol's headers too, for browser clients of its containers.
EXPOSE_HEADERS = (
    "Accept-Post", "Allow", "Content-Location", "ETag", "Link", "Location", "Preference-Applied", "Retry-After",
    "Vary", "X-Request-ID",
)  # fmt: skip
MAX_AGE = 600


@dataclass(frozen=True, slots=True)
class CORSPolicy:
    origins: frozenset[str]

    def preflight_headers(self, origin: str) -> dict[str, str]:
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(ALLOW_METHODS),
            "Access-Control-Allow-Headers": ", ".join(ALLOW_HEADERS),
            "Access-Control-Max-Age": str(MAX_AGE),
            "Vary": "Origin",
        }

    def refusal(self, origin: str, method: str, requested: Collection[str]) -> str | None:
        """Why a preflight is refused (origin, method or headers not allowed), or None."""
        if origin not in self.origins:
            return "origin"
        if method.upper() not in ALLOW_METHODS:
            return "method"
        if any(header not in ALLOW_HEADERS for header in requested):
            return "headers"
        return None


def cors_policy(settings: Settings) -> CORSPolicy | None:
    return CORSPolicy(frozenset(settings.cors_origins)) if settings.cors_origins else None


def _merge_vary(current: str | None, token: str) -> str:
    values = [value.strip() for value in (current or "").split(",") if value.strip()]
    if token.lower() not in {value.lower() for value in values}:
        values.append(token)
    return ", ".join(values)


class CORSMiddleware:
    """Preflights answered here; other requests from an allowed origin get its CORS headers on the response."""

    def __init__(self, app: ASGIApp, policy: CORSPolicy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        method = headers.get("access-control-request-method")
        if scope["method"] == "OPTIONS" and method is not None:
            await self._preflight(origin, method, headers, send)
            return
        if origin not in self.policy.origins:
            await self.app(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableScopeHeaders.from_message(message)
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Expose-Headers"] = ", ".join(EXPOSE_HEADERS)
                response["Vary"] = _merge_vary(response.get("Vary"), "Origin")
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, origin: str, method: str, headers: Headers, send: Send) -> None:
        requested = [name.strip().lower() for name in headers.get("access-control-request-headers", "").split(",")]
        refusal = self.policy.refusal(origin, method, [name for name in requested if name])
        if refusal is None:
            status, body, answer = 204, b"", self.policy.preflight_headers(origin)
        else:
            status, body, answer = 400, f"Disallowed CORS {refusal}".encode(), {"Vary": "Origin"}
        raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.items()]
        if body:
            raw += [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": raw}
        end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
        await send(start)
        await send(end)
