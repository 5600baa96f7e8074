"""Request ids, one structured JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from service.errors import NotFound, Unauthorized

log = logging.getLogger("factmark.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
REQUEST_ID_KEY = "request_id"


def request_id(scope: Any) -> str:
    """The request's `X-Request-ID` when it is sane, else a new one; kept in the scope's state."""
    given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
    found = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    scope.setdefault("state", {})[REQUEST_ID_KEY] = found
    return found


def log_request(scope: Any, request_id: str, status: int, started: float) -> None:
    log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )


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
    converter = time.gmtime  # type: ignore[assignment]  # typeshed types it without the argument

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()  # a few µs; json.dumps took ~30 per request


def logging_config(level: str) -> dict[str, Any]:
    """dictConfig for the service and the ASGI server: JSON lines on stderr, times in UTC."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
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
