"""Writes through the W3C Web Annotation Protocol mount: create an annotation in an article's container, replace
it whole (PUT), delete it; the `canonical` and `via` IRIs the client sent are kept in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from service.domain.events import EventType
from service.domain.kinds import KIND_OF, annotation_columns, check_links, link_of
from service.domain.offsets import OffsetUnit
from service.domain.spans import Span
from service.domain.w3c_protocol import Identity
from service.errors import FactmarkError, InvalidInput, NotFound
from service.operations import events
from service.operations.annotations import locate, place_annotations
from service.operations.compute import Compute
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import (
    TextMoved,
    check_if_match,
    lock_article_text,
    until_text_holds,
    write_transaction,
)
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store import events as event_store
from service.store import w3c_identities as identity_store
from service.store.articles import ArticleText
from service.wire import Annotation, AnnotationInput


@dataclass(frozen=True, slots=True)
class StoredW3C:
    """An annotation as a W3C write left it: the row (code points), the identity kept, the article's URL."""

    annotation: Annotation
    identity: Identity
    article_url: str


async def create_w3c_annotation(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    item: AnnotationInput,
    identity: Identity,
    *,
    compute: Compute,
    idempotency: IdempotencyKey | None,
    present: Callable[[StoredW3C], Answer],
) -> Answer:
    """Store one annotation (its selectors in code points) with its identity, all or nothing; the answer
    `present` makes of it is stored for Idempotency-Key replays. The span is found before the transaction, as
    for /v1 creates (service/operations/annotations.py), and under the lock on the last attempt."""

    async def attempt(under_lock: bool) -> Answer:
        planned = None if under_lock else await _plan_span(pool, tenant_id, article_id, item, compute)
        async with write_transaction(pool) as connection:
            await event_store.take_article_place(connection, tenant_id, article_id)
            if replay := await replayed(connection, tenant_id, idempotency):
                return replay
            article = await lock_article_text(connection, tenant_id, article_id, exclusive=False)
            span = await _span(planned, article, item, compute)
            [annotation_id] = await place_annotations(connection, tenant_id, article, [item], [span], None)
            await identity_store.store_identity(connection, tenant_id, annotation_id, identity)
            await events.annotations_changed(
                connection, tenant_id, article_id, article.revision, [annotation_id], EventType.ANNOTATION_CREATED
            )
            created = await annotation_store.fetch_annotations_by_ids(
                connection, tenant_id, [annotation_id], OffsetUnit.CODEPOINT
            )
            stored = StoredW3C(created[annotation_id], identity, article.url)
            return await remember(connection, tenant_id, idempotency, present(stored))

    return await until_text_holds(attempt)


@dataclass(frozen=True, slots=True)
class _PlannedSpan:
    """A W3C write's span, found before its transaction on the text then current (revision None: no article)."""

    revision: int | None
    span: Span | None
    failed: FactmarkError | None


async def _plan_span(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID, item: AnnotationInput, compute: Compute
) -> _PlannedSpan:
    current = await article_store.fetch_current_text(pool, tenant_id, article_id)
    if current is None:
        return _PlannedSpan(None, None, None)
    try:
        [span] = await locate(compute, current[1], [item], OffsetUnit.CODEPOINT, None)
    except FactmarkError as error:  # reported in the transaction: after a replay check, in the order of checks
        return _PlannedSpan(current[0], None, error)
    return _PlannedSpan(current[0], span, None)


async def _span(planned: _PlannedSpan | None, article: ArticleText, item: AnnotationInput, compute: Compute) -> Span:
    """The planned span if it was found on the text still current (`article`, locked); with no plan (a write's
    last attempt), the span found now, under the lock."""
    if planned is None:
        [span] = await locate(compute, article.text, [item], OffsetUnit.CODEPOINT, None)
        return span
    if planned.revision != article.revision:
        raise TextMoved
    if planned.failed is not None:
        raise planned.failed
    assert planned.span is not None
    return planned.span


async def _lock_in_container(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    annotation_id: uuid.UUID,
    if_match: str | None,
) -> asyncpg.Record:
    """The annotation row, locked, if it belongs to the article's container (404 otherwise), If-Match checked."""
    current = await annotation_store.lock_annotation(connection, tenant_id, annotation_id)
    if current is None or current["article_id"] != article_id:
        raise NotFound(f"no annotation {annotation_id} in the container of article {article_id}")
    check_if_match(if_match, current["version"])
    return current


async def replace_w3c_annotation(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    annotation_id: uuid.UUID,
    item: AnnotationInput,
    identify: Callable[[Identity], Identity],
    if_match: str,
    *,
    compute: Compute,
) -> StoredW3C:
    """Set every field of the annotation from `item` (a whole W3C document read as input), the span re-validated
    against the current text as on create; `identify` turns the identity kept so far into the one to keep
    (refusing a changed canonical). A replacement is a person's decision, so a review flag is cleared."""

    async def attempt(under_lock: bool) -> StoredW3C:
        planned = None if under_lock else await _plan_span(pool, tenant_id, article_id, item, compute)
        async with write_transaction(pool) as connection:
            await event_store.take_article_place(connection, tenant_id, article_id)
            return await _replace(
                connection, tenant_id, article_id, annotation_id, item, identify, if_match, planned, compute
            )

    return await until_text_holds(attempt)


async def _replace(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    annotation_id: uuid.UUID,
    item: AnnotationInput,
    identify: Callable[[Identity], Identity],
    if_match: str,
    planned: _PlannedSpan | None,
    compute: Compute,
) -> StoredW3C:
    current = await _lock_in_container(connection, tenant_id, article_id, annotation_id, if_match)
    kind = KIND_OF[type(item)]
    if kind != current["kind"]:
        raise InvalidInput(
            "/motivation", f"this annotation is a {current['kind']}; a replacement cannot make it a {kind}"
        )
    stored = (await identity_store.fetch_identities(connection, tenant_id, [annotation_id])).get(annotation_id)
    kept = stored or Identity()
    identity = identify(Identity(kept.canonical or annotation_id.urn, kept.via))
    article = await lock_article_text(connection, tenant_id, article_id, exclusive=False)
    span = await _span(planned, article, item, compute)
    # Every column a create would write, so a replacement leaves nothing of the old annotation behind.
    columns = annotation_columns(
        item, span, annotation_id=annotation_id, revision=article.revision, now=article.now, pointer=""
    )
    changes = {name: value for name, value in columns.items() if name in annotation_store.UPDATABLE_COLUMNS}
    if item.review is None:  # W3C documents do not carry a suggestion's review: a replacement keeps it
        del changes["review"]
    if (link := link_of(item)) is not None:
        claims = await annotation_store.fetch_claim_ids(connection, tenant_id, article_id, [link])
        check_links([("", kind, link)], claims)
    await annotation_store.update_annotation(connection, tenant_id, annotation_id, changes)
    await identity_store.store_identity(connection, tenant_id, annotation_id, identity)
    await events.annotations_changed(
        connection, tenant_id, article_id, None, [annotation_id], EventType.ANNOTATION_UPDATED
    )
    replaced = await annotation_store.fetch_annotation(connection, tenant_id, annotation_id, OffsetUnit.CODEPOINT)
    assert replaced is not None  # locked above, so still there
    return StoredW3C(replaced, identity, article.url)


async def delete_w3c_annotation(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID, annotation_id: uuid.UUID, if_match: str | None
) -> None:
    """Delete one annotation of the container (its identity goes with it); links to it are cleared."""
    async with write_transaction(pool) as connection:
        await event_store.take_article_place(connection, tenant_id, article_id)
        await _lock_in_container(connection, tenant_id, article_id, annotation_id, if_match)
        linking = await annotation_store.fetch_linking_ids(connection, tenant_id, annotation_id)
        await annotation_store.delete_annotation(connection, tenant_id, annotation_id)
        await events.annotations_changed(connection, tenant_id, article_id, None, linking, EventType.ANNOTATION_UPDATED)
        await events.annotations_deleted(connection, tenant_id, article_id, None, [annotation_id])
