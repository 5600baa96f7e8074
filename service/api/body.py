"""Request bodies, decoded after authentication (Litestar resolves `data` once the guards have passed), strictly
and straight from bytes into the handler's msgspec type: JSON types are not coerced ("10" is not an offset, 0 is
not a date), and an error names its field by JSON pointer. A route with `opt={"w3c_body": True}` also takes W3C
Web Annotations as `application/ld+json`, translated here into its native input before the same validation."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

from service.domain.pointers import child, from_msgspec_path
from service.domain.w3c import from_w3c
from service.errors import FieldError, InvalidInput, MalformedRequest, UnsupportedMediaType

_PATH = re.compile(r" - at `\$(.*)`$")
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
W3C_REQUEST = "w3c_request"
W3C_BODY_OPTION = "w3c_body"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _malformed(exc: msgspec.DecodeError, body: bytes) -> MalformedRequest:
    """One clear sentence for each way JSON can fail to parse (msgspec's own wording is kept where it is clear)."""
    message = str(exc)
    if not body.strip():
        return MalformedRequest("the request body is empty; send a JSON document")
    if message == "Input data was truncated":
        if _SURROGATE_ESCAPE.search(body):
            return MalformedRequest("the JSON holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), not a character")
        return MalformedRequest("the JSON ends before the document is complete (truncated)")
    if not message.startswith("JSON is malformed"):
        message = f"JSON is malformed: {message}"
    return MalformedRequest(message)


def _too_deep() -> MalformedRequest:
    return MalformedRequest("the JSON is nested too deeply")


def decode_strictly(body: bytes, target: Any) -> Any:
    try:
        return msgspec.json.decode(body, type=target)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _PATH.search(message)
        pointer = from_msgspec_path(match.group(1)) if match else ""
        detail = message[: match.start()] if match else message
        if unknown := _UNKNOWN_FIELD.search(detail):
            pointer = child(pointer, unknown.group(1))
        raise InvalidInput(pointer, detail) from None
    except msgspec.DecodeError as exc:
        raise _malformed(exc, body) from None
    except RecursionError:
        raise _too_deep() from None


def decode_w3c(body: bytes, target: Any) -> Any:
    """A W3C annotation (or an array of them) as the native input `target`, validated like a native body."""
    try:
        document = msgspec.json.decode(body)
        if isinstance(document, list):
            native: Any = [from_w3c(item, f"/{index}") for index, item in enumerate(document)]
        else:
            native = from_w3c(document)
        return decode_strictly(msgspec.json.encode(native), target)
    except msgspec.DecodeError as exc:
        raise _malformed(exc, body) from None
    except RecursionError:
        raise _too_deep() from None


def sent_w3c(request: Request[Any, Any, Any]) -> bool:
    """Whether the request body was a W3C annotation (its selectors count code points, whatever offset_unit says)."""
    return bool(request.scope.get("state", {}).get(W3C_REQUEST))


class StrictJSONRequest(Request[Any, Any, Any]):
    """`json()` returns the handler's `data` type already decoded (Litestar then passes it through as is)."""

    async def body(self) -> bytes:
        """The raw body; an empty one is refused where the handler takes a body (Litestar would call it a missing
        `data` parameter)."""
        body = await super().body()
        if not body and "data" in self.route_handler.parsed_fn_signature.parameters:
            raise MalformedRequest("the request body is empty; send a JSON document")
        return body

    async def json(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        if data is None:
            return await super().json()
        media = media_type(self.headers.get("content-type"))
        if media == "application/ld+json" and self.route_handler.opt.get(W3C_BODY_OPTION):
            self.scope.setdefault("state", {})[W3C_REQUEST] = True
            return decode_w3c(await self.body(), data.annotation)
        if not _is_json(media):
            detail = f"send the body as JSON with `Content-Type: application/json` (got {media or 'no Content-Type'})"
            raise UnsupportedMediaType(detail, errors=[FieldError("Content-Type", detail, media or None)])
        return decode_strictly(await self.body(), data.annotation)
