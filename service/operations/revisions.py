"""Text revisions: a new text becomes revision n+1 and every annotation is re-anchored in the same transaction."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.domain.budget import Budget
from service.domain.events import EventType
from service.domain.ratings import needs_review_after
from service.domain.reanchoring import Relocation, StoredAnchor, reanchor
from service.domain.spans import IndexedText
from service.operations import events
from service.operations.compute import Compute
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
from service.store.annotations import StoredPosition
from service.wire import AnchorCounts, RevisionReport


async def replace_text(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    text: str,
    if_match: str | None,
    *,
    compute: Compute,
) -> RevisionReport:
    """Store `text` as a new revision and re-anchor every annotation; the same text again changes nothing.
    Re-anchoring runs on what was read before the transaction (the CPU work holds no connection and no lock);
    its result is stored only if the text and every position are still as read, under the lock."""

    async def attempt(under_lock: bool) -> RevisionReport:
        # The last attempt re-anchors under the lock: an article whose annotations were written during each
        # earlier attempt's re-anchoring still gets its revision (a client that sent a current If-Match did
        # nothing wrong), holding the lock for work bounded by the work budget.
        seen = None if under_lock else await _read_before(pool, tenant_id, article_id)
        planned = None
        if seen is not None:
            check_if_match(if_match, seen.version)  # stale: 412 before the work, as it would be after
            if text != seen.texts[seen.revision]:
                planned = await compute.run(_relocate, seen.texts, text, seen.positions, location="/text")
        async with write_transaction(pool) as connection:
            await event_store.take_article_place(connection, tenant_id, article_id)
            current = await lock_article_text(connection, tenant_id, article_id, exclusive=True, if_match=if_match)
            positions = await annotation_store.lock_positions(connection, tenant_id, article_id)
            if text == current.text:  # a retried PUT: nothing moves, no new revision
                return _unchanged_report(article_id, current.revision, current.version, positions)
            if under_lock:
                texts = await _texts_of(connection, tenant_id, article_id, (current.revision, current.text), positions)
                planned = await compute.run(_relocate, texts, text, positions, location="/text")
            elif seen is None or planned is None or (current.revision, positions) != (seen.revision, seen.positions):
                raise TextMoved
            relocations, doc = planned
            revision = current.revision + 1
            await annotation_store.record_history(connection, tenant_id, article_id, current.revision)
            rows = [_position_row(p, relocations[p.id], doc, revision) for p in positions]
            await annotation_store.update_positions(connection, tenant_id, rows, current.now)
            flagged = [p for p in positions if needs_review_after(p.kind, p.verdict, p.quote, relocations[p.id])]
            await annotation_store.flag_for_review(connection, tenant_id, [(p.id, p.quote) for p in flagged])
            version = await article_store.insert_revision(
                connection, tenant_id, article_id, revision, text, doc.offsets.length_utf16
            )
            await events.article_changed(connection, tenant_id, article_id, EventType.ARTICLE_TEXT_REVISED)
            ids = [p.id for p in positions]
            await events.annotations_changed(
                connection, tenant_id, article_id, revision, ids, EventType.ANNOTATION_UPDATED
            )
        return _revised_report(article_id, revision, version, positions, relocations, flagged)

    return await until_text_holds(attempt)


def _revised_report(
    article_id: uuid.UUID,
    revision: int,
    version: int,
    positions: Sequence[StoredPosition],
    relocations: dict[uuid.UUID, Relocation],
    flagged: Sequence[StoredPosition],
) -> RevisionReport:
    outcomes = Counter(_outcome(r) for r in relocations.values())
    return RevisionReport(
        article_id=article_id,
        revision=revision,
        version=version,
        counts=AnchorCounts(
            anchored=outcomes["anchored"],
            relocated=outcomes["relocated"],
            relocated_approximately=outcomes["relocated_approximately"],
            orphaned=outcomes["orphaned"],
        ),
        orphaned_ids=[p.id for p in positions if relocations[p.id].status == "orphaned"],
        approximate_ids=[p.id for p in positions if _outcome(relocations[p.id]) == "relocated_approximately"],
        needs_review_ids=sorted({p.id for p in flagged} | {p.id for p in positions if p.needs_review}, key=str),
    )


@dataclass(frozen=True, slots=True)
class _Seen:
    """An article as read before a text revision's transaction, in one snapshot and without locks."""

    revision: int
    version: int
    positions: list[StoredPosition]
    texts: dict[int, str]
    """The current text and that of every revision a position last matched."""


async def _read_before(pool: asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID) -> _Seen | None:
    async with pool.acquire() as connection, connection.transaction(isolation="repeatable_read", readonly=True):
        current = await article_store.fetch_current_text(connection, tenant_id, article_id)
        if current is None:
            return None  # the transaction answers 404
        version = await article_store.fetch_article_version(connection, tenant_id, article_id)
        assert version is not None  # the same snapshot found its text
        positions = await annotation_store.fetch_positions(connection, tenant_id, article_id)
        texts = await _texts_of(connection, tenant_id, article_id, (current[0], current[1]), positions)
    return _Seen(current[0], version, positions, texts)


async def _texts_of(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, current: tuple[int, str],
    positions: Sequence[StoredPosition],
) -> dict[int, str]:  # fmt: skip
    """The current text (its revision and text) and that of every revision a position last matched."""
    revision, text = current
    older = {p.revision for p in positions} - {revision}
    return {revision: text} | await article_store.fetch_revision_texts(connection, tenant_id, article_id, sorted(older))


def _relocate(
    texts: dict[int, str], new_text: str, positions: Sequence[StoredPosition], *, budget: Budget
) -> tuple[dict[uuid.UUID, Relocation], IndexedText]:
    """Re-anchor every position against `new_text`, each from the text of the revision it last matched; and the
    new text indexed. Runs on a worker thread (one alignment per revision, bounded: docs/anchoring.md)."""
    by_revision: dict[int, list[StoredPosition]] = defaultdict(list)
    for position in positions:
        by_revision[position.revision].append(position)
    relocations: dict[uuid.UUID, Relocation] = {}
    for revision, group in by_revision.items():
        anchors = [StoredAnchor(p.id, p.start, p.end, p.quote, p.prefix, p.suffix) for p in group]
        relocated = reanchor(texts[revision], new_text, anchors, budget=budget)
        for position, relocation in zip(group, relocated, strict=True):
            relocations[position.id] = relocation
    return relocations, IndexedText(new_text)


def _position_row(position: StoredPosition, relocation: Relocation, doc: IndexedText, revision: int) -> tuple[Any, ...]:
    """(id, *POSITION_COLUMNS) after re-anchoring; an orphan keeps its last offsets and their revision."""
    if relocation.status == "orphaned":  # None keeps the stored value
        return (position.id, None, None, None, None, None, None, None, "orphaned", position.revision, 0.0, False)
    span = doc.span(relocation.start, relocation.end)
    return (
        position.id, span.start, span.end, span.start_utf16, span.end_utf16, span.quote, span.prefix, span.suffix,
        "anchored" if relocation.status == "anchored" else "relocated", revision, relocation.confidence,
        relocation.status == "relocated" and relocation.approximate,
    )  # fmt: skip


def _outcome(relocation: Relocation) -> str:
    if relocation.status == "relocated" and relocation.approximate:
        return "relocated_approximately"
    return relocation.status


def _unchanged_report(
    article_id: uuid.UUID, revision: int, version: int, positions: Sequence[StoredPosition]
) -> RevisionReport:
    orphaned = [p.id for p in positions if p.status == "orphaned"]
    return RevisionReport(
        article_id=article_id,
        revision=revision,
        version=version,
        counts=AnchorCounts(
            anchored=len(positions) - len(orphaned), relocated=0, relocated_approximately=0, orphaned=len(orphaned)
        ),
        orphaned_ids=orphaned,
        approximate_ids=[],
        needs_review_ids=[p.id for p in positions if p.needs_review],
    )
