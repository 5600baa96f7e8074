"""Writes of annotations: create one or a batch on an article, change one, delete one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.domain.budget import Budget
from service.domain.events import EventType
from service.domain.kinds import (
    ALL_KIND_FIELDS,
    KIND_OF,
    LINK_FIELDS,
    annotation_columns,
    check_kind_fields,
    check_links,
    link_of,
    span_columns,
)
from service.domain.offsets import OffsetUnit
from service.domain.pointers import child
from service.domain.spans import IndexedText, Span, resolve_span, resolve_spans
from service.errors import Conflict, FactmarkError, InvalidInput
from service.operations import events
from service.operations.compute import Compute
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import (
    TextMoved,
    lock_annotation,
    lock_article_text,
    until_text_holds,
    write_transaction,
)
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store import events as event_store
from service.store.articles import ArticleText
from service.wire import KIND_FIELDS, Annotation, AnnotationInput, ClaimInput

SPAN_FIELDS = ("start", "end", "quote", "prefix", "suffix")
# Fields whose change is a person's decision on an annotation that re-anchoring flagged for review.
_REVIEW_DECISIONS = frozenset({"needs_review", "verdict", "value"})


def _pointers(pointer_base: str | None, count: int) -> list[str]:
    """The JSON pointer of each item: `pointer_base` is the items' array in the request, None for one at the root."""
    return [child(pointer_base, index) if pointer_base is not None else "" for index in range(count)]


async def locate(
    compute: Compute, text: str, items: Sequence[AnnotationInput], unit: OffsetUnit, pointer_base: str | None
) -> list[Span]:
    """Every item's span on `text` (offsets checked, quotes found): CPU work, on a worker thread within the
    request's budget. It needs no lock: callers that know the text run it before opening their transaction."""
    return await compute.run(resolve_spans, text, items, unit, _pointers(pointer_base, len(items)))


async def place_annotations(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article: ArticleText,
    items: Sequence[AnnotationInput],
    spans: Sequence[Span],
    pointer_base: str | None,
) -> list[uuid.UUID]:
    """Insert `items` at their `spans` (from `locate`) on `article` (locked by the caller's transaction); return
    their ids in order. Ids and links are checked, then the whole batch is stored or nothing.
    """
    pointers = _pointers(pointer_base, len(items))
    rows = []
    ids: list[uuid.UUID] = []
    seen: dict[uuid.UUID, str] = {}
    for pointer, item, span in zip(pointers, items, spans):
        annotation_id = item.id or uuid.uuid4()
        if annotation_id in seen:
            raise InvalidInput(child(pointer, "id"), f"the same id is already used at {seen[annotation_id]}")
        seen[annotation_id] = pointer
        ids.append(annotation_id)
        columns = annotation_columns(
            item, span, annotation_id=annotation_id, revision=article.revision, now=article.now, pointer=pointer
        )
        columns["tenant_id"], columns["article_id"] = tenant_id, article.article_id
        rows.append(columns)

    chosen = [item.id for item in items if item.id is not None]
    if chosen and (taken := await annotation_store.fetch_existing_ids(connection, tenant_id, chosen)):
        raise Conflict(
            f"annotation id {sorted(map(str, taken))[0]} already exists", existing_ids=sorted(map(str, taken))
        )

    links = [(pointer, KIND_OF[type(item)], link_of(item)) for pointer, item in zip(pointers, items)]
    linked = {link for _, _, link in links if link is not None}
    batch_claims = {annotation_id for annotation_id, item in zip(ids, items) if isinstance(item, ClaimInput)}
    if outside := linked - batch_claims:
        batch_claims |= await annotation_store.fetch_claim_ids(connection, tenant_id, article.article_id, list(outside))
    check_links(links, batch_claims)

    await annotation_store.insert_annotations(connection, rows)
    return ids


@dataclass(frozen=True, slots=True)
class CreatedAnnotations:
    """What a create stored, read back in the same transaction: JSON documents in the request's unit (native
    answers), or Structs in code points (W3C answers)."""

    article: ArticleText
    ids: list[uuid.UUID]
    documents: list[bytes]
    annotations: list[Annotation]


async def create_annotations(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    items: Sequence[AnnotationInput],
    unit: OffsetUnit,
    *,
    pointer_base: str | None,
    as_structs: bool,
    compute: Compute,
    idempotency: IdempotencyKey | None,
    present: Callable[[CreatedAnnotations], Answer],
) -> Answer:
    """Store `items` on the article, all or nothing; the answer `present` makes of them is stored for replay.
    The spans are found on the text as read before the transaction (the CPU work holds no connection and no
    lock) and stored only if that text is still current under the lock; otherwise found again. The last attempt
    finds them under the lock (a text revision waits; the work is bounded by the work budget), so a busy article
    still takes its annotations."""

    async def attempt(under_lock: bool) -> Answer:
        current = None if under_lock else await article_store.fetch_current_text(pool, tenant_id, article_id)
        revision, spans, failed = None, None, None
        if current is not None:  # else the transaction answers: a replay, or 404
            revision = current[0]
            try:
                spans = await locate(compute, current[1], items, unit, pointer_base)
            except FactmarkError as error:  # reported after the replay check: a retry still gets its first answer
                failed = error
        async with write_transaction(pool) as connection:
            await event_store.take_article_place(connection, tenant_id, article_id)
            if replay := await replayed(connection, tenant_id, idempotency):
                return replay
            article = await lock_article_text(connection, tenant_id, article_id, exclusive=False)
            if under_lock:
                spans = await locate(compute, article.text, items, unit, pointer_base)
            elif article.revision != revision:
                raise TextMoved  # a quote not found on an older text may be on this one
            elif failed is not None:
                raise failed
            assert spans is not None
            ids = await place_annotations(connection, tenant_id, article, items, spans, pointer_base)
            await events.annotations_changed(
                connection, tenant_id, article_id, article.revision, ids, EventType.ANNOTATION_CREATED
            )
            created = await _created(connection, tenant_id, article, ids, unit, as_structs)
            return await remember(connection, tenant_id, idempotency, present(created))

    return await until_text_holds(attempt)


async def _created(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article: ArticleText,
    ids: list[uuid.UUID],
    unit: OffsetUnit,
    as_structs: bool,
) -> CreatedAnnotations:
    """The annotations just stored, read back: Structs in code points (W3C answers) or documents in `unit`."""
    if as_structs:
        by_id = await annotation_store.fetch_annotations_by_ids(connection, tenant_id, ids, OffsetUnit.CODEPOINT)
        return CreatedAnnotations(article, ids, [], [by_id[i] for i in ids])
    documents = await annotation_store.fetch_documents_by_ids(connection, tenant_id, ids, unit)
    return CreatedAnnotations(article, ids, [documents[i] for i in ids], [])


async def update_annotation(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    given: dict[str, Any],
    if_match: str | None,
    unit: OffsetUnit,
    *,
    compute: Compute,
) -> annotation_store.AnnotationDocument:
    """Change the fields `given` (a PATCH body's sent fields); offsets and quote are re-validated against the
    current text (found on the text read before the transaction, and used only if it is still current under
    the lock; the last attempt finds them under the lock). Returns the annotation as it is now."""
    moves = any(name in given for name in SPAN_FIELDS)

    async def attempt(under_lock: bool) -> annotation_store.AnnotationDocument:
        planned, locating = None, None
        if moves and under_lock:
            locating = _Locating(given, unit, compute)
        elif moves:
            planned = await _plan_span(pool, tenant_id, annotation_id, given, unit, compute)
        async with write_transaction(pool) as connection:
            return await _update(connection, tenant_id, annotation_id, given, if_match, unit, planned, locating)

    return await until_text_holds(attempt)


async def _update(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    given: dict[str, Any],
    if_match: str | None,
    unit: OffsetUnit,
    planned: _PlannedSpan | None,
    locating: _Locating | None,
) -> annotation_store.AnnotationDocument:
    """The PATCH in its transaction: `planned` is the span found before it, `locating` says to find it now."""
    current = await lock_annotation(connection, tenant_id, annotation_id, if_match)
    kind = current["kind"]
    for name in given:
        if name in ALL_KIND_FIELDS and name not in KIND_FIELDS[kind]:
            raise InvalidInput(f"/{name}", f"a {kind} has no field {name!r}")
    changes = {name: value for name, value in given.items() if name not in SPAN_FIELDS}
    check_kind_fields(kind, changes, "")
    if planned is not None or locating is not None:
        changes.update(await _span_changes(connection, tenant_id, current, planned, locating))
    if changes.get("needs_review") is True:
        raise InvalidInput("/needs_review", "only re-anchoring flags an annotation for review; send false")
    if _REVIEW_DECISIONS & changes.keys():  # confirmed or re-rated: the rating belongs to these words now
        changes |= {"needs_review": False, "previous_quote": None}
    link_field = LINK_FIELDS.get(kind)
    if link_field is not None and changes.get(link_field) is not None:
        article_id, link = current["article_id"], changes[link_field]
        claims = await annotation_store.fetch_claim_ids(connection, tenant_id, article_id, [link])
        check_links([("", kind, changes[link_field])], claims)
    await annotation_store.update_annotation(connection, tenant_id, annotation_id, changes)
    await events.annotations_changed(
        connection, tenant_id, current["article_id"], None, [annotation_id], EventType.ANNOTATION_UPDATED
    )
    document = await annotation_store.fetch_document(connection, tenant_id, annotation_id, unit)
    assert document is not None  # locked above, so still there
    return document


async def delete_annotation(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, annotation_id: uuid.UUID, if_match: str | None
) -> None:
    """Delete one annotation; links to it (if it is a claim) are cleared."""
    async with write_transaction(pool) as connection:
        current = await lock_annotation(connection, tenant_id, annotation_id, if_match)
        linking = await annotation_store.fetch_linking_ids(connection, tenant_id, annotation_id)
        await annotation_store.delete_annotation(connection, tenant_id, annotation_id)
        article_id = current["article_id"]
        await events.annotations_changed(connection, tenant_id, article_id, None, linking, EventType.ANNOTATION_UPDATED)
        await events.annotations_deleted(connection, tenant_id, article_id, None, [annotation_id])


@dataclass(frozen=True, slots=True)
class _PlannedSpan:
    """A PATCH's new span, found before its transaction on the text and offsets then current."""

    revision: int | None
    """The text's revision it was found on; None when the annotation was not there (the transaction says 404)."""
    stored: tuple[int, int] | None
    """The annotation's code point offsets then (an offset not sent keeps its stored value)."""
    span: Span | None
    failed: FactmarkError | None
    """Why the span is refused, reported where the transaction reaches the span."""


@dataclass(frozen=True, slots=True)
class _Locating:
    """What finding a PATCH's span needs, when it is found under the lock."""

    given: dict[str, Any]
    unit: OffsetUnit
    compute: Compute


async def _plan_span(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    given: dict[str, Any],
    unit: OffsetUnit,
    compute: Compute,
) -> _PlannedSpan:
    """The span columns after a PATCH of offsets and/or quote, checked against the text as read now, unlocked."""
    stored = await annotation_store.fetch_stored_span(pool, tenant_id, annotation_id)
    text = None if stored is None else await article_store.fetch_current_text(pool, tenant_id, stored[0])
    if stored is None or text is None:
        return _PlannedSpan(None, None, None, None)
    _article_id, start_cp, end_cp = stored
    return await _locate_span(text[0], text[1], (start_cp, end_cp), _Locating(given, unit, compute))


async def _locate_span(revision: int, text: str, stored: tuple[int, int], locating: _Locating) -> _PlannedSpan:
    """The PATCH's span on `text` (at `revision`), the annotation's code point offsets being `stored`."""
    given, unit = locating.given, locating.unit
    start_cp, end_cp = stored

    def locate(*, budget: Budget) -> Span:  # on a worker thread: indexing the text and quote search cost CPU
        doc = IndexedText(text)
        if "start" in given or "end" in given:
            start = given.get("start", doc.offsets.to_unit(start_cp, unit))
            end = given.get("end", doc.offsets.to_unit(end_cp, unit))
        else:
            start = end = None
        if start is None and "quote" not in given:
            raise InvalidInput("/quote", "prefix and suffix only help to find a new quote; send them with one")
        return resolve_span(
            doc, start=start, end=end, quote=given.get("quote"), prefix=given.get("prefix"),
            suffix=given.get("suffix"), unit=unit, pointer="", budget=budget,
        )  # fmt: skip

    try:
        return _PlannedSpan(revision, stored, await locating.compute.run(locate), None)
    except FactmarkError as error:
        return _PlannedSpan(revision, stored, None, error)


async def _span_changes(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    current: asyncpg.Record,
    planned: _PlannedSpan | None,
    locating: _Locating | None,
) -> dict[str, Any]:
    """The planned span's columns, if the text and the annotation's offsets are still those it was found on; or,
    with `locating`, the span found now, under the article's lock."""
    text = await lock_article_text(connection, tenant_id, current["article_id"], exclusive=False)
    if planned is None:
        assert locating is not None
        planned = await _locate_span(text.revision, text.text, (current["start_cp"], current["end_cp"]), locating)
    if planned.revision != text.revision or planned.stored != (current["start_cp"], current["end_cp"]):
        raise TextMoved
    if planned.failed is not None:
        raise planned.failed
    assert planned.span is not None
    return {
        **span_columns(planned.span),
        "anchor_status": "anchored",
        "anchor_revision": text.revision,
        "anchor_confidence": 1.0,
        "anchor_approximate": False,
    }
