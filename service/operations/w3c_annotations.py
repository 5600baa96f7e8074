"""Writes through the W3C Web Annotation Protocol mount: create an annotation in an article's container, replace
it whole (PUT), delete it; the `canonical` and `via` IRIs the client sent are kept in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from service.domain.kinds import KIND_OF, annotation_columns, check_links, link_of
from service.domain.offsets import OffsetUnit
from service.domain.spans import resolve_spans
from service.domain.w3c_protocol import Identity
from service.errors import InvalidInput, NotFound
from service.operations.annotations import locate, place_annotations
from service.operations.compute import Compute
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import check_if_match, lock_article_text, write_transaction
from service.store import annotations as annotation_store
from service.store import w3c_identities as identity_store
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
    `present` makes of it is stored for Idempotency-Key replays."""
    async with write_transaction(pool) as connection:
        if replay := await replayed(connection, tenant_id, idempotency):
            return replay
        article = await lock_article_text(connection, tenant_id, article_id, exclusive=False)
        spans = await locate(compute, article.text, [item], OffsetUnit.CODEPOINT, None)
        [annotation_id] = await place_annotations(connection, tenant_id, article, [item], spans, None)
        await identity_store.store_identity(connection, tenant_id, annotation_id, identity)
        created = await annotation_store.fetch_annotations_by_ids(
            connection, tenant_id, [annotation_id], OffsetUnit.CODEPOINT
        )
        return await remember(
            connection, tenant_id, idempotency, present(StoredW3C(created[annotation_id], identity, article.url))
        )


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
    async with write_transaction(pool) as connection:
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
        # On a worker thread, within the request's budget: indexing the text and quote search cost CPU.
        [span] = await compute.run(resolve_spans, article.text, [item], OffsetUnit.CODEPOINT, [""])
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
        replaced = await annotation_store.fetch_annotation(connection, tenant_id, annotation_id, OffsetUnit.CODEPOINT)
        assert replaced is not None  # locked above, so still there
        return StoredW3C(replaced, identity, article.url)


async def delete_w3c_annotation(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID, annotation_id: uuid.UUID, if_match: str | None
) -> None:
    """Delete one annotation of the container (its identity goes with it); links to it are cleared."""
    async with write_transaction(pool) as connection:
        await _lock_in_container(connection, tenant_id, article_id, annotation_id, if_match)
        await annotation_store.delete_annotation(connection, tenant_id, annotation_id)
