"""Annotations: create one or a batch on an article, list with filters, read, patch, delete."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter
from msgspec import UNSET

from service.api.auth import CurrentPrincipal
from service.api.http import (
    CursorParam,
    Id,
    IfMatchHeader,
    LimitParam,
    OffsetUnitParam,
    Pool,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag,
    problem_responses,
)
from service.api.writes import create_annotations
from service.domain.kinds import ALL_KIND_FIELDS, LINK_FIELDS, check_kind_fields, check_links, span_columns
from service.domain.offsets import OffsetUnit
from service.domain.spans import IndexedText, resolve_span
from service.domain.storable import ensure_storable
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


def _annotation_response(
    annotation: Annotation, status_code: int = 200, location: bool = False
) -> Response[Annotation]:
    headers = {"ETag": etag(annotation.version)}
    if location:
        headers["Location"] = f"/v1/annotations/{annotation.id}"
    return Response(annotation, status_code=status_code, headers=headers)


async def _read(
    connection: asyncpg.Connection | asyncpg.Pool,
    principal: CurrentPrincipal,
    annotation_id: Id,
    unit: OffsetUnit,
) -> Annotation:
    annotation = await annotation_store.fetch_annotation(connection, principal.tenant_id, annotation_id, unit)
    if annotation is None:
        raise NotFound(f"no annotation {annotation_id}")
    return annotation


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
        article_id: Id,
        data: JSONBody[AnnotationInput | AnnotationBatchInput],
        principal: CurrentPrincipal,
        pool: Pool,
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Response[Annotation | AnnotationBatch]:
        items: list[AnnotationInput] = data if isinstance(data, list) else [data]
        single = not isinstance(data, list)
        ensure_storable(data)
        async with pool.acquire() as connection, connection.transaction():
            text = await article_store.lock_article_text(connection, principal.tenant_id, article_id, exclusive=False)
            if text is None:
                raise NotFound(f"no article {article_id}")
            ids = await create_annotations(
                connection, principal.tenant_id, text, items, offset_unit, None if single else ""
            )
            created = await annotation_store.fetch_annotations_by_ids(connection, principal.tenant_id, ids, offset_unit)
        if single:
            return _annotation_response(created[0], 201, location=True)  # type: ignore[return-value]
        by_id = {annotation.id: annotation for annotation in created}
        return Response(AnnotationBatch(items=[by_id[i] for i in ids]), status_code=201)

    @get(
        "/",
        operation_id="listAnnotations",
        responses=problem_responses(404),
        summary="List an article's annotations in text order",
    )
    async def list_annotations(
        self,
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        kind: Annotated[list[Kind] | None, QueryParameter(description="Only these kinds (repeatable).")] = None,
        tag: Annotated[
            str | None, QueryParameter(max_length=100, description="Only annotations with this tag.")
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
    ) -> AnnotationPage:
        if start is not None and end is not None and end < start:
            raise InvalidInput("end", "end must not be less than start", actual=end)
        after = decode_cursor(cursor, tuple[int, int, uuid.UUID]) if cursor else None
        where = annotation_store.AnnotationFilter(
            kinds=kind or (), tag=tag, status=status, overlap_start=start, overlap_end=end
        )
        items, last = await annotation_store.fetch_annotations_page(
            pool, principal.tenant_id, article_id, offset_unit, where, after, limit
        )
        if not items and not await article_store.article_exists(pool, principal.tenant_id, article_id):
            raise NotFound(f"no article {article_id}")
        return AnnotationPage(
            items=items, next_cursor=encode_cursor([last[0], last[1], str(last[2])]) if last else None
        )


class AnnotationController(Controller):
    path = "/annotations/{annotation_id:uuid}"
    tags = ["annotations"]

    @get("/", operation_id="getAnnotation", responses=problem_responses(404), summary="Read one annotation")
    async def read(
        self,
        annotation_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Response[Annotation]:
        return _annotation_response(await _read(pool, principal, annotation_id, offset_unit))

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
        if_match: IfMatchHeader = None,
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Response[Annotation]:
        ensure_storable(data)
        given: dict[str, Any] = {
            name: getattr(data, name) for name in data.__struct_fields__ if getattr(data, name) is not UNSET
        }
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
                changes.update(await _relocated_span(connection, principal, current, given, offset_unit))
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
            annotation = await _read(connection, principal, annotation_id, offset_unit)
        return _annotation_response(annotation)

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
) -> dict[str, Any]:
    """The span columns after a PATCH of offsets and/or quote, re-validated against the current text."""
    text = await article_store.lock_article_text(
        connection, principal.tenant_id, current["article_id"], exclusive=False
    )
    assert text is not None  # the annotation row is locked, so its article exists
    doc = IndexedText(text.text)
    if "start" in given or "end" in given:
        start = given.get("start", doc.offsets.to_unit(current["start_cp"], unit))
        end = given.get("end", doc.offsets.to_unit(current["end_cp"], unit))
    else:
        start = end = None
    if start is None and "quote" not in given:
        raise InvalidInput("/quote", "prefix and suffix only help to find a new quote; send them with one")
    span = resolve_span(
        doc,
        start=start,
        end=end,
        quote=given.get("quote"),
        prefix=given.get("prefix"),
        suffix=given.get("suffix"),
        unit=unit,
        pointer="",
    )
    return {
        **span_columns(span),
        "anchor_status": "anchored",
        "anchor_revision": text.revision,
        "anchor_confidence": 1.0,
    }
