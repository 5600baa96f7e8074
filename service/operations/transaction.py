"""The opening every write shares: a transaction, the row it changes locked (article before annotations),
404 for a row the tenant does not have, and If-Match checked against the locked version."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from service.errors import NotFound, PreconditionFailed
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store import events as event_store
from service.store.articles import ArticleText

T = TypeVar("T")


@asynccontextmanager
async def write_transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection inside one transaction: committed when the block ends, rolled back if it raises."""
    async with pool.acquire() as connection, connection.transaction():
        yield connection


TEXT_ATTEMPTS = 3
"""How many attempts a write whose CPU work runs on the article's text gets: all but the last work on the text
read without a lock, the last under the article's lock (see until_text_holds)."""


class TextMoved(Exception):
    """The text a computation ran on (read without a lock, so that no connection or lock is held while the CPU
    works) is no longer current once the write holds its lock: the transaction rolls back and computes again."""


async def until_text_holds(attempt: Callable[[bool], Awaitable[T]]) -> T:
    """Run a write whose CPU work (quote search, re-anchoring) needs the article's text. `attempt(False)` works
    on the text read before its transaction (no connection or lock held meanwhile) and raises TextMoved if the
    text or positions changed by the time it holds the lock; the last attempt, `attempt(True)`, works under the
    lock (bounded by the work budget), where nothing can move them, so a busy article never makes a write with a
    current If-Match fail."""
    for _ in range(TEXT_ATTEMPTS - 1):
        try:
            return await attempt(False)
        except TextMoved:
            continue
    return await attempt(True)


def etag(version: int) -> str:
    return f'"{version}"'


def etag_listed(header: str, tag: str) -> bool:
    """Whether an If-Match / If-None-Match header names `tag` (or `*`), comparing weakly."""
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return "*" in candidates or tag.removeprefix("W/") in candidates


def check_if_match(if_match: str | None, version: int) -> None:
    """412 unless `If-Match` is absent, `*`, or lists the current ETag (weak or strong)."""
    if if_match is None:
        return
    if not etag_listed(if_match, etag(version)):
        raise PreconditionFailed(
            f"the resource is at version {version} (ETag {etag(version)}); fetch it and retry",
            current_etag=etag(version),
        )


async def lock_article_text(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    *,
    exclusive: bool,
    if_match: str | None = None,
) -> ArticleText:
    """The article's current text, locked against a text revision (shared) or any write (exclusive)."""
    text = await article_store.lock_article_text(connection, tenant_id, article_id, exclusive=exclusive)
    if text is None:
        raise NotFound(f"no article {article_id}")
    check_if_match(if_match, text.version)
    return text


async def lock_article_metadata(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, if_match: str | None
) -> asyncpg.Record:
    current = await article_store.lock_article_metadata(connection, tenant_id, article_id)
    if current is None:
        raise NotFound(f"no article {article_id}")
    check_if_match(if_match, current["version"])
    return current


async def lock_annotation(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, annotation_id: uuid.UUID, if_match: str | None
) -> asyncpg.Record:
    """The annotation row (its article share-locked first), row-locked until the transaction ends. Called
    first in its transaction: it first takes the article's place in the change feed (store/events.py)."""
    await event_store.take_annotation_place(connection, tenant_id, annotation_id)
    current = await annotation_store.lock_annotation(connection, tenant_id, annotation_id)
    if current is None:
        raise NotFound(f"no annotation {annotation_id}")
    check_if_match(if_match, current["version"])
    return current
