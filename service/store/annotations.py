"""Every SQL statement that touches annotations."""

from __future__ import annotations

import functools
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from msgspec import Meta

from service.domain.offsets import OffsetUnit
from service.wire import ANNOTATION_CLASSES, KIND_FIELDS, Anchor, Annotation

# Columns written on insert, in this order (copy_records_to_table).
INSERT_COLUMNS = (
    "tenant_id", "id", "article_id", "kind", "start_cp", "end_cp", "start_utf16", "end_utf16",
    "quote", "prefix", "suffix", "tags", "note", "author", "origin", "confidence",
    "anchor_status", "anchor_revision", "anchor_confidence", "anchor_approximate", "needs_review", "previous_quote",
    "review", "created_at", "updated_at",
    "statement", "claimant", "verdict", "verdict_explanation", "review_url", "reviewed_at",
    "source", "source_type", "cue", "claim_id", "denier", "target_id",
    "value", "unit", "approximate", "qualifier", "subject",
)  # fmt: skip
# Columns a PATCH may set (offsets included): the whitelist for the dynamic UPDATE.
UPDATABLE_COLUMNS = frozenset(INSERT_COLUMNS) - {"tenant_id", "id", "article_id", "kind", "created_at", "updated_at"}
# Where an annotation stands in the text: what annotation_history keeps for each earlier revision.
POSITION_COLUMNS = (
    "start_cp", "end_cp", "start_utf16", "end_utf16", "quote", "prefix", "suffix",
    "anchor_status", "anchor_revision", "anchor_confidence", "anchor_approximate",
)  # fmt: skip

_OFFSET_COLUMNS: dict[OffsetUnit, str] = {
    OffsetUnit.CODEPOINT: "start_cp AS start, end_cp AS end",
    OffsetUnit.UTF16: "start_utf16 AS start, end_utf16 AS end",
}
_SELECT = """SELECT id, article_id, kind, {offsets}, quote, prefix, suffix, tags, note, author, origin,
       confidence, anchor_status, anchor_revision, anchor_confidence, anchor_approximate, needs_review,
       previous_quote, review, version, created_at, updated_at,
       coalesce(statement, quote) AS statement, claimant, verdict, verdict_explanation, review_url,
       reviewed_at, source, source_type, cue, claim_id, denier, target_id,
       value, unit, approximate, qualifier, subject
FROM {source}"""
# The annotations as they stood at an earlier revision ({revision} is its parameter): current bodies,
# positions from the history. Only annotations that existed then have a history row for it.
_AT_REVISION = (
    "(SELECT "
    + ", ".join(f"h.{c}" if c in POSITION_COLUMNS else f"an.{c}" for c in (*INSERT_COLUMNS, "version"))
    + """ FROM annotations an
      JOIN annotation_history h ON h.tenant_id = an.tenant_id AND h.annotation_id = an.id
      WHERE h.revision = {revision}) AS annotations"""
)
_COMMON = ("id", "article_id", "start", "end", "quote", "prefix", "suffix", "tags", "note", "author",
           "origin", "confidence", "needs_review", "previous_quote", "review", "version", "created_at",
           "updated_at")  # fmt: skip
_KIND_FIELD_ORDER = {kind: tuple(sorted(fields)) for kind, fields in KIND_FIELDS.items()}


_UTC = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_JSON_VALUES = {
    "statement": "coalesce(statement, quote)",
    "anchor": (
        "(SELECT row_to_json(a) FROM (SELECT anchor_status AS status, anchor_revision AS revision,"
        " anchor_confidence AS confidence, anchor_approximate AS approximate) a)"
    ),
    "created_at": _UTC.format("created_at"),
    "updated_at": _UTC.format("updated_at"),
    "reviewed_at": _UTC.format("reviewed_at"),
}


_STORED_DOCUMENT = {OffsetUnit.CODEPOINT: "document_cp", OffsetUnit.UTF16: "document_utf16"}
"""The columns holding each row's document as _json_document renders it, kept by a trigger (schemas/0012)."""


@functools.cache
def _json_document(unit: OffsetUnit) -> str:
    """SQL that renders a row as the annotation's JSON (the wire Struct's fields), so reads pass it through
    without decoding and re-encoding; tests/store/test_annotation_documents.py keeps the two in step, and the
    documents stored for the current revision in step with both. `row_to_json` writes compact JSON
    (json_build_object would put a space around every colon)."""
    start, end = ("start_cp", "end_cp") if unit == OffsetUnit.CODEPOINT else ("start_utf16", "end_utf16")
    values = {**_JSON_VALUES, "start": start, "end": end}
    cases = []
    for kind, cls in ANNOTATION_CLASSES.items():
        columns = ", ".join(f'{values.get(name, name)} AS "{name}"' for name in cls.__struct_fields__)
        cases.append(f"WHEN '{kind}' THEN (SELECT row_to_json(d) FROM (SELECT kind, {columns}) d)")
    return f"CASE kind {' '.join(cases)} END"


@functools.cache
def select_annotations(
    unit: OffsetUnit, extra_columns: str = "", at_revision: str | None = None, as_json: bool = False
) -> str:
    """The SELECT of annotation rows in `unit`; `at_revision` is the placeholder of an earlier revision;
    `as_json` selects each row's JSON document (`doc`, text) with its id, version and keyset instead of columns."""
    source = "annotations" if at_revision is None else _AT_REVISION.format(revision=at_revision)
    if as_json:  # the current revision's documents are stored (schemas/0012); earlier ones are rendered
        document = _STORED_DOCUMENT[unit] if at_revision is None else f"({_json_document(unit)})::text"
        return f"SELECT {document} AS doc, id, version, start_cp, end_cp{extra_columns}\nFROM {source}"
    return _SELECT.format(offsets=_OFFSET_COLUMNS[unit] + extra_columns, source=source)


def to_annotation(row: asyncpg.Record) -> Annotation:
    kind = row["kind"]
    fields: dict[str, Any] = {name: row[name] for name in _COMMON}
    for name in _KIND_FIELD_ORDER[kind]:
        fields[name] = row[name]
    fields["anchor"] = Anchor(
        status=row["anchor_status"],
        revision=row["anchor_revision"],
        confidence=row["anchor_confidence"],
        approximate=row["anchor_approximate"],
    )
    return ANNOTATION_CLASSES[kind](**fields)  # type: ignore[return-value]


@functools.cache
def _filters(unit: OffsetUnit) -> str:
    """The list filters, parameters $1 to $8: tenant, article, kinds, tag, status, overlap start and end, reviews."""
    start_col, end_col = ("start_cp", "end_cp") if unit == OffsetUnit.CODEPOINT else ("start_utf16", "end_utf16")
    return f"""
WHERE tenant_id = $1 AND article_id = $2
  AND ($3::text[] IS NULL OR kind = ANY($3))
  AND ($4::text IS NULL OR tags @> ARRAY[$4])
  AND ($5::text IS NULL OR anchor_status = $5)
  AND ($6::int IS NULL OR {end_col} > $6)
  AND ($7::int IS NULL OR {start_col} < $7)
  AND ($8::text[] IS NULL OR review = ANY($8))"""


@dataclass(frozen=True, slots=True)
class AnnotationFilter:
    kinds: Sequence[str] = ()
    tag: str | None = None
    status: str | None = None
    overlap_start: int | None = None
    overlap_end: int | None = None
    reviews: Sequence[str] | None = None
    """Only these review states (None: any)."""


# A page's keyset: (start, end) in code points and the id of the last annotation of the previous page. Offsets
# are bounded like every stored offset, so a forged cursor cannot overflow the query's integers.
_Position = Annotated[int, Meta(ge=0, le=2**31 - 1)]
Keyset = tuple[_Position, _Position, uuid.UUID]

_INSERT_ORDER = operator.itemgetter(*INSERT_COLUMNS)


async def insert_annotations(connection: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (a value for each of INSERT_COLUMNS), in one COPY."""
    if rows:
        records = [_INSERT_ORDER(row) for row in rows]
        await connection.copy_records_to_table("annotations", records=records, columns=INSERT_COLUMNS)


async def fetch_annotations_by_ids(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], unit: OffsetUnit
) -> dict[uuid.UUID, Annotation]:
    """The annotations by id, as Structs."""
    rows = await connection.fetch(
        select_annotations(unit) + " WHERE tenant_id = $1 AND id = ANY($2::uuid[])", tenant_id, list(ids)
    )
    return {row["id"]: to_annotation(row) for row in rows}


async def fetch_documents_by_ids(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], unit: OffsetUnit
) -> dict[uuid.UUID, bytes]:
    """The annotations by id, as the JSON documents PostgreSQL rendered."""
    rows = await connection.fetch(
        select_annotations(unit, as_json=True) + " WHERE tenant_id = $1 AND id = ANY($2::uuid[])", tenant_id, list(ids)
    )
    return {row["id"]: row["doc"].encode() for row in rows}


async def fetch_annotations_of_article(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
) -> list[Annotation]:
    """Every annotation of the article in text order."""
    rows = await connection.fetch(
        select_annotations(unit) + " WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id",
        tenant_id,
        article_id,
    )
    return [to_annotation(row) for row in rows]


@dataclass(frozen=True, slots=True)
class AnnotationRows:
    """One page of annotations: the items, the keyset of the last item when more follow, and a `version` of
    everything the request matched (for its ETag)."""

    items: list[Annotation]
    last: Keyset | None
    version: str


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """One page of annotations as their JSON documents (bytes, in page order, to be written out as they are: the
    answer joins them once, service/api/annotations.py), and otherwise as AnnotationRows."""

    documents: list[bytes]
    last: Keyset | None
    version: str
    generation: int | None = None
    """The article's stored-page generation in the same snapshot (fetch_whole_article_page only; None when it has
    none): what a page stored from these documents is kept under (store/stored_pages.py)."""

    @property
    def count(self) -> int:
        return len(self.documents)


def _version(matching: int, changed: datetime | float | None) -> str:
    """Changes whenever a matching annotation is added, removed or changed (each write sets updated_at);
    `changed` is the latest updated_at, or its epoch seconds (the same float datetime.timestamp() gives)."""
    seconds = changed.timestamp() if isinstance(changed, datetime) else changed
    return f"{matching}:{seconds or 0}"


# A page request's WHERE: the filters ($1-$8) and the keyset ($9-$11); $12 is an earlier revision, if any.
_KEYSET = "\n  AND ($9::int IS NULL OR (start_cp, end_cp, id) > ($9, $10, $11))"


def _reviews(where: AnnotationFilter) -> list[str] | None:
    return None if where.reviews is None else list(where.reviews)


def _page_arguments(
    tenant_id: uuid.UUID, article_id: uuid.UUID, where: AnnotationFilter, after: Keyset | None,
    revision: int | None,
) -> list[Any]:  # fmt: skip
    return [
        tenant_id, article_id, list(where.kinds) or None, where.tag, where.status, where.overlap_start,
        where.overlap_end, _reviews(where), *(after or (None, None, None)),
        *((revision,) if revision is not None else ()),
    ]  # fmt: skip


# The keyset and, for the ETag, what every row matching the filters adds up to (windows run before LIMIT).
_PAGE_COLUMNS = (
    ", start_cp AS key_start, end_cp AS key_end, count(*) OVER () AS matching, max(updated_at) OVER () AS changed"
)


async def _fetch_page(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID, unit: OffsetUnit,
    where: AnnotationFilter, after: Keyset | None, limit: int, revision: int | None, as_json: bool,
) -> tuple[list[asyncpg.Record], Keyset | None, str]:  # fmt: skip
    """A page's rows (one more is read, to know whether more follow), the keyset of its last row when more do,
    and the version of every matching row."""
    select = select_annotations(unit, _PAGE_COLUMNS, "$12" if revision is not None else None, as_json)
    arguments = _page_arguments(tenant_id, article_id, where, after, revision)
    rows = await connection.fetch(
        f"{select}{_filters(unit)}{_KEYSET}\nORDER BY start_cp, end_cp, id\nLIMIT ${len(arguments) + 1}",
        *arguments,
        limit + 1,
    )
    version = _version(rows[0]["matching"], rows[0]["changed"]) if rows else _version(0, None)
    more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1]["key_start"], rows[-1]["key_end"], rows[-1]["id"]) if more else None
    return rows, last, version


async def fetch_annotations_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    where: AnnotationFilter,
    after: Keyset | None,
    limit: int,
    revision: int | None = None,
) -> AnnotationRows:
    """One page in text order after the keyset `after` (code point start, end, id). `revision`: as they stood
    at that earlier revision."""
    page = (connection, tenant_id, article_id, unit, where, after, limit, revision)
    rows, last, version = await _fetch_page(*page, as_json=False)
    return AnnotationRows([to_annotation(row) for row in rows], last, version)


async def fetch_documents_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    where: AnnotationFilter,
    after: Keyset | None,
    limit: int,
    revision: int | None = None,
) -> DocumentPage:
    """The same page as fetch_annotations_page, as the annotations' JSON documents (rows, not one joined value:
    PostgreSQL spent three times the CPU building a 140 kB value, measured in docs/performance.md)."""
    page = (connection, tenant_id, article_id, unit, where, after, limit, revision)
    rows, last, version = await _fetch_page(*page, as_json=True)
    return DocumentPage([row["doc"].encode() for row in rows], last, version)


_DOCUMENT, _CHANGED = operator.itemgetter(0), operator.itemgetter(1)


@functools.cache
def _whole_article(unit: OffsetUnit) -> str:
    # The change time as epoch seconds (float8, the value datetime.timestamp() gives): a datetime per row
    # cost more than the rest of the row.
    return f"""SELECT convert_to({_STORED_DOCUMENT[unit]}, 'UTF8') AS doc, date_part('epoch', updated_at) AS changed,
  (SELECT generation FROM annotation_page_generations g WHERE g.tenant_id = $1 AND g.article_id = $2) AS generation
FROM annotations WHERE tenant_id = $1 AND article_id = $2 AND review = ANY($3::text[])
  AND EXISTS (SELECT FROM api_keys k
              WHERE k.tenant_id = $1 AND k.id = $5 AND k.revoked_at IS NULL AND 'read' = ANY(k.scopes))
ORDER BY start_cp, end_cp, id LIMIT $4"""


async def fetch_whole_article_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    reviews: Sequence[str],
    limit: int,
    reader_key_id: str,
) -> DocumentPage | None:
    """The first page of an article filtered by review state only, when it holds every match (at most `limit`):
    the stored documents, and a version from the same rows, where fetch_documents_page needs
    windows for the keyset and the version over rows it does not show. None when more than `limit` match.
    Rows, not one joined value: PostgreSQL spent three times the CPU building a 140 kB value (measured).
    Nothing is read unless the API key `reader_key_id` is, in the same snapshot, unrevoked with the read scope
    (an empty page then says nothing about the article)."""
    arguments = (tenant_id, article_id, list(reviews), limit + 1, reader_key_id)
    rows = await connection.fetch(_whole_article(unit), *arguments)
    if len(rows) > limit:
        return None
    version = _version(len(rows), max(map(_CHANGED, rows), default=None))
    return DocumentPage(list(map(_DOCUMENT, rows)), None, version, rows[0]["generation"] if rows else None)


async def fetch_annotations_version(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    unit: OffsetUnit,
    where: AnnotationFilter,
    after: Keyset | None,
    revision: int | None = None,
) -> str:
    """The `version` the same page request would report, from one aggregate over the matching rows."""
    source = "annotations" if revision is None else _AT_REVISION.format(revision="$12")
    row = await connection.fetchrow(
        f"SELECT count(*) AS matching, max(updated_at) AS changed FROM {source}{_filters(unit)}{_KEYSET}",
        *_page_arguments(tenant_id, article_id, where, after, revision),
    )
    assert row is not None
    return _version(row["matching"], row["changed"])


async def fetch_annotation(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    unit: OffsetUnit,
    revision: int | None = None,
) -> Annotation | None:
    """One annotation as a Struct (positions as of an earlier `revision`, if given), or None."""
    select = select_annotations(unit, "", "$3" if revision is not None else None)
    row = await connection.fetchrow(
        select + " WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        annotation_id,
        *(() if revision is None else (revision,)),
    )
    return None if row is None else to_annotation(row)


@dataclass(frozen=True, slots=True)
class AnnotationDocument:
    """One annotation rendered to JSON by PostgreSQL, with what its response headers need."""

    document: bytes
    version: int
    article_id: uuid.UUID


async def fetch_document(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    unit: OffsetUnit,
    revision: int | None = None,
) -> AnnotationDocument | None:
    """One annotation as its JSON document (positions as of an earlier `revision`, if given), or None."""
    select = select_annotations(unit, ", article_id", "$3" if revision is not None else None, as_json=True)
    row = await connection.fetchrow(
        select + " WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        annotation_id,
        *(() if revision is None else (revision,)),
    )
    return None if row is None else AnnotationDocument(row["doc"].encode(), row["version"], row["article_id"])


async def count_annotations(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    where: AnnotationFilter,
    revision: int | None = None,
) -> int:
    """How many annotations match the filters (offsets in code points): the total of a W3C collection."""
    source = "annotations" if revision is None else _AT_REVISION.format(revision="$9")
    total: int = await connection.fetchval(
        f"SELECT count(*) FROM {source}" + _filters(OffsetUnit.CODEPOINT),
        tenant_id, article_id, list(where.kinds) or None, where.tag, where.status, where.overlap_start,
        where.overlap_end, _reviews(where), *(() if revision is None else (revision,)),
    )  # fmt: skip
    return total


@dataclass(frozen=True, slots=True)
class StoredPosition:
    """Where an annotation stands, as re-anchoring needs it."""

    id: uuid.UUID
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    status: str
    revision: int
    kind: str
    verdict: str | None
    needs_review: bool


async def lock_positions(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> list[StoredPosition]:
    """Every annotation's position on the article, row-locked for re-anchoring."""
    return await fetch_positions(connection, tenant_id, article_id, lock=True)


async def fetch_positions(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, *, lock: bool = False
) -> list[StoredPosition]:
    """Every annotation's position on the article, in text order (row-locked with `lock`)."""
    rows = await connection.fetch(
        """SELECT id, start_cp, end_cp, quote, prefix, suffix, anchor_status, anchor_revision, kind, verdict,
                  needs_review
           FROM annotations WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id"""
        + (" FOR UPDATE" if lock else ""),
        tenant_id,
        article_id,
    )
    return [StoredPosition(*row.values()) for row in rows]


async def record_history(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, revision: int
) -> None:
    """Keep where every annotation of the article stands at `revision`, before a new revision moves them."""
    columns = ", ".join(POSITION_COLUMNS)
    await connection.execute(
        f"""INSERT INTO annotation_history (tenant_id, annotation_id, revision, {columns})
            SELECT tenant_id, id, $3, {columns} FROM annotations WHERE tenant_id = $1 AND article_id = $2
            ON CONFLICT DO NOTHING""",
        tenant_id,
        article_id,
        revision,
    )


async def update_positions(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, rows: Sequence[tuple[Any, ...]], now: datetime
) -> None:
    """Set new positions in one statement; each row is (id, *POSITION_COLUMNS), None keeping a stored value."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    assignments = ", ".join(f"{name} = coalesce(u.{name}, a.{name})" for name in POSITION_COLUMNS)
    types = ("uuid", "int", "int", "int", "int", "text", "text", "text", "text", "int", "float8", "bool")
    unnest = ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, start=3))
    await connection.execute(
        f"""UPDATE annotations a SET {assignments}, version = a.version + 1, updated_at = $2
            FROM unnest({unnest}) AS u(id, {", ".join(POSITION_COLUMNS)})
            WHERE a.tenant_id = $1 AND a.id = u.id""",
        tenant_id,
        now,
        *(list(column) for column in columns),
    )


async def flag_for_review(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, flagged: Sequence[tuple[uuid.UUID, str]]
) -> None:
    """Mark annotations whose words re-anchoring changed as needing review; each (id, quote before the change)
    keeps the first quote since the last review: the words the rating or the value was given for."""
    if flagged:
        ids, quotes = zip(*flagged, strict=True)
        await connection.execute(
            """UPDATE annotations a SET needs_review = true, previous_quote = coalesce(a.previous_quote, u.quote)
               FROM unnest($2::uuid[], $3::text[]) AS u(id, quote) WHERE a.tenant_id = $1 AND a.id = u.id""",
            tenant_id,
            list(ids),
            list(quotes),
        )


async def lock_annotation(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, annotation_id: uuid.UUID
) -> asyncpg.Record | None:
    """The annotation's kind, version and article for an update, row-locked until the transaction ends.

    Its article is share-locked first: every writer takes the article before its annotations (a text revision
    locks the article, then all its annotations), so writers never wait for each other in a cycle."""
    article_id = await connection.fetchval(
        "SELECT article_id FROM annotations WHERE tenant_id = $1 AND id = $2", tenant_id, annotation_id
    )
    if article_id is None:
        return None
    await connection.execute("SELECT 1 FROM articles WHERE tenant_id = $1 AND id = $2 FOR SHARE", tenant_id, article_id)
    return await connection.fetchrow(
        """SELECT id, article_id, kind, version, start_cp, end_cp, quote
           FROM annotations WHERE tenant_id = $1 AND id = $2 FOR UPDATE""",
        tenant_id,
        annotation_id,
    )


async def fetch_claim_ids(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `ids` name claims of this article."""
    rows = await connection.fetch(
        """SELECT id FROM annotations
           WHERE tenant_id = $1 AND article_id = $2 AND kind = 'claim' AND id = ANY($3::uuid[])""",
        tenant_id,
        article_id,
        list(ids),
    )
    return {row["id"] for row in rows}


async def fetch_existing_ids(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await connection.fetch(
        "SELECT id FROM annotations WHERE tenant_id = $1 AND id = ANY($2::uuid[])", tenant_id, list(ids)
    )
    return {row["id"] for row in rows}


async def update_annotation(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    annotation_id: uuid.UUID,
    changes: dict[str, Any],
) -> None:
    unknown = set(changes) - UPDATABLE_COLUMNS
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    names = list(changes)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    await connection.execute(
        f"""UPDATE annotations SET {assignments}{", " if names else ""}version = version + 1, updated_at = now()
            WHERE tenant_id = $1 AND id = $2""",
        tenant_id,
        annotation_id,
        *(changes[name] for name in names),
    )


async def delete_annotation(connection: asyncpg.Connection, tenant_id: uuid.UUID, annotation_id: uuid.UUID) -> None:
    """Delete one annotation; attributions and denials linking to it (if it is a claim) lose the link."""
    await connection.execute(
        """UPDATE annotations
           SET claim_id = CASE WHEN claim_id = $2 THEN NULL ELSE claim_id END,
               target_id = CASE WHEN target_id = $2 THEN NULL ELSE target_id END,
               version = version + 1, updated_at = now()
           WHERE tenant_id = $1 AND (claim_id = $2 OR target_id = $2)""",
        tenant_id,
        annotation_id,
    )
    await connection.execute("DELETE FROM annotations WHERE tenant_id = $1 AND id = $2", tenant_id, annotation_id)


async def fetch_ids_of_article(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> list[uuid.UUID]:
    """The ids of the article's annotations in text order (what deleting the article takes with it)."""
    rows = await connection.fetch(
        "SELECT id FROM annotations WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id",
        tenant_id,
        article_id,
    )
    return [row["id"] for row in rows]


async def fetch_linking_ids(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, claim_id: uuid.UUID
) -> list[uuid.UUID]:
    """The attributions and denials that link to this claim (deleting it clears their links)."""
    rows = await connection.fetch(
        "SELECT id FROM annotations WHERE tenant_id = $1 AND (claim_id = $2 OR target_id = $2) ORDER BY id",
        tenant_id,
        claim_id,
    )
    return [row["id"] for row in rows]


@dataclass(frozen=True, slots=True)
class ExistingSpan:
    """Where an annotation stands and who made it: what storing suggestions compares them against."""

    id: uuid.UUID
    kind: str
    start: int
    end: int
    origin: str


async def fetch_spans(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> list[ExistingSpan]:
    """Every annotation's kind, code point span and origin on the article, in text order."""
    rows = await connection.fetch(
        """SELECT id, kind, start_cp, end_cp, origin FROM annotations
           WHERE tenant_id = $1 AND article_id = $2 ORDER BY start_cp, end_cp, id""",
        tenant_id,
        article_id,
    )
    return [ExistingSpan(*row.values()) for row in rows]


async def fetch_annotations_around(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    article_id: uuid.UUID,
    key: tuple[int, int, uuid.UUID] | None,
    *,
    before: bool,
    limit: int,
) -> tuple[list[tuple[tuple[int, int, uuid.UUID], Annotation]], bool]:
    """Up to `limit` annotations (code points) right after `key` (None: from the start) or right before it (None:
    up to the end), in text order with their keys; and whether more lie beyond them in that direction."""
    compare, order = ("<", "DESC") if before else (">", "ASC")
    rows = await connection.fetch(
        select_annotations(OffsetUnit.CODEPOINT, ", start_cp AS key_start, end_cp AS key_end")
        + f""" WHERE tenant_id = $1 AND article_id = $2
                 AND ($3::int IS NULL OR (start_cp, end_cp, id) {compare} ($3, $4, $5))
               ORDER BY start_cp {order}, end_cp {order}, id {order} LIMIT $6""",
        tenant_id,
        article_id,
        *(key or (None, None, None)),
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if before:
        rows.reverse()
    return [((row["key_start"], row["key_end"], row["id"]), to_annotation(row)) for row in rows], more


async def fetch_annotations_changed(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, article_id: uuid.UUID
) -> tuple[int, datetime | None]:
    """How many annotations the article has, and when the last of them changed."""
    row = await connection.fetchrow(
        "SELECT count(*), max(updated_at) FROM annotations WHERE tenant_id = $1 AND article_id = $2",
        tenant_id,
        article_id,
    )
    assert row is not None
    return row[0], row[1]


async def fetch_stored_span(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, annotation_id: uuid.UUID
) -> tuple[uuid.UUID, int, int] | None:
    """(article id, start, end in code points) of an annotation, unlocked; None if there is no such annotation."""
    row = await connection.fetchrow(
        "SELECT article_id, start_cp, end_cp FROM annotations WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        annotation_id,
    )
    return None if row is None else (row["article_id"], row["start_cp"], row["end_cp"])
