"""Every SQL statement that touches articles, their URLs and their text revisions."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import asyncpg
import msgspec

from service.domain.offsets import OffsetUnit
from service.errors import Conflict
from service.store.annotations import select_annotations
from service.wire import Annotation, Article, Revision

_LENGTH_COLUMN: dict[OffsetUnit, str] = {OffsetUnit.CODEPOINT: "r.length", OffsetUnit.UTF16: "r.length_utf16"}
_SELECT = """SELECT a.id, a.url, a.canonical_url, a.alternate_urls, a.title, a.publisher, a.language,
       a.published_at, a.revision, {length} AS text_length, a.version, a.created_at, a.updated_at{text}
FROM articles a
JOIN article_revisions r ON r.tenant_id = a.tenant_id AND r.article_id = a.id AND r.revision = a.revision"""
_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "alternate_urls",
    "title",
    "publisher",
    "language",
    "published_at",
    "revision",
    "text_length",
    "version",
    "created_at",
    "updated_at",
)


# Every annotation of the article as one compact JSON array (json_agg would add a space and a newline between
# items), rendered by PostgreSQL: read in the same statement (and so
# the same snapshot) as the article, it always belongs to the revision whose text comes with it.
_ANNOTATIONS = """,
       (SELECT ('[' || coalesce(string_agg(n.doc, ',' ORDER BY n.start_cp, n.end_cp, n.id), '') || ']')::json
        FROM ({documents} WHERE tenant_id = a.tenant_id AND article_id = a.id) n) AS annotations"""


@functools.cache
def _select(unit: OffsetUnit, with_text: bool, with_annotations: bool = False) -> str:
    extra = (", r.text" if with_text else "") + (
        _ANNOTATIONS.format(documents=select_annotations(unit, as_json=True)) if with_annotations else ""
    )
    return _SELECT.format(length=_LENGTH_COLUMN[unit], text=extra)


def to_article(row: asyncpg.Record, with_text: bool, with_annotations: bool = False) -> Article:
    article = Article(**{name: row[name] for name in _FIELDS})
    if with_text:
        article.text = row["text"]
    if with_annotations:  # already JSON: written out as it is
        article.annotations = cast("list[Annotation]", msgspec.Raw(row["annotations"]))
    return article


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The current text of an article, as locked for a write."""

    article_id: uuid.UUID
    revision: int
    version: int
    text: str
    now: datetime
    url: str


async def insert_article(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    metadata: dict[str, Any],
    text: str,
    length_utf16: int,
) -> datetime:
    """Insert an article with its first revision; returns the transaction's timestamp."""
    now: datetime = await connection.fetchval(
        """INSERT INTO articles (tenant_id, id, url, canonical_url, alternate_urls, title, publisher, language,
                                 published_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at""",
        tenant_id,
        article_id,
        metadata["url"],
        metadata["canonical_url"],
        metadata["alternate_urls"],
        metadata["title"],
        metadata["publisher"],
        metadata["language"],
        metadata["published_at"],
    )
    await connection.execute(
        """INSERT INTO article_revisions (tenant_id, article_id, revision, text, length, length_utf16)
           VALUES ($1, $2, 1, $3, $4, $5)""",
        tenant_id,
        article_id,
        text,
        len(text),
        length_utf16,
    )
    return now


async def claim_urls(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, canonical_urls: Sequence[str]
) -> None:
    """Make `canonical_urls` (and only them) the article's lookup keys; a URL held by another article is a 409."""
    await connection.execute(
        "DELETE FROM article_urls WHERE tenant_id = $1 AND article_id = $2 AND NOT (canonical_url = ANY($3::text[]))",
        tenant_id,
        article_id,
        list(canonical_urls),
    )
    await connection.execute(
        """INSERT INTO article_urls (tenant_id, canonical_url, article_id)
           SELECT $1, u, $2 FROM unnest($3::text[]) AS u
           ON CONFLICT (tenant_id, canonical_url) DO NOTHING""",
        tenant_id,
        article_id,
        list(canonical_urls),
    )
    taken = await connection.fetchrow(
        """SELECT canonical_url, article_id FROM article_urls
           WHERE tenant_id = $1 AND canonical_url = ANY($3::text[]) AND article_id <> $2 LIMIT 1""",
        tenant_id,
        article_id,
        list(canonical_urls),
    )
    if taken is not None:
        raise Conflict(
            f"another article already has the URL {taken['canonical_url']}",
            existing_article_id=str(taken["article_id"]),
            canonical_url=taken["canonical_url"],
        )


async def fetch_article(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    with_text: bool,
    with_annotations: bool = False,
) -> Article | None:
    row = await connection.fetchrow(
        _select(unit, with_text, with_annotations) + " WHERE a.tenant_id = $1 AND a.id = $2", tenant_id, article_id
    )
    return None if row is None else to_article(row, with_text, with_annotations)


async def fetch_article_by_url(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    canonical_url: str,
    unit: OffsetUnit,
    with_text: bool,
    with_annotations: bool = False,
) -> Article | None:
    row = await connection.fetchrow(
        _select(unit, with_text, with_annotations)
        + """ JOIN article_urls u ON u.tenant_id = a.tenant_id AND u.article_id = a.id
              WHERE u.tenant_id = $1 AND u.canonical_url = $2""",
        tenant_id,
        canonical_url,
    )
    return None if row is None else to_article(row, with_text, with_annotations)


async def fetch_articles_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    unit: OffsetUnit,
    with_text: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    with_annotations: bool = False,
) -> list[Article]:
    """Newest first, keyset-paginated on (created_at, id); fetches limit + 1 to tell if more follow."""
    rows = await connection.fetch(
        _select(unit, with_text, with_annotations)
        + """ WHERE a.tenant_id = $1 AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3))
              ORDER BY a.created_at DESC, a.id DESC LIMIT $4""",
        tenant_id,
        *(after or (None, None)),
        limit + 1,
    )
    return [to_article(row, with_text, with_annotations) for row in rows]


async def article_exists(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE tenant_id = $1 AND id = $2)", tenant_id, article_id
        )
    )


async def fetch_article_url(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> str | None:
    url: str | None = await connection.fetchval(
        "SELECT url FROM articles WHERE tenant_id = $1 AND id = $2", tenant_id, article_id
    )
    return url


async def fetch_current_revision(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> int | None:
    revision: int | None = await connection.fetchval(
        "SELECT revision FROM articles WHERE tenant_id = $1 AND id = $2", tenant_id, article_id
    )
    return revision


async def lock_article_text(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, *, exclusive: bool
) -> ArticleText | None:
    """The current text, locked against a concurrent text revision (shared) or any write (exclusive).

    The row is locked on its own first and the text read after: a lock that had to wait for a text revision
    then sees the new revision, rather than a join on the old one that no longer matches."""
    lock = "FOR UPDATE" if exclusive else "FOR SHARE"
    row = await connection.fetchrow(
        f"""SELECT id, revision, version, now() AS now, url FROM articles
            WHERE tenant_id = $1 AND id = $2 {lock}""",
        tenant_id,
        article_id,
    )
    if row is None:
        return None
    text = await connection.fetchval(
        "SELECT text FROM article_revisions WHERE tenant_id = $1 AND article_id = $2 AND revision = $3",
        tenant_id,
        article_id,
        row["revision"],
    )
    return ArticleText(row["id"], row["revision"], row["version"], text, row["now"], row["url"])


async def lock_article_metadata(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> asyncpg.Record | None:
    return await connection.fetchrow(
        "SELECT id, url, alternate_urls, version FROM articles WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE",
        tenant_id,
        article_id,
    )


async def update_article(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, changes: dict[str, Any]
) -> None:
    allowed = {"url", "canonical_url", "alternate_urls", "title", "publisher", "language", "published_at"}
    if set(changes) - allowed:
        raise ValueError(f"not updatable: {sorted(set(changes) - allowed)}")
    names = list(changes)
    assignments = "".join(f"{name} = ${i}, " for i, name in enumerate(names, start=3))
    await connection.execute(
        f"UPDATE articles SET {assignments}version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        article_id,
        *(changes[name] for name in names),
    )


async def delete_article(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> bool:
    status = await connection.execute("DELETE FROM articles WHERE tenant_id = $1 AND id = $2", tenant_id, article_id)
    return bool(status.endswith(" 1"))


async def insert_revision(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    revision: int,
    text: str,
    length_utf16: int,
) -> int:
    """Store `text` as `revision` and make it current; returns the article's new version."""
    await connection.execute(
        """INSERT INTO article_revisions (tenant_id, article_id, revision, text, length, length_utf16)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        tenant_id,
        article_id,
        revision,
        text,
        len(text),
        length_utf16,
    )
    version: int = await connection.fetchval(
        """UPDATE articles SET revision = $3, version = version + 1, updated_at = now()
           WHERE tenant_id = $1 AND id = $2 RETURNING version""",
        tenant_id,
        article_id,
        revision,
    )
    return version


async def fetch_revision_texts(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, revisions: Sequence[int]
) -> dict[int, str]:
    rows = await connection.fetch(
        """SELECT revision, text FROM article_revisions
           WHERE tenant_id = $1 AND article_id = $2 AND revision = ANY($3::int[])""",
        tenant_id,
        article_id,
        list(revisions),
    )
    return {row["revision"]: row["text"] for row in rows}


async def fetch_revisions(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    revision: int | None = None,
) -> list[Revision]:
    """Every revision of the article (or only `revision`), oldest first, each with its whole text."""
    length = "length" if unit == OffsetUnit.CODEPOINT else "length_utf16"
    rows = await connection.fetch(
        f"""SELECT revision, text, {length} AS text_length, created_at FROM article_revisions
            WHERE tenant_id = $1 AND article_id = $2 AND ($3::int IS NULL OR revision = $3) ORDER BY revision""",
        tenant_id,
        article_id,
        revision,
    )
    return [Revision(**dict(row)) for row in rows]


async def fetch_current_text(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> tuple[int, str, str | None] | None:
    """(revision, text, language) of the article's current text, unlocked; None if there is no such article."""
    row = await connection.fetchrow(
        """SELECT a.revision, r.text, a.language FROM articles a
           JOIN article_revisions r ON r.tenant_id = a.tenant_id AND r.article_id = a.id AND r.revision = a.revision
           WHERE a.tenant_id = $1 AND a.id = $2""",
        tenant_id,
        article_id,
    )
    return None if row is None else (row["revision"], row["text"], row["language"])


async def fetch_article_version(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> int | None:
    """The article's version (its ETag), unlocked; None if there is no such article."""
    version: int | None = await connection.fetchval(
        "SELECT version FROM articles WHERE tenant_id = $1 AND id = $2", tenant_id, article_id
    )
    return version
