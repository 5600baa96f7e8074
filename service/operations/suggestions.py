"""Suggestions: the engine's run off the event loop, and storing its suggestions on an article as machine
annotations pending review."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
import asyncpg

from service.domain.offsets import OffsetUnit
from service.domain.spans import IndexedText
from service.domain.suggestions import Engine
from service.domain.suggestions.inputs import as_inputs
from service.domain.suggestions.novel import Existing, novel_suggestions
from service.errors import Conflict, NotFound
from service.operations.annotations import place_annotations
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import lock_article_text, write_transaction
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.wire import MAX_BATCH, AnnotationInput


@dataclass(frozen=True, slots=True)
class Suggested:
    doc: IndexedText
    inputs: list[AnnotationInput]
    """Offsets in code points."""
    truncated: bool
    """More than a batch's worth were found; these are the first ones in text order."""


async def suggest(engine: Engine, text: str) -> Suggested:
    """The engine's suggestions for `text` as annotation inputs, computed in a worker thread: the engine is
    linear in the text, but a 2 MiB text takes seconds, which the event loop must not wait for."""

    def run() -> Suggested:
        doc = IndexedText(text)
        found = engine.suggest(text, max_items=MAX_BATCH + 1)
        return Suggested(doc, as_inputs(doc, found[:MAX_BATCH]), len(found) > MAX_BATCH)

    return await anyio.to_thread.run_sync(run)


async def store_suggestions(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    engine_for: Callable[[str], Engine],
    *,
    unit: OffsetUnit,
    idempotency: IdempotencyKey | None,
    present: Callable[[list[bytes]], Answer],
) -> Answer:
    """Run the engine of the article's language (`engine_for` raises for one it has none) on its current text
    and store what is new (see `novel_suggestions`) as machine annotations pending review; `present` gets the
    JSON documents of those stored (maybe none).

    The engine runs outside the transaction (no lock held for seconds); the article is then locked against
    any write, and if its text changed meanwhile the call is a 409 to retry."""
    text = await article_store.fetch_current_text(pool, tenant_id, article_id)
    if text is None:
        raise NotFound(f"no article {article_id}")
    revision, body, language = text
    suggested = await suggest(engine_for(language or "en"), body)
    async with write_transaction(pool) as connection:
        if replay := await replayed(connection, tenant_id, idempotency):
            return replay
        article = await lock_article_text(connection, tenant_id, article_id, exclusive=True)
        if article.revision != revision:
            raise Conflict(f"the text changed to revision {article.revision} while suggesting; retry")
        existing = [
            Existing(s.id, s.kind, s.start, s.end, s.origin == "human")
            for s in await annotation_store.fetch_spans(connection, tenant_id, article_id)
        ]
        new = novel_suggestions(suggested.inputs, existing)
        # The engine's offsets are code points on this very text: each span is a lookup, no quote search.
        spans = [suggested.doc.span(_offset(item.start), _offset(item.end)) for item in new]
        ids = await place_annotations(connection, tenant_id, article, new, spans, "") if new else []
        documents = await annotation_store.fetch_documents_by_ids(connection, tenant_id, ids, unit)
        return await remember(connection, tenant_id, idempotency, present([documents[i] for i in ids]))


def _offset(value: int | None) -> int:
    """The engine gives every suggestion both offsets (code points on the text it read)."""
    if value is None:
        raise ValueError("a suggestion without offsets")
    return value
