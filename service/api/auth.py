"""Bearer API keys: a guard authenticates the caller and checks the scope the route asks for."""

from __future__ import annotations

import math
import uuid
from typing import Any, NamedTuple

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from service.api.cache import KeyCache
from service.api.ratelimit import RateLimiter
from service.domain.keys import parse_token, secret_matches
from service.errors import Forbidden, TooManyRequests, Unauthorized
from service.store.keys import StoredKey, fetch_key

PRINCIPAL = "principal"
"""Where the guard leaves the authenticated caller, in the request's state."""


class Principal(NamedTuple):
    """The authenticated caller (a NamedTuple: made on every request, it costs a third of a frozen dataclass)."""

    tenant_id: uuid.UUID
    key_id: str
    scopes: tuple[str, ...]
    organization_name: str
    organization_url: str | None


def credentials(authorization: str) -> tuple[str, str]:
    """(key id, secret) from an `Authorization` header value."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    parsed = parse_token(token.strip())
    if parsed is None:
        raise Unauthorized("the API key is malformed")
    return parsed


def client_address(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def check_address(failures: RateLimiter, address: str) -> None:
    """429 when `address` failed to authenticate too often lately (before its key costs a lookup)."""
    if (wait := failures.exhausted(address)) is not None:
        message = f"more than {failures.per_minute} failed authentications a minute from this address"
        raise TooManyRequests(message, retry_after=max(1, math.ceil(wait)))


def authorize(stored: StoredKey | None, secret: str, needed: str, limiter: RateLimiter) -> Principal:
    """The caller, if `stored` is the live key for `secret`, under its rate limit, with the `needed` scope."""
    if stored is None or stored.revoked or not secret_matches(secret, stored.secret_hash):
        raise Unauthorized("the API key is unknown or revoked")
    wait = limiter.retry_after(stored.key_id)
    if wait is not None:
        message = f"more than {limiter.per_minute} requests a minute with this key"
        raise TooManyRequests(message, retry_after=max(1, math.ceil(wait)))
    if needed not in stored.scopes:
        raise Forbidden(f"this operation needs the `{needed}` scope")
    return Principal(stored.tenant_id, stored.key_id, stored.scopes, stored.organization_name, stored.organization_url)


async def _verified_key(connection: ASGIConnection, key_id: str) -> StoredKey | None:  # type: ignore[type-arg]
    """The key's row, from this process's cache or else the database. While notifications arrive, a cached key
    is trusted once every change committed before now has been applied (a revocation anywhere is honoured by
    the next request here); while they do not, for the cache's short TTL."""
    cache: KeyCache = connection.app.state.caches.keys
    stored = None
    if key_id in cache and (not cache.live or await connection.app.state.listener.caught_up()):
        stored = cache.get(key_id)
    if stored is None:
        epoch = cache.epoch
        stored = await fetch_key(connection.app.state.pool, key_id)
        if stored is not None:
            cache.put(stored, epoch)
    return stored


async def require_scope(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard: a valid, unrevoked key with the route's `opt["scope"]`; the principal lands in request state.
    Runs once per request: when the hot-read path (service/api/cached_reads.py) authorised the caller already,
    for a read, it left the principal there."""
    if connection.scope.get("method") == "OPTIONS":  # says which methods a path has, nothing about its data
        return
    if PRINCIPAL in connection.scope.get("state", {}):
        return
    key_id, secret = credentials(connection.headers.get("authorization", ""))
    failures: RateLimiter = connection.app.state.auth_failure_limiter
    address = client_address(connection.scope)
    check_address(failures, address)
    stored = await _verified_key(connection, key_id)
    needed = handler.opt.get("scope", "read")
    try:
        connection.state[PRINCIPAL] = authorize(stored, secret, needed, connection.app.state.rate_limiter)
    except Unauthorized:
        failures.retry_after(address)
        raise


CurrentPrincipal = NamedDependency[Principal]


def provide_principal(request: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    principal: Principal = request.state[PRINCIPAL]
    return principal
