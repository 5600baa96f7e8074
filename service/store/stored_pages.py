"""Stored pages (schemas/0013): the plain list read's answer kept in PostgreSQL, in parts that stay inside their
heap rows, and served only while the article's generation is the one it was stored under."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from service.domain.offsets import OffsetUnit

PART_BYTES = 7_600
"""At most this many bytes of the answer a row: with its other columns the row stays under a heap page."""


@dataclass(frozen=True, slots=True)
class StoredPage:
    """The list's answer as stored: its bytes, how many annotations it lists, and the list's version."""

    body: bytes
    matching: int
    version: str


_FETCH = """SELECT body, parts, matching, version FROM annotation_page_parts
WHERE tenant_id = $1 AND article_id = $2 AND unit = $3
  AND generation = (SELECT generation FROM annotation_page_generations WHERE tenant_id = $1 AND article_id = $2)
  AND EXISTS (SELECT FROM api_keys k
              WHERE k.tenant_id = $1 AND k.id = $4 AND k.revoked_at IS NULL AND 'read' = ANY(k.scopes))
ORDER BY part"""


async def fetch_stored_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    reader_key_id: str,
) -> StoredPage | None:
    """The article's stored answer in `unit` if one is stored under its current generation, and the API key
    `reader_key_id` is, in the same snapshot, unrevoked with the read scope; otherwise None."""
    rows = await connection.fetch(_FETCH, tenant_id, article_id, unit.value, reader_key_id)
    if not rows or len(rows) != rows[0]["parts"]:
        return None
    first = rows[0]
    return StoredPage(b"".join([row["body"] for row in rows]), first["matching"], first["version"])


_STORE = """INSERT INTO annotation_page_parts AS p
    (tenant_id, article_id, unit, part, parts, generation, matching, version, body)
SELECT $1, $2, $3, part - 1, $4, $5, $6, $7, body FROM unnest($8::bytea[]) WITH ORDINALITY AS given (body, part)
ON CONFLICT (tenant_id, article_id, unit, part) DO UPDATE
SET parts = excluded.parts, generation = excluded.generation, matching = excluded.matching,
    version = excluded.version, body = excluded.body
WHERE p.generation < excluded.generation"""


async def store_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    generation: int,
    page: StoredPage,
) -> None:
    """Store the answer rendered from rows read under `generation` (in the same snapshot). Parts stored under a
    later generation are kept; a page stored under an earlier one will simply never be served."""
    body = page.body
    parts = [body[start : start + PART_BYTES] for start in range(0, len(body), PART_BYTES)] or [b""]
    await connection.execute(
        _STORE, tenant_id, article_id, unit.value, len(parts), generation, page.matching, page.version, parts
    )
