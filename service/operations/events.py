"""The events each write records in its own transaction (the outbox of the change feed): one per changed
resource, whose `data` is the resource as a GET answers it at that moment (ids only for a delete)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from service.domain.events import EventType, NewEvent, deleted_data
from service.domain.offsets import OffsetUnit
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store.events import record_events


async def article_changed(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, event_type: EventType
) -> None:
    """Record `article.created|updated|text_revised` with the article as GET /v1/articles/{id} answers now."""
    article = await article_store.fetch_article(connection, tenant_id, article_id, OffsetUnit.CODEPOINT, True)
    assert article is not None  # written (and locked) by the caller's transaction
    event = NewEvent(event_type, msgspec.json.encode(article), article_id, None, article.revision)
    await record_events(connection, tenant_id, [event])


async def annotations_changed(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    revision: int | None,
    ids: Sequence[uuid.UUID],
    event_type: EventType,
) -> None:
    """Record `annotation.created|updated` for each of `ids` (in that order), each with the annotation as
    GET /v1/annotations/{id} answers now; a batch of 500 is 500 events written by one statement. `revision`:
    the article's current one (None: look it up)."""
    if not ids:
        return
    revision = revision or await article_store.fetch_current_revision(connection, tenant_id, article_id)
    documents = await annotation_store.fetch_documents_by_ids(connection, tenant_id, ids, OffsetUnit.CODEPOINT)
    events = [NewEvent(event_type, documents[i], article_id, i, revision) for i in ids]
    await record_events(connection, tenant_id, events)


async def annotations_deleted(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    revision: int | None,
    ids: Sequence[uuid.UUID],
) -> None:
    revision = revision or await article_store.fetch_current_revision(connection, tenant_id, article_id)
    events = [NewEvent(EventType.ANNOTATION_DELETED, deleted_data(i, article_id), article_id, i, revision) for i in ids]
    await record_events(connection, tenant_id, events)


async def article_deleted(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    revision: int | None,
    annotation_ids: Sequence[uuid.UUID],
) -> None:
    """`annotation.deleted` for each annotation the article took with it, then `article.deleted`."""
    events = [
        NewEvent(EventType.ANNOTATION_DELETED, deleted_data(i, article_id), article_id, i, revision)
        for i in annotation_ids
    ]
    events.append(NewEvent(EventType.ARTICLE_DELETED, deleted_data(article_id), article_id, None, revision))
    await record_events(connection, tenant_id, events)
