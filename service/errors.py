"""Typed errors raised anywhere in the service; `api/problems.py` renders each one as RFC 9457 problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One invalid input field: a JSON pointer into the body (`/annotations/2/start`) or a parameter name."""

    location: str
    message: str
    actual: Any = None


class FactmarkError(Exception):
    """Base of every error the service answers with a 4xx/5xx status."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class MalformedRequest(FactmarkError):
    status, slug, title = 400, "malformed-request", "Malformed request"


class Unauthorized(FactmarkError):
    status, slug, title = 401, "unauthorized", "Missing or unknown API key"


class Forbidden(FactmarkError):
    status, slug, title = 403, "forbidden", "The API key lacks the scope this operation needs"


class NotFound(FactmarkError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(FactmarkError):
    status, slug, title = 409, "conflict", "Conflict with a stored resource"


class PreconditionFailed(FactmarkError):
    status, slug, title = 412, "precondition-failed", "The resource changed since the given ETag"


class PayloadTooLarge(FactmarkError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(FactmarkError):
    status, slug, title = 415, "unsupported-media-type", "The request body is not in a media type this operation takes"


# An error echoes at most this many code points of a text it quotes (the text at some offsets, a quote not found):
# a 60-byte request naming offsets across a 2 MiB article must not get 2 MiB back.
MAX_ECHO = 1000


def shortened(text: str, limit: int = MAX_ECHO) -> str:
    """`text`, cut to `limit` code points with "…" when longer."""
    return text if len(text) <= limit else text[:limit] + "…"


class InvalidInput(FactmarkError):
    """422: the request is well-formed JSON but some field is not acceptable. A long text in `actual` is
    shortened to MAX_ECHO code points."""

    status, slug, title = 422, "invalid-input", "Invalid input"

    def __init__(self, location: str, message: str, *, actual: Any = None) -> None:
        if isinstance(actual, str):
            actual = shortened(actual)
        super().__init__(message, errors=[FieldError(location, message, actual)])
        self.location = location


class QuoteMismatch(InvalidInput):
    slug, title = "quote-mismatch", "The quote does not match the text at the given offsets"

    def __init__(self, pointer: str, expected: str, actual: str) -> None:
        super().__init__(
            pointer, f"quote {shortened(expected, 100)!r} does not match the text at these offsets", actual=actual
        )
        self.expected = expected


class QuoteNotFound(InvalidInput):
    slug, title = "quote-not-found", "The quote does not occur in the text"


class QuoteAmbiguous(InvalidInput):
    """The field's `actual` lists the first few candidate offsets; `occurrences` (a problem member) counts them
    all, or is a lower bound when `occurrences_counted` is false (a quote that occurs too often to count)."""

    slug, title = "quote-ambiguous", "The quote occurs more than once and its context does not decide"

    def __init__(self, pointer: str, message: str, *, offsets: list[int], count: int, counted: bool) -> None:
        super().__init__(pointer, message, actual=offsets)
        self.extra = {"occurrences": count, "occurrences_counted": counted}


class WorkBudgetExceeded(InvalidInput):
    """422, not 503: the budget counts the CPU time of this request's own work (waiting behind others does not
    count), so running out of it is the cost of the input, and a retry of the same input fails the same way."""

    slug, title = "work-budget-exceeded", "The request needs more work than one request may take"

    def __init__(self, location: str, limit_ms: float) -> None:
        super().__init__(
            location,
            f"this request needed more than its {limit_ms:,.0f} ms work budget (stopped at {location or '/'}); "
            "send offsets rather than quotes to locate, longer context, smaller batches, or a text edited in "
            "smaller steps",
        )
        self.limit_ms = limit_ms


class TooManyRequests(FactmarkError):
    status, slug, title = 429, "too-many-requests", "Rate limit exceeded for this API key"


class ServiceUnavailable(FactmarkError):
    status, slug, title = 503, "service-unavailable", "The database is unavailable"


class Gone(FactmarkError):
    status, slug, title = 410, "gone", "No longer available"


class PreconditionRequired(FactmarkError):
    """428: a replacement must say which version it replaces (If-Match), so that no update is lost."""

    status, slug, title = 428, "precondition-required", "This change needs an If-Match header"
