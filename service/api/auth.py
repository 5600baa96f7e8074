"""Bearer API keys: a guard authenticates the caller and checks the scope the route asks for."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from service.api.ratelimit import RateLimiter
from service.domain.keys import parse_token, secret_matches
from service.errors import Forbidden, TooManyRequests, Unauthorized
from service.store.keys import fetch_key


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: uuid.UUID
    key_id: str
    scopes: tuple[str, ...]
    organization_name: str
    organization_url: str | None


async def require_scope(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard: a valid, unrevoked key with the route's `opt["scope"]`; the principal lands in request state."""
    if connection.scope.get("method") == "OPTIONS":  # says which methods a path has, nothing about its data
        return
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    parsed = parse_token(token.strip())
    if parsed is None:
        raise Unauthorized("the API key is malformed")
    key_id, secret = parsed
    failures: RateLimiter = connection.app.state.auth_failure_limiter
    address = connection.client.host if connection.client else "unknown"
    if (wait := failures.exhausted(address)) is not None:  # refused before the key costs a database lookup
        message = f"more than {failures.per_minute} failed authentications a minute from this address"
        raise TooManyRequests(message, retry_after=max(1, math.ceil(wait)))
    stored = await fetch_key(connection.app.state.pool, key_id)
    if stored is None or stored.revoked or not secret_matches(secret, stored.secret_hash):
        failures.retry_after(address)
        raise Unauthorized("the API key is unknown or revoked")
    limiter = connection.app.state.rate_limiter
    wait = limiter.retry_after(stored.key_id)
    if wait is not None:
        message = f"more than {limiter.per_minute} requests a minute with this key"
        raise TooManyRequests(message, retry_after=max(1, math.ceil(wait)))
    needed = handler.opt.get("scope", "read")
    if needed not in stored.scopes:
        raise Forbidden(f"this operation needs the `{needed}` scope")
    connection.state.principal = Principal(
        stored.tenant_id, stored.key_id, stored.scopes, stored.organization_name, stored.organization_url
    )


CurrentPrincipal = NamedDependency[Principal]


def provide_principal(request: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    principal: Principal = request.state.principal
    return principal
