"""Writes of articles: create (with its first text and optional annotations), change metadata and URLs, delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import asyncpg

from service.domain.offsets import OffsetUnit, utf16_length
from service.domain.pointers import pointer
from service.domain.urls import canonical_url
from service.operations.annotations import locate, place_annotations
from service.operations.compute import Compute
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import lock_article_metadata, write_transaction
from service.store import articles as article_store
from service.wire import Article, ArticleInput


def canonical_urls(url: str, alternates: list[str]) -> tuple[str, list[str]]:
    """The canonical URL and the distinct canonical forms of every URL, naming a bad one by its pointer."""
    primary = canonical_url(url, pointer("url"))
    every = [primary] + [canonical_url(alt, pointer("alternate_urls", i)) for i, alt in enumerate(alternates)]
    return primary, list(dict.fromkeys(every))


async def create_article(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    data: ArticleInput,
    unit: OffsetUnit,
    *,
    compute: Compute,
    idempotency: IdempotencyKey | None,
    present: Callable[[Article], Answer],
) -> Answer:
    """Store the article, its URLs, its first revision and its annotations in one transaction."""
    canonical, every_url = canonical_urls(data.url, data.alternate_urls)
    # Placing the annotations is CPU work on a text the request carries: done before a connection is held.
    spans = await locate(compute, data.text, data.annotations, unit, pointer("annotations"))
    length_utf16 = utf16_length(data.text)
    article_id = uuid.uuid4()
    metadata = {
        "url": data.url, "canonical_url": canonical, "alternate_urls": data.alternate_urls, "title": data.title,
        "publisher": data.publisher, "language": data.language, "published_at": data.published_at,
    }  # fmt: skip
    async with write_transaction(pool) as connection:
        if replay := await replayed(connection, tenant_id, idempotency):
            return replay
        now = await article_store.insert_article(connection, tenant_id, article_id, metadata, data.text, length_utf16)
        await article_store.claim_urls(connection, tenant_id, article_id, every_url)
        text = article_store.ArticleText(article_id, 1, 1, data.text, now, data.url)
        await place_annotations(connection, tenant_id, text, data.annotations, spans, pointer("annotations"))
        article = await article_store.fetch_article(
            connection, tenant_id, article_id, unit, with_text=True, with_annotations=True
        )
        assert article is not None  # inserted above
        return await remember(connection, tenant_id, idempotency, present(article))


async def update_article(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    changes: dict[str, Any],
    if_match: str | None,
    unit: OffsetUnit,
) -> Article:
    """Change metadata and URLs (a PATCH body's sent fields); annotations are untouched."""
    async with write_transaction(pool) as connection:
        current = await lock_article_metadata(connection, tenant_id, article_id, if_match)
        if "url" in changes or "alternate_urls" in changes:
            url = changes.get("url", current["url"])
            alternates = changes.get("alternate_urls", list(current["alternate_urls"]))
            changes["canonical_url"], every_url = canonical_urls(url, alternates)
            await article_store.claim_urls(connection, tenant_id, article_id, every_url)
        await article_store.update_article(connection, tenant_id, article_id, changes)
        article = await article_store.fetch_article(connection, tenant_id, article_id, unit, with_text=True)
        assert article is not None  # locked above
        return article


async def delete_article(pool: asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID, if_match: str | None) -> None:
    """Delete the article with its URLs, revisions and annotations."""
    async with write_transaction(pool) as connection:
        await lock_article_metadata(connection, tenant_id, article_id, if_match)
        await article_store.delete_article(connection, tenant_id, article_id)
