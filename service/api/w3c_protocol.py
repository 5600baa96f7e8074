"""The W3C Web Annotation Protocol mount: `/w3c/articles/{id}/` is the container of an article's annotations,
which answers JSON-LD by default, and each annotation lives under it. Same rows as `/v1`; the documents come
from domain/w3c.py, the container and its pages from domain/w3c_protocol.py."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from litestar import Controller, HttpMethod, Request, Response, delete, post, put, route
from litestar.params import Body, HeaderParameter, QueryParameter

from service.api.auth import CurrentPrincipal, Principal
from service.api.http import (
    NOT_MODIFIED,
    CurrentCompute,
    CurrentSettings,
    Id,
    IfMatchHeader,
    IfNoneMatchHeader,
    Pool,
    answer_response,
    etag,
    etag_listed,
    get_and_head,
    problem_responses,
)
from service.api.idempotency import IdempotencyKeyHeader, idempotency_key
from service.api.w3c import ensure_published
from service.domain.offsets import OffsetUnit
from service.domain.storable import ensure_storable
from service.domain.urls import canonical_url
from service.domain.w3c import from_w3c, target_source, to_w3c
from service.domain.w3c_protocol import (
    ANNOTATION_ALLOW,
    CONTAINER_ALLOW,
    CONTAINER_LINK,
    FIRST_PAGE,
    PAGE_LINK,
    PROFILE_MEDIA_TYPE,
    RESOURCE_LINK,
    Container,
    Identity,
    Key,
    Page,
    PageRequest,
    Preference,
    container_document,
    container_root,
    page_node,
    parse_page,
    parse_prefer,
    read_identity,
    with_identity,
)
from service.errors import InvalidInput, NotFound, PreconditionRequired
from service.operations.idempotency import Answer
from service.operations.w3c_annotations import (
    StoredW3C,
    create_w3c_annotation,
    delete_w3c_annotation,
    replace_w3c_annotation,
)
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store import w3c_identities as identity_store
from service.wire import MAX_PAGE, Annotation, AnnotationInput

DEFAULT_PAGE = 100
ACCEPT_POST = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld", application/ld+json'
# What OPTIONS answers on each path (api/http.py adds Allow).
CONTAINER_OPTIONS = {"Accept-Post": ACCEPT_POST, "Link": CONTAINER_LINK}
ANNOTATION_OPTIONS = {"Link": RESOURCE_LINK}

W3CBody = Annotated[
    dict[str, Any],
    Body(description="A W3C Web Annotation (JSON-LD, `application/ld+json` or `application/json`)."),
]
RequiredIfMatch = Annotated[
    str | None,
    # Required (the OpenAPI document says so); when missing the handler answers 428, as RFC 6585 describes.
    HeaderParameter(name="If-Match", required=True, description="ETag of the annotation this document replaces."),
]
IrisParam = Annotated[
    Literal["0", "1"] | None,
    QueryParameter(description="1: list annotations as IRIs (as `Prefer` with oa#PreferContainedIRIs does)."),
]
PageParam = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="A page of the container: follow first, next, prev, last.",
    ),
]
PageSizeParam = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE} (default {DEFAULT_PAGE})."),
]
PreferHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Prefer",
        description='`return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer"` (or '
        "oa#PreferContainedIRIs, oa#PreferContainedDescriptions) chooses what the container embeds.",
    ),
]


def _base_url(request: Request[Any, Any, Any], public_url: str | None) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


def _w3c_response(document: Any, status_code: int, headers: dict[str, str]) -> Response[Any]:
    return Response(
        msgspec.json.encode(document), status_code=status_code, media_type=PROFILE_MEDIA_TYPE, headers=headers
    )


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _annotation_input(document: dict[str, Any]) -> AnnotationInput:
    """The native input a W3C document describes, every string of it storable."""
    ensure_storable(document)
    return from_w3c(document)


async def _check_target(
    pool: asyncpg.Pool | asyncpg.Connection, principal: Principal, article_id: uuid.UUID, document: dict[str, Any]
) -> None:
    """The annotation's target, when it names a source, must be this article (by any of its URLs)."""
    source = target_source(document)
    if source is None:
        return
    pointer = "/target/source" if isinstance(document.get("target"), dict) else "/target"
    found = await article_store.fetch_article_by_url(
        pool, principal.tenant_id, canonical_url(source, pointer), OffsetUnit.CODEPOINT, with_text=False
    )
    if found is None or found.id != article_id:
        if not await article_store.article_exists(pool, principal.tenant_id, article_id):
            raise NotFound(f"no article {article_id}")
        raise InvalidInput(
            pointer, f"this container holds annotations of article {article_id}: target its URL", actual=source
        )


class _Renderer:
    """Turns stored annotations into W3C documents under this container, with their kept canonical and via."""

    def __init__(self, container: Container, article_url: str, base_url: str, principal: Principal) -> None:
        self.container, self.article_url, self.base_url = container, article_url, base_url
        self.creator = principal.organization_name

    def document(self, annotation: Annotation, identity: Identity | None) -> dict[str, Any]:
        node = to_w3c(annotation, article_url=self.article_url, base_url=self.base_url, creator_name=self.creator)
        return with_identity(node, self.container.annotation(annotation.id), identity)

    def present(self, stored: StoredW3C) -> dict[str, Any]:
        return self.document(stored.annotation, stored.identity)


async def _read_page(
    connection: asyncpg.Connection, principal: Principal, article_id: uuid.UUID, request: PageRequest, limit: int,
    renderer: _Renderer,
) -> Page:  # fmt: skip
    before = request.direction == "before"
    rows, more = await annotation_store.fetch_annotations_around(
        connection, principal.tenant_id, article_id, request.key, before=before, limit=limit
    )
    items: list[tuple[Key, dict[str, Any]]]
    if renderer.container.iris:  # IRIs only: nothing else of the annotations is shown
        items = [(key, {"id": renderer.container.annotation(a.id)}) for key, a in rows]
    else:
        identities = await identity_store.fetch_identities(connection, principal.tenant_id, [a.id for _, a in rows])
        items = [(key, renderer.document(a, identities.get(a.id))) for key, a in rows]
    beyond_key = request.key is not None
    return Page(items, more_before=more if before else beyond_key, more_after=beyond_key if before else more)


def _annotation_headers(version: int) -> dict[str, str]:
    return {"ETag": etag(version), "Allow": ANNOTATION_ALLOW, "Link": RESOURCE_LINK, "Vary": "Accept"}


def _container_etag(*parts: Any) -> str:
    return 'W/"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:24] + '"'


class W3CContainerController(Controller):
    path = "/articles/{article_id:uuid}"
    tags = ["w3c"]

    @route(
        "/",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        operation_id=get_and_head("readW3CContainer"),
        media_type=PROFILE_MEDIA_TYPE,
        responses=problem_responses(404) | NOT_MODIFIED,
        opt={"options_headers": CONTAINER_OPTIONS},
        summary="The article's annotation container (or one of its pages) as W3C JSON-LD",
    )
    async def read_container(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        page: PageParam = None,
        iris: IrisParam = None,
        limit: PageSizeParam = None,
        prefer: PreferHeader = None,
        if_none_match: IfNoneMatchHeader = None,
    ) -> Response[Any]:
        page_request = parse_page(page) if page is not None else None
        preference = parse_prefer(prefer) if page_request is None else Preference()  # pages are what they are
        base = _base_url(request, settings.public_url)
        container = Container(container_root(base, article_id), iris=iris == "1" or preference.iris, limit=limit)
        async with pool.acquire() as connection, connection.transaction(isolation="repeatable_read", readonly=True):
            article = await article_store.fetch_article(
                connection, principal.tenant_id, article_id, OffsetUnit.CODEPOINT, with_text=False
            )
            if article is None:
                raise NotFound(f"no article {article_id}")
            total, changed = await annotation_store.fetch_annotations_changed(
                connection, principal.tenant_id, article_id
            )
            here = container.collection if page_request is None else container.page(page_request)
            tag = _container_etag(here, preference, total, changed, article.version)
            headers = {"ETag": tag, "Allow": CONTAINER_ALLOW, "Vary": "Accept, Prefer", "Content-Location": here}
            if if_none_match is not None and etag_listed(if_none_match, tag):
                return Response(b"", status_code=304, headers=headers)
            renderer = _Renderer(container, article.url, base, principal)
            size = limit or DEFAULT_PAGE
            if page_request is not None:
                found = await _read_page(connection, principal, article_id, page_request, size, renderer)
                document = page_node(container, page_request, found, total, embedded=False)
                return _w3c_response(document, 200, headers | {"Link": PAGE_LINK})
            embed = not (preference.minimal or container.iris)
            first = await _read_page(connection, principal, article_id, FIRST_PAGE, size, renderer) if embed else None
        document = container_document(
            container, total=total, label=article.title, modified=_timestamp(changed) if changed else None,
            first_page=first,
        )  # fmt: skip
        headers |= {"Link": CONTAINER_LINK, "Accept-Post": ACCEPT_POST}
        if (applied := preference.applied_header) is not None:
            headers["Preference-Applied"] = applied
        return _w3c_response(document, 200, headers)

    @post(
        "/",
        operation_id="createW3CAnnotation",
        media_type=PROFILE_MEDIA_TYPE,
        responses=problem_responses(404, 409, 413, 415),
        opt={"scope": "write"},
        status_code=201,
        summary="Create an annotation from a W3C JSON-LD document; its IRI is under the container",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        data: W3CBody,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        compute: CurrentCompute,
        idempotency_header: IdempotencyKeyHeader = None,
    ) -> Response[Any]:
        document = data
        item = _annotation_input(document)
        await _check_target(pool, principal, article_id, document)
        base = _base_url(request, settings.public_url)
        container = Container(container_root(base, article_id))

        def present(stored: StoredW3C) -> Answer:
            body = _Renderer(container, stored.article_url, base, principal).present(stored)
            headers = _annotation_headers(stored.annotation.version) | {"Location": body["id"]}
            return Answer(msgspec.json.encode(body), 201, headers, PROFILE_MEDIA_TYPE)

        answer = await create_w3c_annotation(
            pool, principal.tenant_id, article_id, item, read_identity(document, None, None),
            compute=compute,
            idempotency=await idempotency_key(request, idempotency_header, settings.idempotency_ttl_seconds),
            present=present,
        )  # fmt: skip
        return answer_response(answer)

    @route(
        "/{annotation_id:uuid}",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        operation_id=get_and_head("readW3CAnnotation"),
        media_type=PROFILE_MEDIA_TYPE,
        responses=problem_responses(404) | NOT_MODIFIED,
        opt={"options_headers": ANNOTATION_OPTIONS},
        summary="One annotation of the container as W3C JSON-LD",
    )
    async def read_annotation(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        annotation_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        if_none_match: IfNoneMatchHeader = None,
    ) -> Response[Any]:
        async with pool.acquire() as connection, connection.transaction(isolation="repeatable_read", readonly=True):
            annotation = await annotation_store.fetch_annotation(
                connection, principal.tenant_id, annotation_id, OffsetUnit.CODEPOINT
            )
            if annotation is None or annotation.article_id != article_id:
                raise NotFound(f"no annotation {annotation_id} in the container of article {article_id}")
            ensure_published(annotation)
            headers = _annotation_headers(annotation.version)
            if if_none_match is not None and etag_listed(if_none_match, headers["ETag"]):
                return Response(b"", status_code=304, headers=headers)
            article_url = await article_store.fetch_article_url(connection, principal.tenant_id, article_id)
            identities = await identity_store.fetch_identities(connection, principal.tenant_id, [annotation_id])
        base = _base_url(request, settings.public_url)
        renderer = _Renderer(Container(container_root(base, article_id)), article_url or "", base, principal)
        return _w3c_response(renderer.document(annotation, identities.get(annotation_id)), 200, headers)

    @put(
        "/{annotation_id:uuid}",
        operation_id="replaceW3CAnnotation",
        media_type=PROFILE_MEDIA_TYPE,
        responses=problem_responses(404, 412, 413, 415, 428),
        opt={"scope": "write"},
        summary="Replace an annotation with a W3C JSON-LD document (If-Match required); selectors are re-validated",
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        annotation_id: Id,
        data: W3CBody,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        compute: CurrentCompute,
        if_match: RequiredIfMatch = None,
    ) -> Response[Any]:
        if if_match is None:
            raise PreconditionRequired("send If-Match with the ETag of the annotation you replace")
        document = data
        item = _annotation_input(document)
        await _check_target(pool, principal, article_id, document)
        base = _base_url(request, settings.public_url)
        container = Container(container_root(base, article_id))
        iri = container.annotation(annotation_id)
        stored = await replace_w3c_annotation(
            pool, principal.tenant_id, article_id, annotation_id, item,
            lambda kept: read_identity(document, iri, kept), if_match, compute=compute,
        )  # fmt: skip
        body = _Renderer(container, stored.article_url, base, principal).present(stored)
        return _w3c_response(body, 200, _annotation_headers(stored.annotation.version))

    @delete(
        "/{annotation_id:uuid}",
        operation_id="deleteW3CAnnotation",
        responses=problem_responses(404, 412),
        opt={"scope": "write"},
        status_code=204,
        summary="Delete an annotation of the container; links to it (if a claim) are cleared",
    )
    async def remove(
        self, article_id: Id, annotation_id: Id, principal: CurrentPrincipal, pool: Pool, if_match: IfMatchHeader = None
    ) -> None:
        await delete_w3c_annotation(pool, principal.tenant_id, article_id, annotation_id, if_match)
