"""The one place where errors become RFC 9457 problem+json responses."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from service.errors import (
    FactmarkError,
    FieldError,
    InvalidInput,
    MalformedRequest,
    ServiceUnavailable,
)
from service.wire import Problem, ProblemFieldError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://factmark.dev/problems/"
log = logging.getLogger("factmark")

_INDEX = re.compile(r"\[(\d+)\]")
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
_GENERIC_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def _json_pointer(key: str) -> str:
    """Litestar's `annotations[0].start` → `/annotations/0/start`."""
    dotted = _INDEX.sub(r".\1", key)
    parts = [p.replace("~", "~0").replace("/", "~1") for p in dotted.split(".") if p]
    return "/" + "/".join(parts) if parts else ""


def _field_error(error: FieldError) -> ProblemFieldError:
    if error.location.startswith("/") or error.location == "":
        return ProblemFieldError(detail=error.message, pointer=error.location, actual=error.actual)
    return ProblemFieldError(detail=error.message, parameter=error.location, actual=error.actual)


def problem_response(request: Request[Any, Any, Any] | None, exc: FactmarkError) -> Response[Problem]:
    problem = Problem(
        type=PROBLEM_TYPE_BASE + exc.slug,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        instance=request.url.path if request is not None else None,
        errors=[_field_error(e) for e in exc.errors],
    )
    content: Any = problem
    if exc.extra:
        content = {**_problem_dict(problem), **exc.extra}
    headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
    return Response(content=content, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return msgspec.to_builtins(problem)  # type: ignore[no-any-return]


def _from_validation(exc: ValidationException) -> FactmarkError:
    """Litestar's parameter/body validation failure, with each field named."""
    messages = exc.extra if isinstance(exc.extra, list) else []
    if not messages:  # the body is not JSON at all
        return MalformedRequest(str(exc.detail))
    errors = []
    for message in messages:
        text = str(message.get("message", "invalid value"))
        key = str(message.get("key", ""))
        if message.get("source") == "body":
            pointer = "" if key == "data" else _json_pointer(key)
            if unknown := _UNKNOWN_FIELD.search(text):
                pointer = f"{pointer}/{unknown.group(1)}"
            errors.append(FieldError(pointer, text))
        else:
            errors.append(FieldError(key or "request", text))
    first = errors[0]
    error = InvalidInput(first.location, "; ".join(f"{e.location or '/'}: {e.message}" for e in errors))
    error.errors = errors
    return error


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Render every exception that reaches the app boundary."""
    if isinstance(exc, FactmarkError):
        return problem_response(request, exc)
    if isinstance(exc, ValidationException):
        return problem_response(request, _from_validation(exc))
    if isinstance(exc, HTTPException):
        slug, title = _GENERIC_TITLES.get(exc.status_code, ("http-error", "HTTP error"))
        error = FactmarkError(str(exc.detail))
        error.status, error.slug, error.title = exc.status_code, slug, title  # type: ignore[misc]
        response = problem_response(request, error)
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response
    if isinstance(
        exc,
        (
            asyncpg.PostgresConnectionError,
            asyncpg.CannotConnectNowError,
            asyncpg.InterfaceError,
            ConnectionError,
            OSError,
            asyncio.TimeoutError,
            asyncpg.TooManyConnectionsError,
        ),
    ):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return problem_response(
            request, ServiceUnavailable("the database did not answer; retry shortly", retry_after=2)
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, FactmarkError("an unexpected error occurred; it has been logged"))
