"""Small HTTP helpers shared by the controllers: ETags, opaque cursors, common query parameters."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Iterable
from typing import Annotated, Any, cast

import asyncpg
import msgspec
from litestar import HttpMethod, Response
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, QueryParameter

from service.config import Settings
from service.domain.offsets import OffsetUnit
from service.errors import InvalidInput
from service.operations.compute import Compute
from service.operations.idempotency import Answer
from service.operations.transaction import check_if_match, etag, etag_listed
from service.wire import MAX_PAGE, Annotation, Problem

OffsetUnitParam = Annotated[
    OffsetUnit,
    QueryParameter(
        description="Unit of every offset in the request and the response: Unicode code points (default) or "
        "UTF-16 code units, as JavaScript strings and the DOM count.",
    ),
]
LimitParam = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE}.")]
CursorParam = Annotated[
    str | None,
    QueryParameter(
        max_length=512, pattern=r"^[A-Za-z0-9_-]+$", description="`next_cursor` of the previous page; opaque."
    ),
]
IfNoneMatchHeader = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match", description="ETag of the copy you hold: 304 Not Modified if it is still current."
    ),
]
NOT_MODIFIED = {304: ResponseSpec(data_container=None, description="Not modified since the ETag in If-None-Match")}
IfMatchHeader = Annotated[
    str | None, HeaderParameter(name="If-Match", description="ETag of the version this change is based on.")
]

_PROBLEM_DESCRIPTIONS = {
    400: "Malformed request (the body is not JSON)",
    401: "Missing, unknown or revoked API key",
    403: "The API key lacks the needed scope",
    404: "No such resource for this tenant",
    409: "Conflicts with a stored resource (e.g. the URL belongs to another article)",
    412: "If-Match names an older version",
    413: "Request body too large",
    415: "The body is not JSON (send `Content-Type: application/json`)",
    422: "A field is invalid; `errors` names each one",
    428: "The change needs an If-Match header",
    503: "The database is unavailable; retry",
}


def problem_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem+json answers an operation may give, beside the usual ones."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type="application/problem+json",
            description=_PROBLEM_DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in sorted({400, 401, 403, 422, 503, *codes})
    }


Pool = NamedDependency[asyncpg.Pool]
CurrentSettings = NamedDependency[Settings]
CurrentCompute = NamedDependency[Compute]
Id = FromPath[uuid.UUID]


def answer_response(answer: Answer) -> Response[Any]:
    """A write's answer (as stored for Idempotency-Key replays) as the response."""
    return Response(answer.body, status_code=answer.status, headers=answer.headers, media_type=answer.media_type)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(values)).decode("ascii").rstrip("=")


__all__ = ["check_if_match", "etag", "etag_listed"]  # used by the controllers beside the helpers below


def decode_cursor(cursor: str, types: Any) -> Any:
    """Decode a cursor into `types` (a tuple type); anything else is a 422 on the `cursor` parameter."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=types)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("cursor", "not a cursor this service returned", actual=cursor) from exc


def parse_include(include: str | None, allowed: frozenset[str]) -> frozenset[str]:
    parts = frozenset(p.strip() for p in (include or "").split(",") if p.strip())
    if unknown := parts - allowed:
        raise InvalidInput("include", f"unknown value(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    return parts


def get_and_head(operation_id: str) -> Callable[[Any, Any, Any], str]:
    """Operation ids of a handler that answers GET and HEAD: `operation_id`, and `head` + OperationId."""

    def name(handler: Any, method: Any, path: Any) -> str:
        if HttpMethod(method) == HttpMethod.HEAD:
            return "head" + operation_id[0].upper() + operation_id[1:]
        return operation_id

    return name


def correct_allow_headers(routes: list[Any]) -> None:
    """Make each path's automatic OPTIONS answer 200 and list every method of the path, plus any headers a
    handler of the path names in `opt["options_headers"]` (the W3C protocol's Accept-Post and Link).

    Litestar builds that handler when a path's first handler is registered and keeps it as later handlers of the
    same path join, so its `Allow` named only some of them. Rebind it to the final set of methods."""
    for route in routes:
        handlers = getattr(route, "route_handler_map", {}).get("OPTIONS")
        if handlers is None or handlers[0].handler_name != "options_handler":
            continue
        headers = {"Allow": ", ".join(sorted(route.methods))}
        for handler in route.route_handlers:
            headers |= handler.opt.get("options_headers", {})

        def options_handler(scope: Any, headers: dict[str, str] = headers) -> Response[None]:
            return Response(None, status_code=200, headers=headers, media_type="text/plain")

        handlers[0]._fn = options_handler


def as_rendered(documents: Iterable[bytes]) -> list[Annotation]:
    """Annotations rendered to JSON by the database, wrapped so msgspec writes them out as they are. Typed as the
    Structs they encode: tests/store/test_annotation_documents.py checks that they decode as exactly those."""
    return cast("list[Annotation]", [msgspec.Raw(document) for document in documents])


def not_modified(tag: str) -> Response[Any]:
    return Response(b"", status_code=304, headers={"ETag": tag, "Vary": "Accept"})


def given_fields(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually sent (`null` included), leaving out those it did not mention."""
    return {name: value for name in patch.__struct_fields__ if (value := getattr(patch, name)) is not msgspec.UNSET}
