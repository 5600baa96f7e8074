"""Annotations: create one or a batch on an article, list with filters, read, patch, delete."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.api.auth import CurrentPrincipal, Principal
from service.api.compute import Compute, CurrentCompute
from service.api.http import (
    NOT_MODIFIED,
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    IfNoneMatchHeader,
    LimitParam,
    OffsetUnitParam,
    Pool,
    as_rendered,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag,
    etag_listed,
    given_fields,
    not_modified,
    problem_responses,
)
from service.api.idempotency import Idempotency, IdempotencyKeyHeader, fingerprint
from service.api.w3c import (
    ANNOTATION_ALLOW,
    CONTAINER_ALLOW,
    CONTAINER_LINKS,
    RESOURCE_LINK,
    base_url,
    creator,
    negotiated,
    sent_w3c,
    w3c_response,
)
from service.api.writes import create_annotations
from service.domain.budget import Budget
from service.domain.kinds import ALL_KIND_FIELDS, LINK_FIELDS, check_kind_fields, check_links, span_columns
from service.domain.offsets import OffsetUnit
from service.domain.spans import IndexedText, Span, resolve_span
from service.domain.storable import ensure_storable
from service.domain.w3c import W3C_MEDIA_TYPE, to_annotation_collection, to_annotation_page, to_w3c
from service.errors import InvalidInput, NotFound
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.wire import (
    KIND_FIELDS,
    AnchorStatus,
    Annotation,
    AnnotationBatch,
    AnnotationBatchInput,
    AnnotationInput,
    AnnotationPage,
    AnnotationPatch,
    Kind,
)

SPAN_FIELDS = ("start", "end", "quote", "prefix", "suffix")
RevisionParam = Annotated[
    int | None,
    QueryParameter(
        ge=1, le=2**31 - 1, description="Read positions as they stood at this earlier revision of the text."
    ),
]


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


async def _read_document(
    connection: asyncpg.Connection | asyncpg.Pool,
    principal: Principal,
    annotation_id: uuid.UUID,
    unit: OffsetUnit,
    revision: int | None = None,
) -> tuple[bytes, int, uuid.UUID]:
    """(JSON document, version, article id) of one annotation."""
    found = await annotation_store.fetch_annotation(
        connection, principal.tenant_id, annotation_id, unit, revision, as_json=True
    )
    if found is None:
        raise NotFound(f"no annotation {annotation_id}" + (f" at revision {revision}" if revision else ""))
    document, version, article_id = found
    return document, version, article_id


def _list_etag(request: Request[Any, Any, Any], w3c: bool, version: str) -> str:
    """A weak ETag of one list request (its parameters and representation) over the matching rows' version."""
    parameters = sorted(request.query_params.multi_items())
    digest = hashlib.sha256(repr((w3c, parameters, version)).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


async def _read_annotation(
    pool: asyncpg.Pool, principal: Principal, annotation_id: uuid.UUID, revision: int | None = None
) -> Annotation:
    """One annotation as a Struct, positions in code points (as of `revision`, if given)."""
    annotation: Annotation | None = await annotation_store.fetch_annotation(
        pool, principal.tenant_id, annotation_id, "codepoint", revision
    )
    if annotation is None:
        raise NotFound(f"no annotation {annotation_id}" + (f" at revision {revision}" if revision else ""))
    return annotation


def _without(request: Request[Any, Any, Any], name: str) -> str:
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != name])


def _with(request: Request[Any, Any, Any], **values: str) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in values]
    return urlencode(kept + list(values.items()))


class ArticleAnnotationsController(Controller):
    path = "/articles/{article_id:uuid}/annotations"
    tags = ["annotations"]

    @post(
        "/",
        operation_id="createAnnotations",
        responses=problem_responses(404, 409, 413),
        opt={"scope": "write"},
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
        offset_unit: OffsetUnitParam = "codepoint",
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[Annotation | AnnotationBatch]:
        items: list[AnnotationInput] = data if isinstance(data, list) else [data]
        single = not isinstance(data, list)
        w3c = negotiated(request)
        if sent_w3c(request):
            offset_unit = "codepoint"
        ensure_storable(data)
        request_fingerprint = await fingerprint(request)
        async with pool.acquire() as connection, connection.transaction():
            idempotency = Idempotency(
                connection, principal.tenant_id, idempotency_key, request_fingerprint, settings.idempotency_ttl_seconds
            )
            if replay := await idempotency.replay():
                return replay
            text = await article_store.lock_article_text(connection, principal.tenant_id, article_id, exclusive=False)
            if text is None:
                raise NotFound(f"no article {article_id}")
            ids = await create_annotations(
                connection, principal.tenant_id, text, items, offset_unit, None if single else "", compute
            )
            headers = {"Vary": "Accept"}
            if single:  # a new annotation is at version 1
                headers |= {"ETag": etag(1), "Location": f"/v1/annotations/{ids[0]}"}
            if not w3c:
                documents = await annotation_store.fetch_annotations_by_ids(
                    connection, principal.tenant_id, ids, offset_unit, as_json=True
                )
                rendered = as_rendered(documents[i] for i in ids)
                content = rendered[0] if single else AnnotationBatch(items=rendered)
                return await idempotency.answer(content, 201, headers)
            # W3C selectors count code points whatever offset_unit says.
            by_id = await annotation_store.fetch_annotations_by_ids(connection, principal.tenant_id, ids, "codepoint")
            created = [by_id[i] for i in ids]
            base, collection = base_url(request, settings.public_url), str(request.url).split("?")[0]
            document = (
                to_w3c(created[0], article_url=text.url, base_url=base, creator_name=creator(principal))
                if single
                else to_annotation_page(
                    created, article_url=text.url, base_url=base, page_url=collection, next_url=None,
                    collection_url=collection, total=None, creator_name=creator(principal),
                )
            )  # fmt: skip
            headers["Link"] = RESOURCE_LINK if single else CONTAINER_LINKS
            return await idempotency.answer(document, 201, headers, W3C_MEDIA_TYPE)

    @get(
        "/",
        operation_id="listAnnotations",
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
        start: Annotated[
            int | None,
            QueryParameter(ge=0, le=2**31 - 1, description="Only annotations overlapping [start, end)."),
        ] = None,
        end: Annotated[
            int | None,
            QueryParameter(ge=0, le=2**31 - 1, description="Only annotations overlapping [start, end)."),
        ] = None,
        cursor: CursorParam = None,
        limit: LimitParam = 100,
        offset_unit: OffsetUnitParam = "codepoint",
        revision: RevisionParam = None,
        if_none_match: IfNoneMatchHeader = None,
    ) -> Response[AnnotationPage]:
        w3c = negotiated(request)
        offset_unit = "codepoint" if w3c else offset_unit
        if start is not None and end is not None and end < start:
            raise InvalidInput("end", "end must not be less than start", actual=end)
        earlier = await _earlier_revision(pool, principal, article_id, revision)
        after = decode_cursor(cursor, tuple[int, int, uuid.UUID]) if cursor else None
        where = annotation_store.AnnotationFilter(
            kinds=kind or (), tag=tag, status=status, overlap_start=start, overlap_end=end
        )
        page_request = (pool, principal.tenant_id, article_id, offset_unit, where, after)
        if if_none_match is not None:  # a re-poll costs one aggregate over the matching rows
            tag = _list_etag(request, w3c, await annotation_store.fetch_annotations_version(*page_request, earlier))
            if etag_listed(if_none_match, tag):
                return not_modified(tag)
        rows = await annotation_store.fetch_annotations_page(*page_request, limit, earlier, as_json=not w3c)
        items, last, tag = rows.items, rows.last, _list_etag(request, w3c, rows.version)
        next_cursor = encode_cursor([last[0], last[1], str(last[2])]) if last else None
        if not w3c:
            if not items and not await article_store.article_exists(pool, principal.tenant_id, article_id):
                raise NotFound(f"no article {article_id}")
            page = AnnotationPage(items=as_rendered(items), next_cursor=next_cursor)
            return Response(page, headers={"Vary": "Accept", "ETag": tag})
        article_url = await article_store.fetch_article_url(pool, principal.tenant_id, article_id)
        if article_url is None:
            raise NotFound(f"no article {article_id}")
        total = await annotation_store.count_annotations(pool, principal.tenant_id, article_id, where, earlier)
        page_url = str(request.url)
        collection_url = str(request.url.with_replacements(query=_without(request, "cursor")))
        next_url = str(request.url.with_replacements(query=_with(request, cursor=next_cursor))) if next_cursor else None
        w3c_args: dict[str, Any] = {
            "article_url": article_url, "base_url": base_url(request, settings.public_url),
            "next_url": next_url, "total": total, "creator_name": creator(principal),
        }  # fmt: skip
        if cursor is None:
            document = to_annotation_collection(
                # The first page is embedded in the collection: its own IRI is a fragment of the collection's.
                items,
                collection_url=collection_url,
                first_page_url=f"{collection_url}#page-1",
                **w3c_args,
            )
        else:
            document = to_annotation_page(items, page_url=page_url, collection_url=collection_url, **w3c_args)
        return w3c_response(document, 200, {"Allow": CONTAINER_ALLOW, "ETag": tag}, CONTAINER_LINKS)


class AnnotationController(Controller):
    path = "/annotations/{annotation_id:uuid}"
    tags = ["annotations"]

    @get("/", operation_id="getAnnotation", responses=problem_responses(404), summary="Read one annotation")
    async def read(
        self,
        request: Request[Any, Any, Any],
        annotation_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        offset_unit: OffsetUnitParam = "codepoint",
        revision: RevisionParam = None,
    ) -> Response[Annotation]:
        if not negotiated(request):
            document, version, article_id = await _read_document(pool, principal, annotation_id, offset_unit)
            earlier = await _earlier_revision(pool, principal, article_id, revision)
            if earlier is None:
                return _json_response(document, {"ETag": etag(version)})
            document, _, _ = await _read_document(pool, principal, annotation_id, offset_unit, earlier)
            return _json_response(document, {})
        # W3C: selectors count code points whatever offset_unit says.
        annotation = await _read_annotation(pool, principal, annotation_id)
        earlier = await _earlier_revision(pool, principal, annotation.article_id, revision)
        if earlier is not None:
            annotation = await _read_annotation(pool, principal, annotation_id, earlier)
        article_url = await article_store.fetch_article_url(pool, principal.tenant_id, annotation.article_id)
        w3c_document = to_w3c(
            annotation, article_url=article_url or "", base_url=base_url(request, settings.public_url),
            creator_name=creator(principal),
        )  # fmt: skip
        headers = {"Allow": ANNOTATION_ALLOW} | ({"ETag": etag(annotation.version)} if earlier is None else {})
        return w3c_response(w3c_document, 200, headers, RESOURCE_LINK)

    @patch(
        "/",
        operation_id="updateAnnotation",
        responses=problem_responses(404, 412),
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
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Response[Annotation]:
        ensure_storable(data)
        given = given_fields(data)
        async with pool.acquire() as connection, connection.transaction():
            current = await annotation_store.lock_annotation(connection, principal.tenant_id, annotation_id)
            if current is None:
                raise NotFound(f"no annotation {annotation_id}")
            check_if_match(if_match, current["version"])
            kind = current["kind"]
            for name in given:
                if name in ALL_KIND_FIELDS and name not in KIND_FIELDS[kind]:
                    raise InvalidInput(f"/{name}", f"a {kind} has no field {name!r}")
            changes = {name: value for name, value in given.items() if name not in SPAN_FIELDS}
            check_kind_fields(kind, changes, "")
            if any(name in given for name in SPAN_FIELDS):
                changes.update(await _relocated_span(connection, principal, current, given, offset_unit, compute))
            if kind in LINK_FIELDS and LINK_FIELDS[kind] in changes and changes[LINK_FIELDS[kind]] is not None:
                link = changes[LINK_FIELDS[kind]]
                claims = await annotation_store.fetch_claim_ids(
                    connection, principal.tenant_id, current["article_id"], [link]
                )
                check_links([("", kind, link)], claims)
            await annotation_store.update_annotation(
                connection,
                principal.tenant_id,
                annotation_id,
                changes,
                await connection.fetchval("SELECT now()"),
            )
            document, version, _ = await _read_document(connection, principal, annotation_id, offset_unit)
        return _json_response(document, {"ETag": etag(version)})

    @delete(
        "/",
        operation_id="deleteAnnotation",
        responses=problem_responses(404, 412),
        opt={"scope": "write"},
        status_code=204,
        summary="Delete an annotation; links to it (if a claim) are cleared",
    )
    async def remove(
        self,
        annotation_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        if_match: IfMatchHeader = None,
    ) -> None:
        async with pool.acquire() as connection, connection.transaction():
            current = await annotation_store.lock_annotation(connection, principal.tenant_id, annotation_id)
            if current is None:
                raise NotFound(f"no annotation {annotation_id}")
            check_if_match(if_match, current["version"])
            await annotation_store.delete_annotation(connection, principal.tenant_id, annotation_id)


async def _relocated_span(
    connection: asyncpg.Connection,
    principal: CurrentPrincipal,
    current: asyncpg.Record,
    given: dict[str, Any],
    unit: OffsetUnit,
    compute: Compute,
) -> dict[str, Any]:
    """The span columns after a PATCH of offsets and/or quote, re-validated against the current text."""
    text = await article_store.lock_article_text(
        connection, principal.tenant_id, current["article_id"], exclusive=False
    )
    assert text is not None  # the annotation row is locked, so its article exists

    def locate(*, budget: Budget) -> Span:  # on a worker thread: indexing and quote search cost CPU
        doc = IndexedText(text.text)
        if "start" in given or "end" in given:
            start = given.get("start", doc.offsets.to_unit(current["start_cp"], unit))
            end = given.get("end", doc.offsets.to_unit(current["end_cp"], unit))
        else:
            start = end = None
        if start is None and "quote" not in given:
            raise InvalidInput("/quote", "prefix and suffix only help to find a new quote; send them with one")
        return resolve_span(
            doc, start=start, end=end, quote=given.get("quote"), prefix=given.get("prefix"),
            suffix=given.get("suffix"), unit=unit, pointer="", budget=budget,
        )  # fmt: skip

    span = await compute.run(locate)
    return {
        **span_columns(span),
        "anchor_status": "anchored",
        "anchor_revision": text.revision,
        "anchor_confidence": 1.0,
    }
