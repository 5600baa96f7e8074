"""Annotations: create one or a batch on an article, list with filters, read, patch, delete."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, HttpMethod, Request, Response, delete, patch, post, route
from litestar.params import JSONBody, QueryParameter

from service.api.auth import CurrentPrincipal, Principal
from service.api.body import W3C_BODY_OPTION, sent_w3c
from service.api.http import (
    NOT_MODIFIED,
    CurrentCompute,
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    IfNoneMatchHeader,
    LimitParam,
    OffsetUnitParam,
    Pool,
    answer_response,
    as_rendered,
    decode_cursor,
    encode_cursor,
    etag,
    etag_listed,
    get_and_head,
    given_fields,
    not_modified,
    problem_responses,
)
from service.api.idempotency import IdempotencyKeyHeader, idempotency_key
from service.api.w3c import (
    ANNOTATION_ALLOW,
    CONTAINER_ALLOW,
    CONTAINER_LINKS,
    RESOURCE_LINK,
    annotation_document,
    container_document,
    created_page_document,
    ensure_published,
    negotiated,
    w3c_response,
)
from service.domain.offsets import OffsetUnit
from service.domain.storable import ensure_storable
from service.domain.w3c import W3C_MEDIA_TYPE
from service.errors import InvalidInput, NotFound
from service.operations import annotations as annotation_operations
from service.operations.annotations import CreatedAnnotations
from service.operations.idempotency import Answer
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.wire import (
    DEFAULT_PAGE,
    AnchorStatus,
    Annotation,
    AnnotationBatch,
    AnnotationBatchInput,
    AnnotationInput,
    AnnotationPage,
    AnnotationPatch,
    Kind,
    Review,
)

RevisionParam = Annotated[
    int | None,
    QueryParameter(
        ge=1, le=2**31 - 1, description="Read positions as they stood at this earlier revision of the text."
    ),
]
SpanParam = Annotated[
    int | None, QueryParameter(ge=0, le=2**31 - 1, description="Only annotations overlapping [start, end).")
]


def listed_reviews(asked: list[Review] | None, w3c: bool) -> list[Review]:
    """The review states a list shows: those asked for (default: all but rejected); W3C output only accepted."""
    shown = list(asked) if asked else [Review.PENDING, Review.ACCEPTED]
    return [r for r in shown if r == Review.ACCEPTED] if w3c else shown


async def _earlier_revision(
    pool: asyncpg.Pool, principal: Principal, article_id: uuid.UUID, revision: int | None
) -> int | None:
    """`revision` if it names an earlier revision of the article, None for the current one; 404 if none such."""
    if revision is None:
        return None
    current = await article_store.fetch_current_revision(pool, principal.tenant_id, article_id)
    if current is None:
        raise NotFound(f"no article {article_id}")
    if revision > current:
        raise NotFound(f"article {article_id} has no revision {revision} (current: {current})")
    return None if revision == current else revision


def _json_response(document: bytes, headers: dict[str, str]) -> Response[Any]:
    """An annotation rendered as JSON by the database, passed through untouched."""
    return Response(document, headers={**headers, "Vary": "Accept"}, media_type="application/json")


def list_etag(parameters: Iterable[tuple[str, str]], w3c: bool, version: str) -> str:
    """A weak ETag of one list request (its query parameters and representation) over the matching rows'
    version."""
    digest = hashlib.sha256(repr((w3c, sorted(parameters), version)).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def _list_etag(request: Request[Any, Any, Any], w3c: bool, version: str) -> str:
    return list_etag(request.query_params.multi_items(), w3c, version)


def native_page(page: annotation_store.DocumentPage) -> bytes:
    """A page of documents as the list answers it in JSON (AnnotationPage, as msgspec writes it): the stored
    documents written out as they are, in one join, so a 140 kB page is copied once (joining the array, then
    wrapping it, copied it four times: ~25 µs of a cold read)."""
    tail = b'],"next_cursor":' + _encode(_next_cursor(page.last)) + b"}"
    documents = page.documents
    if not documents:
        return b'{"items":[' + tail
    if len(documents) == 1:
        return b'{"items":[' + documents[0] + tail
    return b",".join([b'{"items":[' + documents[0], *documents[1:-1], documents[-1] + tail])


def _not_found(annotation_id: uuid.UUID, revision: int | None) -> NotFound:
    return NotFound(f"no annotation {annotation_id}" + (f" at revision {revision}" if revision else ""))


class ArticleAnnotationsController(Controller):
    path = "/articles/{article_id:uuid}/annotations"
    tags = ["annotations"]

    @post(
        "/",
        operation_id="createAnnotations",
        responses=problem_responses(404, 409, 413, 415),
        opt={"scope": "write", W3C_BODY_OPTION: True},
        status_code=201,
        summary="Create one annotation (an object) or a batch (an array), all or nothing",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        data: JSONBody[AnnotationInput | AnnotationBatchInput],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        compute: CurrentCompute,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        idempotency_key_header: IdempotencyKeyHeader = None,
    ) -> Response[Annotation | AnnotationBatch]:
        single = not isinstance(data, list)
        w3c = negotiated(request)
        unit = OffsetUnit.CODEPOINT if sent_w3c(request) else offset_unit  # W3C selectors count code points
        ensure_storable(data)

        def present(created: CreatedAnnotations) -> Answer:
            headers = {"Vary": "Accept"}
            if single:  # a new annotation is at version 1
                headers |= {"ETag": etag(1), "Location": f"/v1/annotations/{created.ids[0]}"}
            if not w3c:
                rendered = as_rendered(created.documents)
                return Answer(_encode(rendered[0] if single else AnnotationBatch(items=rendered)), 201, headers)
            args = (request, principal, created.article.url, settings.public_url)
            if single:
                document = annotation_document(created.annotations[0], *args)
            else:
                document = created_page_document(created.annotations, *args)
            headers["Link"] = RESOURCE_LINK if single else CONTAINER_LINKS
            return Answer(_encode(document), 201, headers, W3C_MEDIA_TYPE)

        answer = await annotation_operations.create_annotations(
            pool, principal.tenant_id, article_id, data if isinstance(data, list) else [data], unit,
            pointer_base=None if single else "", as_structs=w3c, compute=compute,
            idempotency=await idempotency_key(request, idempotency_key_header, settings.idempotency_ttl_seconds),
            present=present,
        )  # fmt: skip
        return answer_response(answer)

    @route(
        "/",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        operation_id=get_and_head("listAnnotations"),
        responses=problem_responses(404) | NOT_MODIFIED,
        summary="List an article's annotations in text order",
    )
    async def list_annotations(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        kind: Annotated[list[Kind] | None, QueryParameter(description="Only these kinds (repeatable).")] = None,
        tag: Annotated[
            str | None,
            QueryParameter(max_length=100, pattern=r"^[^\x00]+$", description="Only annotations with this tag."),
        ] = None,
        status: Annotated[AnchorStatus | None, QueryParameter(description="Only this anchor status.")] = None,
        review: Annotated[
            list[Review] | None,
            QueryParameter(
                description="Only these review states (repeatable); by default rejected suggestions are left out. "
                "W3C lists carry accepted annotations only."
            ),
        ] = None,
        start: SpanParam = None,
        end: SpanParam = None,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_PAGE,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        revision: RevisionParam = None,
        if_none_match: IfNoneMatchHeader = None,
    ) -> Response[AnnotationPage]:
        w3c = negotiated(request)
        unit = OffsetUnit.CODEPOINT if w3c else offset_unit  # W3C selectors count code points
        if start is not None and end is not None and end < start:
            raise InvalidInput("end", "end must not be less than start", actual=end)
        earlier = await _earlier_revision(pool, principal, article_id, revision)
        after = decode_cursor(cursor, annotation_store.Keyset) if cursor else None
        where = annotation_store.AnnotationFilter(
            kinds=kind or (), tag=tag, status=status, overlap_start=start, overlap_end=end,
            reviews=listed_reviews(review, w3c),
        )  # fmt: skip
        page_request = (pool, principal.tenant_id, article_id, unit, where, after)
        if if_none_match is not None:  # a re-poll costs one aggregate over the matching rows
            version = await annotation_store.fetch_annotations_version(*page_request, earlier)
            if etag_listed(if_none_match, tag_ := _list_etag(request, w3c, version)):
                return not_modified(tag_)
        if not w3c:
            documents = await annotation_store.fetch_documents_page(*page_request, limit, earlier)
            if not documents.count and not await article_store.article_exists(pool, principal.tenant_id, article_id):
                raise NotFound(f"no article {article_id}")
            headers = {"Vary": "Accept", "ETag": _list_etag(request, w3c, documents.version)}
            answer: Response[Any] = Response(native_page(documents), headers=headers, media_type="application/json")
            return answer
        structs = await annotation_store.fetch_annotations_page(*page_request, limit, earlier)
        article_url = await article_store.fetch_article_url(pool, principal.tenant_id, article_id)
        if article_url is None:
            raise NotFound(f"no article {article_id}")
        total = await annotation_store.count_annotations(pool, principal.tenant_id, article_id, where, earlier)
        document = container_document(
            structs.items, request, principal, article_url=article_url, public_url=settings.public_url, total=total,
            next_cursor=_next_cursor(structs.last),
        )  # fmt: skip
        headers = {
            "Allow": CONTAINER_ALLOW, "ETag": _list_etag(request, w3c, structs.version),
            "Content-Location": document["id"],
        }  # fmt: skip
        return w3c_response(document, 200, headers, CONTAINER_LINKS)


def _next_cursor(last: annotation_store.Keyset | None) -> str | None:
    return encode_cursor([last[0], last[1], str(last[2])]) if last else None


def _encode(content: Any) -> bytes:
    return msgspec.json.encode(content)


class AnnotationController(Controller):
    path = "/annotations/{annotation_id:uuid}"
    tags = ["annotations"]

    @route(
        "/",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        operation_id=get_and_head("getAnnotation"),
        responses=problem_responses(404),
        summary="Read one annotation",
    )
    async def read(
        self,
        request: Request[Any, Any, Any],
        annotation_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        revision: RevisionParam = None,
    ) -> Response[Annotation]:
        tenant_id = principal.tenant_id
        if not negotiated(request):
            found = await annotation_store.fetch_document(pool, tenant_id, annotation_id, offset_unit)
            if found is None:
                raise _not_found(annotation_id, None)
            earlier = await _earlier_revision(pool, principal, found.article_id, revision)
            if earlier is None:
                return _json_response(found.document, {"ETag": etag(found.version)})
            then = await annotation_store.fetch_document(pool, tenant_id, annotation_id, offset_unit, earlier)
            if then is None:
                raise _not_found(annotation_id, earlier)
            return _json_response(then.document, {})
        # W3C: selectors count code points whatever offset_unit says.
        annotation = await annotation_store.fetch_annotation(pool, tenant_id, annotation_id, OffsetUnit.CODEPOINT)
        if annotation is None:
            raise _not_found(annotation_id, None)
        earlier = await _earlier_revision(pool, principal, annotation.article_id, revision)
        if earlier is not None:
            annotation = await annotation_store.fetch_annotation(
                pool, tenant_id, annotation_id, OffsetUnit.CODEPOINT, earlier
            )
            if annotation is None:
                raise _not_found(annotation_id, earlier)
        ensure_published(annotation)
        article_url = await article_store.fetch_article_url(pool, tenant_id, annotation.article_id)
        document = annotation_document(annotation, request, principal, article_url or "", settings.public_url)
        headers = {"Allow": ANNOTATION_ALLOW} | ({"ETag": etag(annotation.version)} if earlier is None else {})
        return w3c_response(document, 200, headers, RESOURCE_LINK)

    @patch(
        "/",
        operation_id="updateAnnotation",
        responses=problem_responses(404, 412, 415),
        opt={"scope": "write"},
        summary="Change any subset of the annotation's fields; offsets and quote are re-validated",
    )
    async def update(
        self,
        annotation_id: Id,
        data: JSONBody[AnnotationPatch],
        principal: CurrentPrincipal,
        pool: Pool,
        compute: CurrentCompute,
        if_match: IfMatchHeader = None,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> Response[Annotation]:
        ensure_storable(data)
        found = await annotation_operations.update_annotation(
            pool, principal.tenant_id, annotation_id, given_fields(data), if_match, offset_unit, compute=compute
        )
        return _json_response(found.document, {"ETag": etag(found.version)})

    @delete(
        "/",
        operation_id="deleteAnnotation",
        responses=problem_responses(404, 412),
        opt={"scope": "write"},
        status_code=204,
        summary="Delete an annotation; links to it (if a claim) are cleared",
    )
    async def remove(
        self, annotation_id: Id, principal: CurrentPrincipal, pool: Pool, if_match: IfMatchHeader = None
    ) -> None:
        await annotation_operations.delete_annotation(pool, principal.tenant_id, annotation_id, if_match)
