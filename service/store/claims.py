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

# Most claims a group listing returns.
MAX_GROUP = 1000
# Private-use characters that mark highlighted words in ts_headline output (escaped and turned into <mark>).
MARK_START, MARK_END = "\ue000", "\ue001"
# Separates a word from its synonyms in one query parameter (parse_query drops control characters from `q`).
ALTERNATIVES = "\x1f"

# The text search configurations the tenant's claims use (a loose index scan on annotations_claim_configs, one
# probe per configuration) and, for each, the query's tsqueries in that configuration.
_QUERIES = """WITH RECURSIVE configs AS (
    (SELECT search_config AS config FROM annotations
     WHERE tenant_id = $1 AND kind = 'claim' ORDER BY search_config LIMIT 1)
    UNION ALL
    SELECT (SELECT a.search_config FROM annotations a WHERE a.tenant_id = $1 AND a.kind = 'claim'
            AND a.search_config > c.config ORDER BY a.search_config LIMIT 1)
    FROM configs c WHERE c.config IS NOT NULL
),
parsed AS (
    SELECT c.config, factmark_regconfig(c.config) AS cfg FROM configs c WHERE c.config IS NOT NULL
),
queries AS (
    SELECT p.config, p.cfg, w.word_queries,
        (SELECT factmark_tsquery_or(x) FROM unnest(w.word_queries) AS x WHERE numnode(x) > 0) AS any_word,
        (SELECT factmark_tsquery_and(g) FROM (
            SELECT factmark_tsquery_or(x) AS g FROM (
                SELECT t.grp, phraseto_tsquery(p.cfg, t.phrase) AS x
                FROM unnest($4::text[], $5::int[]) AS t(phrase, grp)
            ) s WHERE numnode(x) > 0 GROUP BY s.grp) groups) AS required,
        (SELECT factmark_tsquery_or(x) FROM (SELECT phraseto_tsquery(p.cfg, e) AS x FROM unnest($6::text[]) AS e) s
         WHERE numnode(x) > 0) AS excluded
    FROM parsed p CROSS JOIN LATERAL (
        -- Each word with its synonyms (separated by U+001F) as one OR; NULL for a number.
        SELECT ARRAY(
            SELECT (SELECT factmark_tsquery_or(x) FROM (
                        SELECT plainto_tsquery(p.cfg, alternative) AS x
                        FROM unnest(string_to_array(t.w, E'\\x1f')) AS alternative) s WHERE numnode(x) > 0)
            FROM unnest($2::text[]) WITH ORDINALITY AS t(w, i) ORDER BY t.i) AS word_queries
    ) w
)"""

# Candidate claims: at least one word or figure when the query has any, every required group, no excluded phrase.
_HITS = """,
hits AS (
    SELECT a.id, a.article_id, q.cfg, coalesce(q.any_word, q.required) AS shown,
        (SELECT count(*) FROM unnest(q.word_queries, $3::float8[]) AS t(wq, v)
         WHERE coalesce(a.claim_document @@ t.wq, false) OR coalesce(t.v = ANY(a.claim_figures), false))::float8
        + coalesce(ts_rank_cd(a.claim_document, coalesce(q.any_word, q.required), 32), 0)::float8 AS rank
    FROM queries q
    JOIN annotations a ON a.tenant_id = $1 AND a.kind = 'claim' AND a.search_config = q.config
    JOIN articles ar ON ar.tenant_id = a.tenant_id AND ar.id = a.article_id
    WHERE (cardinality($2::text[]) = 0
           OR coalesce(a.claim_document @@ q.any_word, false) OR a.claim_figures && $7::float8[])
      AND (q.required IS NULL OR a.claim_document @@ q.required)
      AND (q.excluded IS NULL OR NOT a.claim_document @@ q.excluded)
      AND ($8::text[] IS NULL OR a.verdict = ANY($8))
      AND ($9::bool IS NULL OR (a.verdict <> 'unverified') = $9)
      AND ($10::text IS NULL OR lower(a.claimant) = lower($10))
      AND ($11::timestamptz IS NULL OR ar.published_at >= $11)
      AND ($12::timestamptz IS NULL OR ar.published_at < $12)
      AND ($13::uuid IS NULL OR a.article_id = $13)
      AND ($14::uuid IS NULL OR a.article_id <> $14)
)"""

_SEARCH_PAGE = (
    _QUERIES
    + _HITS
    + f"""
SELECT h.id, h.rank, ar.id AS article_id, ar.url, ar.title, ar.published_at,
    coalesce(ts_headline(h.cfg, translate(left(coalesce(an.statement, an.quote), 10000), '{MARK_START}{MARK_END}', ''),
                         h.shown, 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, '
                         'MaxFragments=2, FragmentDelimiter=" … "'),
             left(coalesce(an.statement, an.quote), 300)) AS snippet
FROM (SELECT id, article_id, cfg, shown, rank FROM hits
      WHERE $15::float8 IS NULL OR (rank, id) < ($15, $16)
      ORDER BY rank DESC, id DESC LIMIT $17) h
JOIN annotations an ON an.tenant_id = $1 AND an.id = h.id
JOIN articles ar ON ar.tenant_id = $1 AND ar.id = h.article_id
ORDER BY h.rank DESC, h.id DESC"""
)

_CANDIDATES = (
    _QUERIES
    + _HITS
    + """
SELECT h.id, h.rank, coalesce(an.statement, an.quote) AS statement, an.claimant, an.verdict, an.review_url,
    an.reviewed_at, ar.id AS article_id, ar.url, ar.title, ar.published_at
FROM (SELECT id, article_id, rank FROM hits ORDER BY rank DESC, id DESC LIMIT $15) h
JOIN annotations an ON an.tenant_id = $1 AND an.id = h.id
JOIN articles ar ON ar.tenant_id = $1 AND ar.id = h.article_id
ORDER BY h.rank DESC, h.id DESC"""
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


def _arguments(tenant_id: uuid.UUID, query: SearchQuery, where: ClaimFilter) -> list[Any]:
    """$1-$14: tenant, the query's words ($2, None for a number), their values ($3), required phrases with
    their group ($4, $5), excluded phrases ($6), every value ($7), then the filters."""
    phrases = [(phrase, index) for index, group in enumerate(query.required) for phrase in group]
    return [
        tenant_id,
        [ALTERNATIVES.join((term.text, *term.alternatives)) if term.value is None else None for term in query.terms],
        [term.value for term in query.terms],
        [phrase for phrase, _ in phrases],
        [index for _, index in phrases],
        list(query.excluded),
        [term.value for term in query.terms if term.value is not None],
        list(where.verdicts) or None,
        where.reviewed,
        where.claimant,
        where.published_after,
        where.published_before,
        where.article_id,
        where.other_than_article,
    ]


async def search_claims(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    query: SearchQuery,
    where: ClaimFilter,
    after: tuple[float, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """One page of hits, best first (rank, then id, both descending), after the keyset `after`: each row the
    claim id, rank, its article's id, url, title and published_at, and a snippet with MARK_START/MARK_END."""
    arguments = [*_arguments(tenant_id, query, where), *(after or (None, None)), limit]
    rows: list[asyncpg.Record] = await connection.fetch(_SEARCH_PAGE, *arguments)
    return rows


async def fetch_candidates(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    query: SearchQuery,
    where: ClaimFilter,
    limit: int,
) -> list[asyncpg.Record]:
    """The `limit` best claims for `query` with the texts a rerank needs."""
    rows: list[asyncpg.Record] = await connection.fetch(_CANDIDATES, *_arguments(tenant_id, query, where), limit)
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
