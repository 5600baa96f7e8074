"""/v1/events: the change feed (cursor in commit order, long-poll), the Server-Sent Events stream, and the
stream tokens that let an EventSource (which cannot send headers) authenticate."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import Stream

from service.api.auth import CurrentPrincipal, Principal, require_scope
from service.api.http import CurrentSettings, Pool, decode_cursor, encode_cursor, problem_responses
from service.config import Settings
from service.domain.events import EVENT_TYPES, START, EventType, Position
from service.domain.keys import secret_matches
from service.domain.stream_tokens import generate_stream_token, parse_stream_token
from service.errors import Gone, InvalidInput, Unauthorized
from service.store import events as event_store
from service.store import stream_tokens as token_store
from service.store.listener import EventListener
from service.wire import Problem
from service.wire_events import EventPage, StreamToken

MAX_WAIT_SECONDS = 30
_HELD_BACK_RECHECK_SECONDS = 0.05
_UNLISTENED_RECHECK_SECONDS = 1.0
_STREAM_PAGE = 100

AfterParam = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous page (or an SSE event's id); absent: the oldest retained event.",
    ),
]
TypesParam = Annotated[
    str | None,
    QueryParameter(max_length=500, description="Comma-separated event types, e.g. `annotation.updated`."),
]
ArticleParam = Annotated[uuid.UUID | None, QueryParameter(description="Only the events of this article.")]
FeedLimitParam = Annotated[int, QueryParameter(ge=1, le=500, description="Page size, at most 500.")]
WaitParam = Annotated[
    int,
    QueryParameter(
        ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for an event when there is none yet (long-poll)."
    ),
]


def with_gone(*codes: int) -> dict[int, ResponseSpec]:
    """problem_responses plus the 410 of a cursor past retention."""
    gone = ResponseSpec(
        data_container=Problem,
        media_type="application/problem+json",
        description="The cursor is older than the feed's retention",
        generate_examples=False,
    )
    return {**problem_responses(*codes), 410: gone}


def cursor_of(position: Position) -> str:
    return encode_cursor([position.xid, position.id, position.occurred_at])


def parse_position(cursor: str | None, settings: Settings, parameter: str = "after") -> Position:
    """The feed position a cursor names; 410 when its event is older than retention (what followed it may have
    been purged, so reading on could skip events)."""
    if cursor is None:
        return START
    try:
        xid, event_id, at = decode_cursor(cursor, tuple[int, int, float | None])
    except InvalidInput as exc:
        raise InvalidInput(parameter, "not a cursor this service returned", actual=cursor) from exc
    if xid < 0 or event_id < 0:
        raise InvalidInput(parameter, "not a cursor this service returned", actual=cursor)
    if at is not None and at < time.time() - settings.event_retention_days * 86400:
        raise Gone(
            f"this cursor points at an event older than the {settings.event_retention_days:g}-day retention: events "
            "after it may have been purged. Start again without `after` (and backfill with GET /v1/export).",
            retention_days=settings.event_retention_days,
        )
    return Position(xid, event_id, at)


def parse_types(types: str | None) -> list[EventType]:
    names = [name.strip() for name in (types or "").split(",") if name.strip()]
    if unknown := [name for name in names if name not in EVENT_TYPES]:
        raise InvalidInput("types", f"unknown event type(s) {unknown}; known: {sorted(EVENT_TYPES)}", actual=types)
    return [EventType(name) for name in dict.fromkeys(names)]


async def read_feed(
    pool: Any,
    listener: EventListener,
    tenant_id: uuid.UUID,
    after: Position,
    limit: int,
    types: list[EventType],
    article_id: uuid.UUID | None,
    wait: float,
) -> event_store.EventRows:
    """A page of the feed; when it is empty, wait up to `wait` seconds for the tenant's next commit (woken by
    NOTIFY; rechecked briefly only while committed events are held back behind a transaction still running)."""
    deadline = time.monotonic() + wait
    with listener.subscription(tenant_id) as signal:
        while True:
            page = await event_store.fetch_events_page(pool, tenant_id, after, limit, types, article_id)
            remaining = deadline - time.monotonic()
            if page.rows or remaining <= 0:
                return page
            timeout = remaining
            if page.held_back:
                timeout = min(remaining, _HELD_BACK_RECHECK_SECONDS)
            elif not listener.connected.is_set():
                timeout = min(remaining, _UNLISTENED_RECHECK_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), timeout)
            signal.clear()


class EventController(Controller):
    path = "/events"
    tags = ["events"]

    @get(
        "/",
        operation_id="listEvents",
        responses=with_gone(),
        summary="The tenant's change feed in commit order: follow `next_cursor` to see every event exactly once",
    )
    async def feed(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        after: AfterParam = None,
        limit: FeedLimitParam = 100,
        types: TypesParam = None,
        article_id: ArticleParam = None,
        wait: WaitParam = 0,
    ) -> EventPage:
        position = parse_position(after, settings)
        wanted = parse_types(types)
        page = await read_feed(
            pool, request.app.state.event_listener, principal.tenant_id, position, limit, wanted, article_id, wait
        )
        next_cursor = cursor_of(page.rows[-1].position) if page.rows else (after or cursor_of(START))
        items: list[Any] = [msgspec.Raw(row.document) for row in page.rows]
        return EventPage(items=items, next_cursor=next_cursor)

    @post(
        "/stream-tokens",
        operation_id="createStreamToken",
        responses=problem_responses(),
        status_code=201,
        summary="Mint a short-lived token for GET /v1/events/stream?access_token= (for EventSource)",
    )
    async def stream_token(self, principal: CurrentPrincipal, pool: Pool, settings: CurrentSettings) -> StreamToken:
        token = generate_stream_token()
        expires_at = await token_store.insert_stream_token(
            pool, principal.tenant_id, token, principal.key_id, settings.stream_token_ttl_seconds
        )
        return StreamToken(token=token.token, expires_at=expires_at)


async def require_stream_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard of the stream: an API key in `Authorization`, or a stream token in `?access_token=`."""
    token = connection.query_params.get("access_token")
    if token is None or connection.headers.get("authorization"):
        await require_scope(connection, handler)
        return
    parsed = parse_stream_token(token)
    if parsed is None:
        raise Unauthorized("the stream token is malformed")
    stored = await token_store.fetch_stream_token(connection.app.state.pool, parsed[0])
    if stored is None or stored.revoked or not secret_matches(parsed[1], stored.secret_hash):
        raise Unauthorized("the stream token is unknown or expired; mint another with POST /v1/events/stream-tokens")
    connection.state.principal = Principal(
        stored.tenant_id, stored.key_id, stored.scopes, stored.organization_name, stored.organization_url
    )


def _sse_message(row: event_store.FeedRow) -> bytes:
    lines = b"".join(b"data: " + line + b"\n" for line in row.document.split(b"\n"))
    return b"id: " + cursor_of(row.position).encode() + b"\nevent: " + row.type.encode() + b"\n" + lines + b"\n"


async def event_stream(
    pool: Any, listener: EventListener, tenant_id: uuid.UUID, after: Position, types: list[EventType],
    article_id: uuid.UUID | None, heartbeat: float,
) -> AsyncIterator[bytes]:  # fmt: skip
    """SSE frames for as long as the client stays: every event after `after`, then each new one as it commits,
    and a comment line when `heartbeat` seconds pass without one (keeps proxies from closing the connection)."""
    yield b"retry: 2000\n: stream open\n\n"
    while True:
        page = await read_feed(pool, listener, tenant_id, after, _STREAM_PAGE, types, article_id, heartbeat)
        if not page.rows:
            yield b": heartbeat\n\n"
            continue
        yield b"".join(_sse_message(row) for row in page.rows)
        after = page.rows[-1].position


class EventStreamController(Controller):
    path = "/events/stream"
    tags = ["events"]

    @get(
        "/",
        operation_id="streamEvents",
        responses=with_gone(),
        summary="Server-Sent Events: every event as it commits (`id:` is the cursor; resumes from Last-Event-ID)",
        response_description="`text/event-stream`: `id:` cursor, `event:` type, `data:` the event JSON",
        media_type="text/event-stream",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        after: AfterParam = None,
        types: TypesParam = None,
        article_id: ArticleParam = None,
        access_token: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description="A token from POST /v1/events/stream-tokens, for clients that cannot "
                "send an Authorization header (EventSource).",
            ),
        ] = None,
        last_event_id: Annotated[
            str | None,
            HeaderParameter(
                name="Last-Event-ID",
                max_length=512,
                description="Sent by EventSource on reconnection: resume after it.",
            ),
        ] = None,
    ) -> Stream:
        position = parse_position(last_event_id or after, settings, "Last-Event-ID" if last_event_id else "after")
        wanted = parse_types(types)
        frames = event_stream(
            pool, request.app.state.event_listener, principal.tenant_id, position, wanted, article_id,
            settings.sse_heartbeat_seconds,
        )  # fmt: skip
        return Stream(
            frames,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
