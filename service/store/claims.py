"""Every SQL statement of claims across articles: full-text search, match candidates, same-claim links and
groups (schemas/0008_claims.sql)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.domain.claims.query import SearchQuery
from service.domain.offsets import OffsetUnit
from service.store import annotations as annotation_store

# Most claims a group listing returns.
MAX_GROUP = 1000
# Private-use characters that mark highlighted words in ts_headline output (escaped and turned into <mark>).
MARK_START, MARK_END = "\ue000", "\ue001"
# A word in more than this share of claims is not distinctive: match candidates are not asked for it.
COMMON_SHARE = 0.02
# Words of a query whose pairs a match candidate is asked for (at most 8 x 7 / 2 = 28 pairs).
MAX_PAIRED = 8
# Separates a word from its synonyms in one query parameter (parse_query drops control characters from `q`).
ALTERNATIVES = "\x1f"

# The query's tsqueries, as text, in every text search configuration the tenant's claims use (found by a loose
# index scan on annotations_claim_configs, one probe per configuration), each OR-ed over the configurations: a
# claim is stemmed in its own article's language, so one of the variants is the one that applies to it.
_COMPILE = """WITH RECURSIVE configs AS (
    (SELECT search_config AS config FROM annotations
     WHERE tenant_id = $1 AND kind = 'claim' ORDER BY search_config LIMIT 1)
    UNION ALL
    SELECT (SELECT a.search_config FROM annotations a WHERE a.tenant_id = $1 AND a.kind = 'claim'
            AND a.search_config > c.config ORDER BY a.search_config LIMIT 1)
    FROM configs c WHERE c.config IS NOT NULL
),
cfgs AS MATERIALIZED (
    SELECT factmark_regconfig(config) AS cfg FROM configs WHERE config IS NOT NULL
),
-- The lexemes ANALYZE found most common in claims, with the share of claims holding each (every tenant's).
stats AS MATERIALIZED (
    SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs FROM pg_stats
    WHERE schemaname = current_schema() AND tablename = 'annotations' AND attname = 'claim_document'
)
SELECT
    ARRAY(
        SELECT (SELECT coalesce(sum(f.freq), 0) FROM stats, unnest(stats.elems, stats.freqs) AS f(elem, freq)
                WHERE f.elem IN (SELECT unnest(tsvector_to_array(to_tsvector(c.cfg, alternative)))
                                 FROM cfgs c, unnest(string_to_array(t.w, E'\\x1f')) AS alternative))
        FROM unnest($2::text[]) WITH ORDINALITY AS t(w, i) ORDER BY t.i) AS frequencies,
    ARRAY(
        SELECT (SELECT factmark_tsquery_or(DISTINCT x)::text FROM (
                    SELECT plainto_tsquery(c.cfg, alternative) AS x
                    FROM cfgs c, unnest(string_to_array(t.w, E'\\x1f')) AS alternative) s
                WHERE numnode(x) > 0)
        FROM unnest($2::text[]) WITH ORDINALITY AS t(w, i) ORDER BY t.i) AS words,
    (SELECT factmark_tsquery_and(g)::text FROM (
        SELECT factmark_tsquery_or(DISTINCT x) AS g FROM (
            SELECT t.grp, phraseto_tsquery(c.cfg, t.phrase) AS x
            FROM cfgs c, unnest($3::text[], $4::int[]) AS t(phrase, grp)) s
        WHERE numnode(x) > 0 GROUP BY s.grp) groups) AS required,
    (SELECT factmark_tsquery_or(DISTINCT x)::text FROM (
        SELECT phraseto_tsquery(c.cfg, e) AS x FROM cfgs c, unnest($5::text[]) AS e) s
     WHERE numnode(x) > 0) AS excluded"""


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A SearchQuery as tsqueries (text PostgreSQL wrote, read back as `tsquery`) and figure values."""

    words: list[str | None]
    """Each term's tsquery (None for a number, or a word that is only stop words)."""
    frequencies: list[float]
    """Each word's estimated share of claims (pg_stats; 0 when rarer than ANALYZE keeps, or a number)."""
    values: list[float | None]
    """Each term's number, or None."""
    required: str | None
    excluded: str | None

    @property
    def any_word(self) -> str | None:
        found = [f"({word})" for word in self.words if word is not None]
        return " | ".join(found) if found else None

    @property
    def all_values(self) -> list[float]:
        return [value for value in self.values if value is not None]

    @property
    def ranked(self) -> bool:
        return any(word is not None for word in self.words) or bool(self.all_values)


def distinctive(compiled: CompiledQuery) -> CompiledQuery:
    """The query without its common words (in more than COMMON_SHARE of claims), rarest first, keeping at least
    the two rarest: what a claim's match candidates are asked for."""
    order = sorted(range(len(compiled.words)), key=lambda i: compiled.frequencies[i])
    kept = [i for i in order if compiled.words[i] is None or compiled.frequencies[i] <= COMMON_SHARE]
    words = [i for i in order if compiled.words[i] is not None]
    kept = sorted(set(kept) | set(words[:2]))
    kept.sort(key=lambda i: compiled.frequencies[i] if compiled.words[i] is not None else -1.0)
    return CompiledQuery(
        words=[compiled.words[i] for i in kept],
        frequencies=[compiled.frequencies[i] for i in kept],
        values=[compiled.values[i] for i in kept],
        required=compiled.required,
        excluded=compiled.excluded,
    )


async def compile_query(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, query: SearchQuery
) -> CompiledQuery:
    phrases = [(phrase, index) for index, group in enumerate(query.required) for phrase in group]
    row = await connection.fetchrow(
        _COMPILE,
        tenant_id,
        [ALTERNATIVES.join((term.text, *term.alternatives)) if term.value is None else None for term in query.terms],
        [phrase for phrase, _ in phrases],
        [index for _, index in phrases],
        list(query.excluded),
    )
    assert row is not None
    return CompiledQuery(
        words=list(row["words"]),
        frequencies=[float(f) for f in row["frequencies"]],
        values=[term.value for term in query.terms],
        required=row["required"],
        excluded=row["excluded"],
    )


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    verdicts: Sequence[str] = ()
    reviewed: bool | None = None
    claimant: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    article_id: uuid.UUID | None = None
    other_than_article: uuid.UUID | None = None


class _Parameters:
    """Numbered placeholders for a statement built from parts."""

    def __init__(self, *values: Any) -> None:
        self.values: list[Any] = list(values)

    def __call__(self, value: Any, cast: str) -> str:
        self.values.append(value)
        return f"${len(self.values)}::{cast}"


def _hits(
    compiled: CompiledQuery, where: ClaimFilter, parameters: _Parameters, at_least_two: bool = False
) -> tuple[str, str]:
    """(the FROM ... WHERE of the matching claims, their rank expression). Only the conditions the query has are
    written, each a plain `@@` or `&&` on a constant, so that the planner sees the GIN indexes it can use.
    `at_least_two`: a claim must have two of the terms (a pair of words, or a figure and a word), when the
    query has two."""
    conditions = ["a.tenant_id = $1", "a.kind = 'claim'"]
    any_word, values = compiled.any_word, compiled.all_values
    words = [word for word in compiled.words if word is not None][:MAX_PAIRED]
    alternatives = []
    if at_least_two and len(words) + bool(values) >= 2:
        pairs = [f"({a}) & ({b})" for i, a in enumerate(words) for b in words[i + 1 :]]
        if pairs:
            alternatives.append(f"a.claim_document @@ {parameters(' | '.join(f'({p})' for p in pairs), 'tsquery')}")
        if values and any_word is not None:
            figures, any_text = parameters(values, "float8[]"), parameters(any_word, "tsquery")
            alternatives.append(f"(a.claim_figures && {figures} AND a.claim_document @@ {any_text})")
    else:
        if any_word is not None:
            alternatives.append(f"a.claim_document @@ {parameters(any_word, 'tsquery')}")
        if values:
            alternatives.append(f"a.claim_figures && {parameters(values, 'float8[]')}")
    if alternatives:
        conditions.append(f"({' OR '.join(alternatives)})")
    if compiled.required is not None:
        conditions.append(f"a.claim_document @@ {parameters(compiled.required, 'tsquery')}")
    if compiled.excluded is not None:
        conditions.append(f"NOT a.claim_document @@ {parameters(compiled.excluded, 'tsquery')}")
    # One term each: how many of the query's words and numbers the claim has (at most MAX_TERMS terms).
    covered = []
    for word, value in zip(compiled.words, compiled.values):
        if value is not None:
            covered.append(f"({parameters(value, 'float8')} = ANY(a.claim_figures))")
        elif word is not None:
            covered.append(f"(a.claim_document @@ {parameters(word, 'tsquery')})")
    # Ties go to the claim with fewer distinct words (the most to the point); ts_rank_cd would order them by
    # proximity but costs three times the rest of the rank over a common word's thousands of candidates.
    rank = " + ".join([*(f"coalesce({c}, false)::int" for c in covered), "1 / (2 + length(a.claim_document))::float8"])
    rank = f"({rank})::float8"
    joined = ""
    if where.verdicts:
        conditions.append(f"a.verdict = ANY({parameters(list(where.verdicts), 'text[]')})")
    if where.reviewed is not None:
        conditions.append(f"(a.verdict <> 'unverified') = {parameters(where.reviewed, 'bool')}")
    if where.claimant is not None:
        conditions.append(f"lower(a.claimant) = lower({parameters(where.claimant, 'text')})")
    if where.article_id is not None:
        conditions.append(f"a.article_id = {parameters(where.article_id, 'uuid')}")
    if where.other_than_article is not None:
        conditions.append(f"a.article_id <> {parameters(where.other_than_article, 'uuid')}")
    if where.published_after is not None or where.published_before is not None:
        joined = " JOIN articles ar ON ar.tenant_id = a.tenant_id AND ar.id = a.article_id"
        if where.published_after is not None:
            conditions.append(f"ar.published_at >= {parameters(where.published_after, 'timestamptz')}")
        if where.published_before is not None:
            conditions.append(f"ar.published_at < {parameters(where.published_before, 'timestamptz')}")
    return f"FROM annotations a{joined} WHERE " + " AND ".join(conditions), rank


def _headline(compiled: CompiledQuery, parameters: _Parameters) -> str:
    """ts_headline of the claim's statement, highlighting the query's words; at most 10,000 code points read."""
    body = f"translate(left(an.statement, 10000), '{MARK_START}{MARK_END}', '')"
    shown = compiled.any_word or compiled.required
    if shown is None:
        return "left(an.statement, 300)"
    options = (
        f'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
    )
    return f"ts_headline(factmark_regconfig(an.search_config), {body}, {parameters(shown, 'tsquery')}, '{options}')"


async def search_claims(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    query: SearchQuery,
    where: ClaimFilter,
    after: tuple[float, uuid.UUID] | None,
    limit: int,
    unit: OffsetUnit = OffsetUnit.CODEPOINT,
) -> list[asyncpg.Record]:
    """One page of hits, best first (rank, then id, both descending), after the keyset `after`: each row the
    claim's columns (`annotations.to_annotation` reads them, offsets in `unit`), its rank, its article's url,
    title and published_at, and a snippet with MARK_START/MARK_END. Two statements: the query's tsqueries,
    then the page."""
    compiled = await compile_query(connection, tenant_id, query)
    if (query.terms or query.required) and not compiled.ranked and compiled.required is None:
        return []  # only stop words: like websearch_to_tsquery, a query that matches nothing
    parameters = _Parameters(tenant_id)
    source, rank = _hits(compiled, where, parameters)
    if not compiled.ranked and compiled.required is None:  # no q: newest id first, on the primary key
        keyset = f" AND a.id < {parameters(after[1], 'uuid')}" if after else ""
        page = f"SELECT a.id, a.article_id, 0::float8 AS rank {source}{keyset} ORDER BY a.id DESC"
    else:
        keyset = ""
        if after:
            keyset = f" WHERE (rank, id) < ({parameters(after[0], 'float8')}, {parameters(after[1], 'uuid')})"
        hits = f"SELECT a.id, a.article_id, {rank} AS rank {source}"
        page = f"SELECT * FROM ({hits}) hits{keyset} ORDER BY rank DESC, id DESC"
    annotation = annotation_store.select_annotations(unit, ", search_config")
    rows: list[asyncpg.Record] = await connection.fetch(
        f"""SELECT an.*, h.rank, ar.url, ar.title, ar.published_at, {_headline(compiled, parameters)} AS snippet
        FROM ({page} LIMIT {parameters(limit, "int")}) h
        CROSS JOIN LATERAL ({annotation} WHERE tenant_id = $1 AND id = h.id) an
        JOIN articles ar ON ar.tenant_id = $1 AND ar.id = h.article_id
        ORDER BY h.rank DESC, h.id DESC""",
        *parameters.values,
    )
    return rows


async def fetch_candidates(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    query: SearchQuery,
    where: ClaimFilter,
    limit: int,
) -> list[asyncpg.Record]:
    """The `limit` best claims for `query` with the texts a rerank needs: claims that share two of its terms
    (one when it has only one), ranked like a search."""
    compiled = distinctive(await compile_query(connection, tenant_id, query))
    if not compiled.ranked:
        return []
    parameters = _Parameters(tenant_id)
    source, rank = _hits(compiled, where, parameters, at_least_two=True)
    rows: list[asyncpg.Record] = await connection.fetch(
        f"""SELECT h.id, h.rank, coalesce(an.statement, an.quote) AS statement, an.claimant, an.verdict,
               ar.id AS article_id, ar.url, ar.title, ar.published_at
        FROM (SELECT a.id, a.article_id, {rank} AS rank {source}
              ORDER BY rank DESC, a.id DESC LIMIT {parameters(limit, "int")}) h
        JOIN annotations an ON an.tenant_id = $1 AND an.id = h.id
        JOIN articles ar ON ar.tenant_id = $1 AND ar.id = h.article_id
        ORDER BY h.rank DESC, h.id DESC""",
        *parameters.values,
    )
    return rows


async def fetch_claim_text(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, claim_id: uuid.UUID
) -> asyncpg.Record | None:
    """A claim's statement (its quote when it has none), claimant and article, or None if no such claim."""
    return await connection.fetchrow(
        """SELECT id, article_id, coalesce(statement, quote) AS statement, claimant, claim_figures
           FROM annotations WHERE tenant_id = $1 AND id = $2 AND kind = 'claim'""",
        tenant_id,
        claim_id,
    )


async def fetch_existing_claims(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], lock: bool = False
) -> set[uuid.UUID]:
    """Which of `ids` are claims of the tenant (row-locked with `lock`, in id order)."""
    rows = await connection.fetch(
        "SELECT id FROM annotations WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND kind = 'claim' ORDER BY id"
        + (" FOR SHARE" if lock else ""),
        tenant_id,
        list(ids),
    )
    return {row["id"] for row in rows}


async def insert_link(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, a: uuid.UUID, b: uuid.UUID, key_id: str
) -> bool:
    """Link two claims as the same; False if they already were."""
    low, high = sorted((a, b))
    status: str = await connection.execute(
        """INSERT INTO claim_links (tenant_id, claim_id, other_id, created_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        tenant_id,
        low,
        high,
        key_id,
    )
    return status.endswith(" 1")


async def delete_link(connection: asyncpg.Connection, tenant_id: uuid.UUID, a: uuid.UUID, b: uuid.UUID) -> bool:
    """Remove the link between two claims; False if there was none."""
    low, high = sorted((a, b))
    status: str = await connection.execute(
        "DELETE FROM claim_links WHERE tenant_id = $1 AND claim_id = $2 AND other_id = $3", tenant_id, low, high
    )
    return status.endswith(" 1")


# The claims reachable from each of $2 through links: UNION drops a (origin, claim) pair already found, so the
# walk visits each link of a group at most twice per origin and ends; cost linear in the group's links.
_GROUPS = """WITH RECURSIVE grouped(origin, id) AS (
    SELECT o, o FROM unnest($2::uuid[]) AS o
    UNION
    SELECT g.origin, CASE WHEN l.claim_id = g.id THEN l.other_id ELSE l.claim_id END
    FROM grouped g JOIN claim_links l ON l.tenant_id = $1 AND (l.claim_id = g.id OR l.other_id = g.id)
)"""


async def fetch_group_ids(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, claim_id: uuid.UUID
) -> list[uuid.UUID]:
    """The claim and every claim linked to it directly or through others (at most MAX_GROUP), by id."""
    rows = await connection.fetch(
        f"{_GROUPS} SELECT id FROM grouped ORDER BY id LIMIT $3", tenant_id, [claim_id], MAX_GROUP
    )
    return [row["id"] for row in rows]


async def fetch_group_members(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, claim_id: uuid.UUID
) -> list[asyncpg.Record]:
    """The group of a claim with what a listing and a suggested verdict need: each claim's verdict and review,
    and its article, in article publication order (unknown last), then id."""
    rows: list[asyncpg.Record] = await connection.fetch(
        f"""{_GROUPS}
        SELECT an.id, coalesce(an.statement, an.quote) AS statement, an.claimant, an.verdict, an.review_url,
               an.reviewed_at, an.needs_review, an.updated_at,
               ar.id AS article_id, ar.url, ar.title, ar.publisher, ar.published_at
        FROM (SELECT id FROM grouped ORDER BY id LIMIT $3) g
        JOIN annotations an ON an.tenant_id = $1 AND an.id = g.id
        JOIN articles ar ON ar.tenant_id = $1 AND ar.id = an.article_id
        WHERE an.kind = 'claim'
        ORDER BY ar.published_at NULLS LAST, an.id""",
        tenant_id,
        [claim_id],
        MAX_GROUP,
    )
    return rows


async def fetch_group_reviews(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, claim_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """For each of `claim_ids`, the reviewed claims of its group other than itself (verdict, review_url,
    reviewed_at, updated_at, article_id); a verdict waiting for review after an edit of its words is left out."""
    if not claim_ids:
        return {}
    rows = await connection.fetch(
        _GROUPS
        + """
           SELECT DISTINCT g.origin, an.id, an.verdict, an.review_url, an.reviewed_at, an.updated_at, an.article_id
           FROM grouped g JOIN annotations an ON an.tenant_id = $1 AND an.id = g.id
           WHERE g.id <> g.origin AND an.verdict <> 'unverified' AND NOT an.needs_review""",
        tenant_id,
        list(claim_ids),
    )
    out: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for row in rows:
        out.setdefault(row["origin"], []).append(row)
    return out


async def fetch_group_articles(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, claim_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """For each of `claim_ids`, the articles of the other claims of its group (id, url, title, publisher,
    published_at), each once, in publication order."""
    if not claim_ids:
        return {}
    rows = await connection.fetch(
        _GROUPS
        + """
           SELECT DISTINCT g.origin, ar.id, ar.url, ar.title, ar.publisher, ar.published_at
           FROM grouped g
           JOIN annotations an ON an.tenant_id = $1 AND an.id = g.id
           JOIN articles ar ON ar.tenant_id = $1 AND ar.id = an.article_id
           WHERE g.id <> g.origin
           ORDER BY g.origin, ar.published_at NULLS LAST, ar.id""",
        tenant_id,
        list(claim_ids),
    )
    out: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for row in rows:
        out.setdefault(row["origin"], []).append(row)
    return out
