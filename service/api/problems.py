"""The one place where errors become RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from service.domain.pointers import child, from_dotted_key
from service.errors import (
    Conflict,
    FactmarkError,
    FieldError,
    InvalidInput,
    MalformedRequest,
    ServiceUnavailable,
)
from service.store.database import UNAVAILABLE
from service.wire import Problem, ProblemFieldError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://factmark.dev/problems/"
log = logging.getLogger("factmark")

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
            pointer = "" if key == "data" else from_dotted_key(key)
            if unknown := _UNKNOWN_FIELD.search(text):
                pointer = child(pointer, unknown.group(1))
            errors.append(FieldError(pointer, text))
        else:
            errors.append(FieldError(key or "request", text))
    first = errors[0]
    error = InvalidInput(first.location, "; ".join(f"{e.location or '/'}: {e.message}" for e in errors))
    error.errors = errors
    return error


def _conflict_detail(exc: asyncpg.IntegrityConstraintViolationError) -> str:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return "a resource with the same identity was stored by a concurrent request; fetch it or choose another id"
    return "the write conflicts with stored data that changed meanwhile; fetch it and retry"


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
    if isinstance(exc, UNAVAILABLE):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return problem_response(
            request, ServiceUnavailable("the database did not answer; retry shortly", retry_after=2)
        )
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        # A constraint the checks before the write could not see (a concurrent writer got there first).
        log.info("constraint violation answered 409: %s", exc.__class__.__name__)
        return problem_response(request, Conflict(_conflict_detail(exc), constraint=exc.constraint_name))
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        return problem_response(request, Conflict("a concurrent write touched the same rows; retry", retry_after=1))
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, FactmarkError("an unexpected error occurred; it has been logged"))
