"""The W3C Web Annotation Protocol face of the annotation endpoints: JSON-LD bodies accepted on create
(translated to the native input before validation), and W3C representations with the Protocol's headers."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response

from service.api.auth import Principal
from service.domain.w3c import W3C_MEDIA_TYPE, from_w3c, wants_w3c
from service.errors import MalformedRequest, PayloadTooLarge

_ANNOTATION_CONTAINER = re.compile(r"^/v1/articles/[^/]+/annotations/?$")
W3C_REQUEST = "w3c_request"
RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
CONTAINER_LINKS = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
ANNOTATION_ALLOW = "DELETE, GET, OPTIONS, PATCH"
CONTAINER_ALLOW = "GET, OPTIONS, POST"


def _is_json_ld(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/ld+json"


def w3c_body_middleware(max_body_bytes: int) -> Any:
    """ASGI middleware: a JSON-LD W3C Annotation (or an array of them) POSTed to an article's annotation
    container is rewritten into the native input, so the one typed handler validates and stores it."""

    # Plain ASGI callables, typed loosely: Litestar's TypedDict scopes add nothing here.
    def middleware(app: Any) -> Any:
        async def translate(scope: Any, receive: Any, send: Any) -> None:
            if not (
                scope["type"] == "http"
                and scope["method"] == "POST"
                and _ANNOTATION_CONTAINER.match(scope["path"])
                and _is_json_ld(dict(scope["headers"]).get(b"content-type", b"").decode("latin-1"))
            ):  # every other request passes straight through, without looking at its headers
                await app(scope, receive, send)
                return
            native = msgspec.json.encode(_translate(await _read_body(receive, max_body_bytes)))
            scope["headers"] = [
                (name, value) for name, value in scope["headers"] if name not in (b"content-type", b"content-length")
            ] + [(b"content-type", b"application/json"), (b"content-length", str(len(native)).encode())]
            scope.setdefault("state", {})[W3C_REQUEST] = True
            sent = False

            async def replay() -> Any:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": native, "more_body": False}

            await app(scope, replay, send)

        return translate

    return middleware


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body exceeds {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _translate(raw: bytes) -> Any:
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise MalformedRequest(f"JSON is malformed: {exc}") from exc
    if isinstance(document, list):
        return [from_w3c(item, f"/{index}") for index, item in enumerate(document)]
    return from_w3c(document)


def sent_w3c(request: Request[Any, Any, Any]) -> bool:
    """Whether the request body was a W3C annotation (its selectors count code points, whatever offset_unit says)."""
    return bool(request.scope.get("state", {}).get(W3C_REQUEST))


def negotiated(request: Request[Any, Any, Any]) -> bool:
    """Whether to answer in the W3C representation: asked for by Accept, or the request itself was W3C."""
    return wants_w3c(request.headers.get("accept")) or sent_w3c(request)


def base_url(request: Request[Any, Any, Any], public_url: str | None) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


def creator(principal: Principal) -> str:
    return principal.organization_name


def w3c_response(document: Any, status_code: int, headers: dict[str, str], link: str) -> Response[Any]:
    return Response(
        msgspec.json.encode(document),
        status_code=status_code,
        media_type=W3C_MEDIA_TYPE,
        headers={**headers, "Link": link, "Vary": "Accept"},
    )
