"""Request ids, one structured JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import re
import threading
import time
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from service.errors import NotFound, Unauthorized

log = logging.getLogger("factmark.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
REQUEST_ID_KEY = "request_id"


def request_id(scope: Any, headers: dict[bytes, bytes] | None = None) -> str:
    """The request's `X-Request-ID` when it is sane, else a new one; kept in the scope's state. `headers`: the
    request's headers as a dict, when the caller has made one already."""
    given = (dict(scope.get("headers", [])) if headers is None else headers).get(b"x-request-id", b"")
    found = given.decode("latin-1") if given and _REQUEST_ID.match(given.decode("latin-1")) else os.urandom(16).hex()
    scope.setdefault("state", {})[REQUEST_ID_KEY] = found
    return found


class _RequestRecord(logging.LogRecord):
    """The log record of one request, made without LogRecord.__init__'s per-call work (the caller's frame, thread
    and process names: about half the cost of a request served from memory). It carries every attribute a
    LogRecord has, from a template made once, so any handler or formatter configured for the logger works."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(_RECORD_TEMPLATE)
        now = time.time()
        self.created, self.msecs, self.process = now, (now - int(now)) * 1000, os.getpid()
        self.relativeCreated = (now - _STARTED) * 1000
        self.__dict__.update(fields)
        self.fields = fields


_RECORD_TEMPLATE = dict(logging.LogRecord(log.name, logging.INFO, __file__, 0, "request", (), None).__dict__)
_STARTED = time.time()


def log_request(scope: Any, request_id: str, status: int, started: float) -> None:
    if log.isEnabledFor(logging.INFO):
        duration = round((time.perf_counter() - started) * 1000, 2)
        fields = {"request_id": request_id, "method": scope["method"], "path": scope["path"], "status": status,
                  "duration_ms": duration}  # fmt: skip
        log.handle(_RequestRecord(fields))


def request_id_middleware(app: Any) -> Any:
    """Accept `X-Request-ID` (or make one), return it on the response, log the request as one JSON line."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        found = request_id(scope)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", found.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log_request(scope, found, status, started)

    return middleware


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

    def __init__(self) -> None:
        super().__init__()
        self._second, self._stamp = -1, ""

    def format(self, record: logging.LogRecord) -> str:
        if (second := int(record.created)) != self._second:  # strftime once a second, not once a line
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        entry: dict[str, Any] = {
            "time": f"{self._stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if isinstance(record, _RequestRecord):  # its extra fields are known: no scan of the record's attributes
            entry.update(record.fields)
        else:
            entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()  # a few µs; json.dumps took ~30 per request


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that writes its lines in batches: one write and flush per line cost a hot read a fifth of
    its time (docs/performance.md). A line waits at most `interval_s` (a daemon thread flushes), or until
    `max_lines` wait; a WARNING or worse is written at once, after every line before it. At exit `logging`
    flushes what is left; a process killed with SIGKILL loses at most `interval_s` of request lines."""

    def __init__(self, stream: Any = None, interval_s: float = 0.2, max_lines: int = 256) -> None:
        super().__init__(stream)
        self.interval_s = interval_s
        self.max_lines = max_lines
        self._lines: list[str] = []
        self._flusher: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        try:
            self._lines.append(self.format(record))
        except Exception:  # logging's own contract: a line that cannot be formatted is reported, not raised
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING or len(self._lines) >= self.max_lines:
            self.flush()
        elif self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(target=self._flush_periodically, name="log-flusher", daemon=True)
            self._flusher.start()

    def flush(self) -> None:
        with self.lock or contextlib.nullcontext():
            if self._lines and self.stream is not None:
                batch, self._lines = self._lines, []
                self.stream.write("\n".join(batch) + "\n")
                self.stream.flush()

    def close(self) -> None:
        self.flush()
        super().close()

    def _flush_periodically(self) -> None:
        while True:
            time.sleep(self.interval_s)
            self.flush()


def logging_config(level: str) -> dict[str, Any]:
    """dictConfig for the service and the ASGI server: JSON lines on stderr, times in UTC."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "service.api.observability.BatchedStreamHandler", "formatter": "json"}},
        "loggers": {
            "factmark": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(app_name="factmark", prefix="factmark", group_path=True, exclude=["/metrics"])


async def require_metrics_token(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard: `/metrics` answers only `Authorization: Bearer <FACTMARK_METRICS_TOKEN>`, and not at all (404)
    while no token is set: the route names, statuses and volumes it shows are not for everyone."""
    token: str | None = connection.app.state.settings.metrics_token
    if token is None:
        raise NotFound("metrics are off: set FACTMARK_METRICS_TOKEN to serve them")
    scheme, _space, given = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("send the metrics token as `Authorization: Bearer <FACTMARK_METRICS_TOKEN>`")


class MetricsController(PrometheusController):
    """`/metrics` in the Prometheus text format: request counts and latency histograms by route and status."""

    path = "/metrics"
    include_in_schema = False
    guards = [require_metrics_token]
