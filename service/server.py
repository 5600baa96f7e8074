"""The HTTP server: uvicorn with its httptools protocol, plus the two bounds uvicorn lacks against connections that
never finish their headers (slowloris): a header read timeout (408), and a connection cap that holds below the
process's file-descriptor limit. Past the cap a request whose head is complete takes the place of the connection that
has waited longest for its own (408); with none stalled it is answered 503 with Retry-After; past twice the cap a new
connection is closed at once, so the descriptors left always serve the database pool and the listening socket.
Both answers are problem+json like every other error."""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
import time
from typing import Any, cast

import msgspec
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.api.observability import logging_config
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from service.config import Settings
from service.wire import Problem

log = logging.getLogger("factmark")

# Descriptors kept for everything but client connections: the database pool, log files, the listening socket.
RESERVED_DESCRIPTORS = 128
RETRY_AFTER_SECONDS = 1


def _problem(status: int, slug: str, title: str, detail: str) -> bytes:
    return msgspec.json.encode(Problem(type=PROBLEM_TYPE_BASE + slug, title=title, status=status, detail=detail))


_TOO_SLOW = _problem(408, "request-timeout", "Request timeout", "the request headers took too long")
REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: %s\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
    % (PROBLEM_MEDIA_TYPE.encode(), len(_TOO_SLOW), _TOO_SLOW)
)
_OVER_CAPACITY = _problem(
    503, "over-capacity", "Service unavailable", "the server holds as many connections as it serves; retry shortly"
)


async def over_capacity(scope: Any, receive: Any, send: Any) -> None:
    """The ASGI app that answers a request arriving past the connection cap."""
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(_OVER_CAPACITY)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": _OVER_CAPACITY})


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers: a connection that has not sent a
    complete request head `header_timeout` seconds after it opened (on a kept-alive connection: after the first
    byte of the next request; idle ones are closed by uvicorn's keep-alive timeout, 5 s) is answered 408 and
    closed. Connections accepted past twice the cap are closed at once."""

    def __init__(self, *args: Any, header_timeout: float, max_connections: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.header_deadline: asyncio.TimerHandle | None = None
        self.waiting_since = 0.0
        """When the head now awaited was first waited for (time.monotonic(): the loop's clock has ties)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > 2 * self.max_connections:
            transport.abort()  # connection_lost follows and forgets it
            return
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        if len(self.connections) <= self.max_connections or self._cut_the_oldest_stalled():
            super().on_headers_complete()
            return
        app, self.app = self.app, over_capacity  # uvicorn picks the app for the request here
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self.header_deadline is None:
            self.header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)
            self.waiting_since = time.monotonic()

    def _disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _cut_the_oldest_stalled(self) -> bool:
        """Past the cap, a request whose head is complete takes the place of the connection that has waited
        longest for its own head (answered 408 and closed now, not at its deadline): a flood of connections that
        never finish their headers then costs real requests nothing. False when no connection is stalled."""
        stalled = [
            other
            for other in self.connections
            if isinstance(other, BoundedHttpToolsProtocol)
            and other is not self
            and other.header_deadline is not None
            and not other.transport.is_closing()
        ]
        if not stalled:
            return False
        oldest = min(stalled, key=lambda other: other.waiting_since)
        oldest._disarm_header_deadline()
        oldest._headers_too_slow()
        return True

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request stalls behind one still being answered: finish that answer, then close.
            self.cycle.keep_alive = False
            return
        self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()


def connection_cap(wanted: int) -> int:
    """`wanted`, lowered so that twice the cap fits in the file-descriptor limit, which is first raised to its hard
    limit (the soft limit is often 1,024, which a few hundred idle clients exhaust)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the file-descriptor limit above %d", soft)
    fitting = max(1, (soft - RESERVED_DESCRIPTORS) // 2)
    if fitting < wanted:
        log.warning(
            "FACTMARK_MAX_CONNECTIONS=%d lowered to %d to fit the file-descriptor limit (%d)", wanted, fitting, soft
        )
    return min(wanted, fitting)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the app (built in each worker from the environment) until SIGTERM or SIGINT."""
    protocol = functools.partial(
        BoundedHttpToolsProtocol,
        header_timeout=settings.header_timeout_s,
        max_connections=connection_cap(settings.max_connections),
    )
    uvicorn.run(
        "service.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=cast(Any, protocol),  # uvicorn takes a protocol class; a partial of one builds the same way
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level),
        access_log=False,
        timeout_graceful_shutdown=20,
    )
