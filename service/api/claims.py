"""Claims across a tenant's articles: search, matches of one claim, and groups of claims confirmed the same,
whose verdicts are offered to each other (docs/claims.md)."""

from __future__ import annotations

import hashlib
import html
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import anyio
import asyncpg
from litestar import Controller, delete, get, post
from litestar.params import JSONBody, QueryParameter

from service.api.auth import CurrentPrincipal, Principal
from service.api.http import CursorParam, Id, OffsetUnitParam, Pool, decode_cursor, encode_cursor, problem_responses
from service.domain.claims.candidates import MAX_CANDIDATES, candidate_query, rerank
from service.domain.claims.matching import MATCH_THRESHOLD, SUGGEST_THRESHOLD, MatchScore, Reason
from service.domain.claims.query import parse_query
from service.domain.offsets import OffsetUnit
from service.errors import InvalidInput, NotFound
from service.operations import claims as claim_operations
from service.store import annotations as annotation_store
from service.store import claims as claim_store
from service.wire import (
    ArticleRef,
    Claim,
    ClaimGroup,
    ClaimHit,
    ClaimHitPage,
    ClaimMatch,
    ClaimMatches,
    GroupMember,
    MatchReason,
    SameAsInput,
    SuggestedVerdict,
    Verdict,
)

QueryText = Annotated[
    str | None,
    QueryParameter(
        max_length=1000,
        description='Words to look for, in web search syntax: `"a phrase"` must occur (`"a" or "b"`: either), '
        "`-word` must not; plain words and numbers rank (claims with more of them first), and a number matches "
        "a claim's figures however written (`12,000`, `12k`, `twelve thousand`). Empty: every claim, newest id first.",
    ),
]
SearchLimit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size, at most 100.")]
MatchLimit = Annotated[int, QueryParameter(ge=1, le=50, description="At most this many matches, at most 50.")]
# A string, not a datetime: Litestar would also take a bare number ("0.5") as a timestamp.
AwareDatetimeParam = Annotated[
    str | None,
    QueryParameter(
        format="date-time",
        pattern=r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})$",
        max_length=40,
        description="RFC 3339 date-time with a time zone; compared to the article's published_at.",
    ),
]


def _article(row: asyncpg.Record) -> ArticleRef:
    return ArticleRef(id=row["article_id"], url=row["url"], title=row["title"], published_at=row["published_at"])


def _snippet(text: str) -> str:
    """ts_headline output made safe to show as HTML: everything escaped, the marked words in <mark>."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(claim_store.MARK_START, "<mark>").replace(claim_store.MARK_END, "</mark>")


def _suggestion(reviews: Sequence[asyncpg.Record]) -> SuggestedVerdict | None:
    """The most recent review among a group's other reviewed claims, with the verdicts that disagree with it."""
    if not reviews:
        return None
    latest = max(reviews, key=lambda r: (r["reviewed_at"] is not None, r["reviewed_at"] or r["updated_at"], r["id"]))
    others = sorted({r["verdict"] for r in reviews} - {latest["verdict"]})
    return SuggestedVerdict(
        verdict=latest["verdict"],
        claim_id=latest["id"],
        article_id=latest["article_id"],
        review_url=latest["review_url"],
        reviewed_at=latest["reviewed_at"],
        other_verdicts=others,
    )


async def _suggestions(
    pool: asyncpg.Pool, principal: Principal, unverified: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SuggestedVerdict]:
    reviews = await claim_store.fetch_group_reviews(pool, principal.tenant_id, unverified)
    return {claim_id: s for claim_id, rows in reviews.items() if (s := _suggestion(rows)) is not None}


def _aware(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError as exc:
        raise InvalidInput(name, "not an RFC 3339 date-time (e.g. 2024-05-01T00:00:00Z)", actual=value) from exc
    if moment.tzinfo is None:
        raise InvalidInput(name, "give a time zone (e.g. 2024-05-01T00:00:00Z)", actual=value)
    return moment


def _query_digest(*parts: object) -> str:
    """Ties a cursor to the search it came from."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class ClaimController(Controller):
    path = "/claims"
    tags = ["claims"]

    @get(
        "/",
        operation_id="searchClaims",
        responses=problem_responses(),
        summary="Search the tenant's claims across all its articles",
    )
    async def search(
        self,
        principal: CurrentPrincipal,
        pool: Pool,
        q: QueryText = None,
        verdict: Annotated[
            list[Verdict] | None, QueryParameter(description="Only these verdicts (repeatable).")
        ] = None,
        reviewed: Annotated[
            bool | None, QueryParameter(description="Only claims with (true) or without (false) a verdict.")
        ] = None,
        claimant: Annotated[
            str | None,
            QueryParameter(max_length=500, description="Only claims by this claimant (case-insensitive)."),
        ] = None,
        published_after: AwareDatetimeParam = None,
        published_before: AwareDatetimeParam = None,
        article_id: Annotated[uuid.UUID | None, QueryParameter(description="Only claims of this article.")] = None,
        cursor: CursorParam = None,
        limit: SearchLimit = 20,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> ClaimHitPage:
        query = parse_query(q or "")
        where = claim_store.ClaimFilter(
            verdicts=verdict or (),
            reviewed=reviewed,
            claimant=claimant.replace("\x00", "") if claimant else None,
            published_after=_aware("published_after", published_after),
            published_before=_aware("published_before", published_before),
            article_id=article_id,
        )
        digest = _query_digest(query, where)
        after = None
        if cursor:
            rank, last_id, cursor_digest = decode_cursor(cursor, tuple[float, uuid.UUID, str])
            if cursor_digest != digest:
                raise InvalidInput("cursor", "the cursor belongs to another search (q or a filter changed)")
            after = (rank, last_id)
        rows = await claim_store.search_claims(pool, principal.tenant_id, query, where, after, limit + 1, offset_unit)
        more, rows = len(rows) > limit, rows[:limit]
        claims = [annotation_store.to_annotation(row) for row in rows]
        unverified = [claim.id for claim in claims if isinstance(claim, Claim) and claim.verdict == "unverified"]
        suggestions = await _suggestions(pool, principal, unverified)
        items = [
            ClaimHit(
                claim=claim,
                article=_article(row),
                snippet=_snippet(row["snippet"]),
                rank=row["rank"],
                suggested_verdict=suggestions.get(claim.id),
            )
            for row, claim in zip(rows, claims)
            if isinstance(claim, Claim)
        ]
        next_cursor = encode_cursor([rows[-1]["rank"], str(rows[-1]["id"]), digest]) if more else None
        return ClaimHitPage(items=items, next_cursor=next_cursor)

    @post(
        "/{claim_id:uuid}/same-as",
        operation_id="linkSameClaim",
        responses=problem_responses(404),
        opt={"scope": "write"},
        status_code=200,
        summary="Confirm that another claim states the same thing; answers the (transitive) group",
    )
    async def link(
        self, claim_id: Id, data: JSONBody[SameAsInput], principal: CurrentPrincipal, pool: Pool
    ) -> ClaimGroup:
        await claim_operations.link_same_claims(pool, principal.tenant_id, claim_id, data.claim_id, principal.key_id)
        return await _group(pool, principal, claim_id)

    @delete(
        "/{claim_id:uuid}/same-as/{other_id:uuid}",
        operation_id="unlinkSameClaim",
        responses=problem_responses(404),
        opt={"scope": "write"},
        status_code=204,
        summary="Undo a confirmation: the two claims are no longer linked (they stay grouped if others link them)",
    )
    async def unlink(self, claim_id: Id, other_id: Id, principal: CurrentPrincipal, pool: Pool) -> None:
        await claim_operations.unlink_same_claims(pool, principal.tenant_id, claim_id, other_id)

    @get(
        "/{claim_id:uuid}/group",
        operation_id="getClaimGroup",
        responses=problem_responses(404),
        summary="The claims confirmed to state the same thing as this one, with verdicts suggested across them",
    )
    async def group(self, claim_id: Id, principal: CurrentPrincipal, pool: Pool) -> ClaimGroup:
        return await _group(pool, principal, claim_id)


async def _group(pool: asyncpg.Pool, principal: Principal, claim_id: uuid.UUID) -> ClaimGroup:
    rows = await claim_store.fetch_group_members(pool, principal.tenant_id, claim_id)
    if not rows:
        raise NotFound(f"no claim {claim_id}")
    reviewed = [row for row in rows if row["verdict"] != "unverified" and not row["needs_review"]]
    items = []
    for row in rows:
        others = [r for r in reviewed if r["id"] != row["id"]]
        items.append(
            GroupMember(
                claim_id=row["id"],
                statement=row["statement"],
                claimant=row["claimant"],
                verdict=row["verdict"],
                review_url=row["review_url"],
                reviewed_at=row["reviewed_at"],
                article=_article(row),
                suggested_verdict=_suggestion(others) if row["verdict"] == "unverified" else None,
            )
        )
    return ClaimGroup(claim_id=claim_id, items=items)


class ClaimMatchesController(Controller):
    path = "/annotations"
    tags = ["claims"]

    @get(
        "/{claim_id:uuid}/matches",
        operation_id="getClaimMatches",
        responses=problem_responses(404),
        summary="Claims in the tenant's other articles that state the same thing, best first, with reasons",
    )
    async def matches(
        self, claim_id: Id, principal: CurrentPrincipal, pool: Pool, limit: MatchLimit = 10
    ) -> ClaimMatches:
        source = await claim_store.fetch_claim_text(pool, principal.tenant_id, claim_id)
        if source is None:
            raise NotFound(f"no claim {claim_id}")
        query = candidate_query(source["statement"])
        where = claim_store.ClaimFilter(other_than_article=source["article_id"])
        rows = await claim_store.fetch_candidates(pool, principal.tenant_id, query, where, MAX_CANDIDATES)
        by_id = {row["id"]: row for row in rows}
        texts = [(row["id"], row["statement"]) for row in rows]
        ranked: list[tuple[uuid.UUID, MatchScore]] = await anyio.to_thread.run_sync(
            rerank, source["statement"], texts, limit
        )
        group = set(await claim_store.fetch_group_ids(pool, principal.tenant_id, claim_id))
        unverified = [key for key, _ in ranked if by_id[key]["verdict"] == "unverified"]
        suggestions = await _suggestions(pool, principal, unverified)
        items = [
            ClaimMatch(
                claim_id=key,
                statement=by_id[key]["statement"],
                claimant=by_id[key]["claimant"],
                verdict=by_id[key]["verdict"],
                article=_article(by_id[key]),
                score=result.score,
                level=result.level or "suggest",
                reasons=[_reason(reason) for reason in result.reasons],
                same_group=key in group,
                suggested_verdict=suggestions.get(key),
            )
            for key, result in ranked
        ]
        return ClaimMatches(
            claim_id=claim_id, items=items, match_threshold=MATCH_THRESHOLD, suggest_threshold=SUGGEST_THRESHOLD
        )


def _reason(reason: Reason) -> MatchReason:
    return MatchReason(kind=reason.kind, detail=reason.detail, points=reason.points, factor=reason.factor)
