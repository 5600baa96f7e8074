"""The W3C Web Annotation Protocol face of the annotation endpoints: which representation a request wants, and
the W3C documents (annotation, collection, page) with the Protocol's headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response

from service.api.auth import Principal
from service.api.body import sent_w3c
from service.api.negotiation import wants_w3c
from service.domain.w3c import W3C_MEDIA_TYPE, to_annotation_collection, to_annotation_page, to_w3c
from service.errors import NotFound
from service.wire import Annotation, Review

RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
CONTAINER_LINKS = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
ANNOTATION_ALLOW = "DELETE, GET, HEAD, OPTIONS, PATCH"
CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"


def ensure_published(annotation: Annotation) -> None:
    """W3C output carries accepted annotations only: a suggestion still pending, or rejected, is not there."""
    if annotation.review != Review.ACCEPTED:
        raise NotFound(
            f"annotation {annotation.id} is a suggestion under review ({annotation.review}); the W3C representation "
            "carries accepted annotations only (its native JSON is readable)"
        )


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


def annotation_document(
    annotation: Annotation,
    request: Request[Any, Any, Any],
    principal: Principal,
    article_url: str,
    public_url: str | None,
) -> dict[str, Any]:
    return to_w3c(
        annotation, article_url=article_url, base_url=base_url(request, public_url), creator_name=creator(principal)
    )


def created_page_document(
    annotations: Sequence[Annotation],
    request: Request[Any, Any, Any],
    principal: Principal,
    article_url: str,
    public_url: str | None,
) -> dict[str, Any]:
    """The page answering a batch created in the container."""
    collection = _public_url(request, public_url, "")
    return to_annotation_page(
        annotations, article_url=article_url, base_url=base_url(request, public_url), page_url=collection,
        next_url=None, collection_url=collection, total=None, creator_name=creator(principal),
    )  # fmt: skip


def _public_url(request: Request[Any, Any, Any], public_url: str | None, query: str) -> str:
    """The request's own IRI at the public base URL (behind a proxy, the one clients know), with `query`."""
    return f"{base_url(request, public_url)}{request.url.path}" + (f"?{query}" if query else "")


def _query_without(request: Request[Any, Any, Any], name: str) -> str:
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != name])


def _query_with(request: Request[Any, Any, Any], **values: str) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in values]
    return urlencode(kept + list(values.items()))


def container_document(
    annotations: Sequence[Annotation],
    request: Request[Any, Any, Any],
    principal: Principal,
    *,
    article_url: str,
    public_url: str | None,
    total: int,
    next_cursor: str | None,
) -> dict[str, Any]:
    """The container's answer to a list request: the collection with its first page embedded (no cursor), or
    the page a cursor names; links keep the request's own filters."""
    collection_url = _public_url(request, public_url, _query_without(request, "cursor"))
    next_url = _public_url(request, public_url, _query_with(request, cursor=next_cursor)) if next_cursor else None
    common: dict[str, Any] = {
        "article_url": article_url, "base_url": base_url(request, public_url), "next_url": next_url,
        "total": total, "creator_name": creator(principal),
    }  # fmt: skip
    if request.query_params.get("cursor") is None:
        # The first page is embedded in the collection: its own IRI is a fragment of the collection's.
        return to_annotation_collection(
            annotations, collection_url=collection_url, first_page_url=f"{collection_url}#page-1", **common
        )
    page_url = _public_url(request, public_url, request.url.query)
    return to_annotation_page(annotations, page_url=page_url, collection_url=collection_url, **common)
