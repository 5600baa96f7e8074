"""/v1/articles: create, read, look up by URL, list, change metadata, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.api.auth import CurrentPrincipal
from service.api.http import (
    CurrentCompute,
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    LimitParam,
    OffsetUnitParam,
    Pool,
    answer_response,
    decode_cursor,
    encode_cursor,
    etag,
    given_fields,
    parse_include,
    problem_responses,
)
from service.api.idempotency import IdempotencyKeyHeader, idempotency_key
from service.domain.claimreview import Appearance, claim_reviews
from service.domain.offsets import OffsetUnit
from service.domain.storable import ensure_storable
from service.domain.urls import canonical_url
from service.errors import NotFound
from service.operations import articles as article_operations
from service.operations.idempotency import Answer
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store import claims as claim_store
from service.wire import (
    Article,
    ArticleInput,
    ArticlePage,
    ArticlePatch,
    Attribution,
    Claim,
    ClaimReviews,
    SkippedClaim,
)

IncludeParam = Annotated[
    str | None,
    QueryParameter(
        description="Comma-separated extras: `annotations` (all of them, in text order), `text`.",
        max_length=100,
        pattern=r"^(annotations|text)(,(annotations|text))*$",
    ),
]


def _article_response(article: Article, status_code: int = 200, location: bool = False) -> Response[Article]:
    headers = {"ETag": etag(article.version)}
    if location:
        headers["Location"] = f"/v1/articles/{article.id}"
    return Response(article, status_code=status_code, headers=headers)


class ArticleController(Controller):
    path = "/articles"
    tags = ["articles"]

    @post(
        "/",
        operation_id="createArticle",
        responses=problem_responses(409, 413, 415),
        opt={"scope": "write"},
        status_code=201,
        summary="Create an article with its text, metadata and optional annotations (one transaction)",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ArticleInput],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        compute: CurrentCompute,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        idempotency_key_header: IdempotencyKeyHeader = None,
    ) -> Response[Article]:
        ensure_storable(data)

        def present(article: Article) -> Answer:
            headers = {"ETag": etag(article.version), "Location": f"/v1/articles/{article.id}"}
            return Answer(msgspec.json.encode(article), 201, headers)

        answer = await article_operations.create_article(
            pool, principal.tenant_id, data, offset_unit, compute=compute,
            idempotency=await idempotency_key(request, idempotency_key_header, settings.idempotency_ttl_seconds),
            present=present,
        )  # fmt: skip
        return answer_response(answer)

    @get(
        "/{article_id:uuid}",
        operation_id="getArticle",
        responses=problem_responses(404),
        summary="Read one article with its text",
    )
    async def read(
        self,
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        include: IncludeParam = None,
    ) -> Response[Article]:
        extras = parse_include(include, frozenset({"annotations", "text"}))
        article = await article_store.fetch_article(
            pool, principal.tenant_id, article_id, offset_unit, with_text=True, with_annotations="annotations" in extras
        )
        if article is None:
            raise NotFound(f"no article {article_id}")
        return _article_response(article)

    @get(
        "/",
        operation_id="listArticles",
        responses=problem_responses(),
        summary="List articles, newest first, or look one up by any of its URLs (`?url=`)",
    )
    async def list_articles(
        self,
        principal: CurrentPrincipal,
        pool: Pool,
        url: Annotated[
            str | None,
            QueryParameter(max_length=2048, description="Find the article known by this URL (any messy copy of it)."),
        ] = None,
        include: IncludeParam = None,
        cursor: CursorParam = None,
        limit: LimitParam = 50,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> ArticlePage:
        extras = parse_include(include, frozenset({"annotations", "text"}))
        with_text = "text" in extras
        canonical = canonical_url(url, "url") if url is not None else None
        after = decode_cursor(cursor, tuple[datetime, uuid.UUID]) if cursor and canonical is None else None
        with_annotations, next_cursor = "annotations" in extras, None
        if canonical is not None:
            found = await article_store.fetch_article_by_url(
                pool, principal.tenant_id, canonical, offset_unit, with_text, with_annotations
            )
            items = [found] if found is not None else []
        else:
            items = await article_store.fetch_articles_page(
                pool, principal.tenant_id, offset_unit, with_text, after, limit, with_annotations
            )
            if len(items) > limit:
                items = items[:limit]
                next_cursor = encode_cursor([items[-1].created_at.isoformat(), str(items[-1].id)])
        return ArticlePage(items=items, next_cursor=next_cursor)

    @patch(
        "/{article_id:uuid}",
        operation_id="updateArticle",
        responses=problem_responses(404, 409, 412, 415),
        opt={"scope": "write"},
        summary="Change metadata and URLs (annotations are untouched)",
    )
    async def update(
        self,
        article_id: Id,
        data: JSONBody[ArticlePatch],
        principal: CurrentPrincipal,
        pool: Pool,
        if_match: IfMatchHeader = None,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> Response[Article]:
        ensure_storable(data)
        article = await article_operations.update_article(
            pool, principal.tenant_id, article_id, given_fields(data), if_match, offset_unit
        )
        return _article_response(article)

    @get(
        "/{article_id:uuid}/claimreview",
        operation_id="getClaimReviews",
        responses=problem_responses(404),
        summary="schema.org ClaimReview JSON-LD for the article's reviewed claims",
    )
    async def claim_reviews(self, article_id: Id, principal: CurrentPrincipal, pool: Pool) -> ClaimReviews:
        article = await article_store.fetch_article(pool, principal.tenant_id, article_id, OffsetUnit.CODEPOINT, False)
        if article is None:
            raise NotFound(f"no article {article_id}")
        annotations = await annotation_store.fetch_annotations_of_article(
            pool, principal.tenant_id, article_id, OffsetUnit.CODEPOINT
        )
        reviewed = [a.id for a in annotations if isinstance(a, Claim) and a.verdict != "unverified"]
        elsewhere = await claim_store.fetch_group_articles(pool, principal.tenant_id, reviewed)
        reviews, skipped = claim_reviews(
            [a for a in annotations if isinstance(a, Claim)],
            [a for a in annotations if isinstance(a, Attribution)],
            article=article,
            organization=principal.organization_name,
            organization_url=principal.organization_url,
            other_appearances={
                claim_id: [
                    Appearance(r["url"], r["title"], r["publisher"], r["published_at"])
                    for r in rows
                    if r["id"] != article_id
                ]
                for claim_id, rows in elsewhere.items()
            },
        )
        return ClaimReviews(reviews=reviews, skipped=[SkippedClaim(**entry) for entry in skipped])

    @delete(
        "/{article_id:uuid}",
        operation_id="deleteArticle",
        responses=problem_responses(404, 412),
        opt={"scope": "write"},
        status_code=204,
        summary="Delete an article with its revisions and annotations",
    )
    async def remove(
        self, article_id: Id, principal: CurrentPrincipal, pool: Pool, if_match: IfMatchHeader = None
    ) -> None:
        await article_operations.delete_article(pool, principal.tenant_id, article_id, if_match)
