"""/v1/articles: create, read, look up by URL, list, change metadata, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.api.auth import CurrentPrincipal
from service.api.http import (
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    LimitParam,
    OffsetUnitParam,
    Pool,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag,
    given_fields,
    parse_include,
    problem_responses,
)
from service.api.idempotency import Idempotency, IdempotencyKeyHeader, fingerprint
from service.api.writes import create_annotations
from service.domain.claimreview import Appearance, claim_reviews
from service.domain.offsets import OffsetMap
from service.domain.storable import ensure_storable
from service.domain.urls import canonical_url
from service.errors import NotFound
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


def _canonical_urls(url: str, alternates: list[str]) -> tuple[str, list[str]]:
    """The canonical URL and the distinct canonical forms of every URL, naming a bad one by its pointer."""
    primary = canonical_url(url, "/url")
    every = [primary] + [canonical_url(alt, f"/alternate_urls/{i}") for i, alt in enumerate(alternates)]
    return primary, list(dict.fromkeys(every))


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
        responses=problem_responses(409, 413),
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
        offset_unit: OffsetUnitParam = "codepoint",
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[Article]:
        ensure_storable(data)
        canonical, every_url = _canonical_urls(data.url, data.alternate_urls)
        length_utf16 = OffsetMap(data.text).length_utf16
        article_id = uuid.uuid4()
        metadata = {
            "url": data.url,
            "canonical_url": canonical,
            "alternate_urls": data.alternate_urls,
            "title": data.title,
            "publisher": data.publisher,
            "language": data.language,
            "published_at": data.published_at,
        }
        request_fingerprint = await fingerprint(request)
        async with pool.acquire() as connection, connection.transaction():
            idempotency = Idempotency(
                connection, principal.tenant_id, idempotency_key, request_fingerprint, settings.idempotency_ttl_seconds
            )
            if replay := await idempotency.replay():
                return replay
            now = await article_store.insert_article(
                connection, principal.tenant_id, article_id, metadata, data.text, length_utf16
            )
            await article_store.claim_urls(connection, principal.tenant_id, article_id, every_url)
            text = article_store.ArticleText(article_id, 1, 1, data.text, now, data.url)
            await create_annotations(
                connection, principal.tenant_id, text, data.annotations, offset_unit, "/annotations"
            )
            article = await article_store.fetch_article(
                connection, principal.tenant_id, article_id, offset_unit, with_text=True, with_annotations=True
            )
            assert article is not None
            headers = {"ETag": etag(article.version), "Location": f"/v1/articles/{article.id}"}
            return await idempotency.answer(article, 201, headers)

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
        offset_unit: OffsetUnitParam = "codepoint",
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
        offset_unit: OffsetUnitParam = "codepoint",
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
        responses=problem_responses(404, 409, 412),
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
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Response[Article]:
        ensure_storable(data)
        changes = given_fields(data)
        async with pool.acquire() as connection, connection.transaction():
            current = await article_store.lock_article_metadata(connection, principal.tenant_id, article_id)
            if current is None:
                raise NotFound(f"no article {article_id}")
            check_if_match(if_match, current["version"])
            if "url" in changes or "alternate_urls" in changes:
                url = changes.get("url", current["url"])
                alternates = changes.get("alternate_urls", list(current["alternate_urls"]))
                changes["canonical_url"], every_url = _canonical_urls(url, alternates)
                await article_store.claim_urls(connection, principal.tenant_id, article_id, every_url)
            await article_store.update_article(connection, principal.tenant_id, article_id, changes)
            article = await article_store.fetch_article(connection, principal.tenant_id, article_id, offset_unit, True)
            assert article is not None
        return _article_response(article)

    @get(
        "/{article_id:uuid}/claimreview",
        operation_id="getClaimReviews",
        responses=problem_responses(404),
        summary="schema.org ClaimReview JSON-LD for the article's reviewed claims",
    )
    async def claim_reviews(self, article_id: Id, principal: CurrentPrincipal, pool: Pool) -> ClaimReviews:
        article = await article_store.fetch_article(pool, principal.tenant_id, article_id, "codepoint", False)
        if article is None:
            raise NotFound(f"no article {article_id}")
        annotations = await annotation_store.fetch_annotations_of_article(
            pool, principal.tenant_id, article_id, "codepoint"
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
        async with pool.acquire() as connection, connection.transaction():
            current = await article_store.lock_article_metadata(connection, principal.tenant_id, article_id)
            if current is None:
                raise NotFound(f"no article {article_id}")
            check_if_match(if_match, current["version"])
            await article_store.delete_article(connection, principal.tenant_id, article_id)
