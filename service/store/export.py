"""The export's one statement: every article of a tenant with its text and annotations, rendered as JSON by
PostgreSQL and read through a server-side cursor, so memory holds a few rows whatever the tenant's size."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg

from service.domain.offsets import OffsetUnit
from service.store.annotations import select_annotations

_UTC = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_LENGTH = {"codepoint": "r.length", "utf16": "r.length_utf16"}
# The last change of an article: its own, or its latest annotation's (deletions are in the change feed).
_CHANGED = "greatest(a.updated_at, (SELECT max(n.updated_at) FROM annotations n WHERE n.tenant_id = a.tenant_id AND n.article_id = a.id))"  # noqa: E501
PREFETCH = 50


@functools.cache
def _export(unit: OffsetUnit) -> str:
    documents = select_annotations(unit, as_json=True)
    return f"""
SELECT json_build_object(
    'id', a.id, 'url', a.url, 'canonical_url', a.canonical_url, 'alternate_urls', a.alternate_urls,
    'title', a.title, 'publisher', a.publisher, 'language', a.language,
    'published_at', {_UTC.format("a.published_at")}, 'revision', a.revision, 'text_length', {_LENGTH[unit]},
    'version', a.version, 'created_at', {_UTC.format("a.created_at")}, 'updated_at', {_UTC.format("a.updated_at")},
    'text', r.text,
    'annotations', (SELECT ('[' || coalesce(string_agg(n.doc, ',' ORDER BY n.start_cp, n.end_cp, n.id), '')
                            || ']')::json
                    FROM ({documents} WHERE tenant_id = a.tenant_id AND article_id = a.id) n)) AS doc
FROM articles a
JOIN article_revisions r ON r.tenant_id = a.tenant_id AND r.article_id = a.id AND r.revision = a.revision
WHERE a.tenant_id = $1
  AND ($2::timestamptz IS NULL OR {_CHANGED} >= $2)
  AND ($3::timestamptz IS NULL OR {_CHANGED} < $3)
ORDER BY a.created_at, a.id"""


async def export_articles(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    since: datetime | None,
    until: datetime | None,
    unit: OffsetUnit,
) -> AsyncIterator[bytes]:
    """Each article as one JSON document, oldest first; `connection` must be inside a transaction."""
    async for row in connection.cursor(_export(unit), tenant_id, since, until, prefetch=PREFETCH):
        yield row["doc"]
