"""Article text revisions: replace the text (re-anchoring every annotation in the same transaction) and read
every earlier text whole."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, put
from litestar.params import JSONBody, PathParameter

from service.api.auth import CurrentPrincipal
from service.api.http import CurrentCompute, Id, IfMatchHeader, OffsetUnitParam, Pool, etag, problem_responses
from service.domain.offsets import OffsetUnit
from service.domain.storable import ensure_storable
from service.errors import NotFound
from service.operations import revisions as revision_operations
from service.store import articles as article_store
from service.wire import Revision, RevisionList, RevisionReport, TextInput


class RevisionController(Controller):
    path = "/articles/{article_id:uuid}"
    tags = ["revisions"]

    @put(
        "/text",
        operation_id="replaceArticleText",
        responses=problem_responses(404, 412, 413, 415),
        opt={"scope": "write"},
        summary="Store a new revision of the text and re-anchor every annotation; report what happened to each",
    )
    async def replace_text(
        self,
        article_id: Id,
        data: JSONBody[TextInput],
        principal: CurrentPrincipal,
        pool: Pool,
        compute: CurrentCompute,
        if_match: IfMatchHeader = None,
    ) -> Response[RevisionReport]:
        ensure_storable(data)
        report = await revision_operations.replace_text(
            pool, principal.tenant_id, article_id, data.text, if_match, compute=compute
        )
        return Response(report, headers={"ETag": etag(report.version)})

    @get("/revisions", operation_id="listRevisions", responses=problem_responses(404),
         summary="Every revision of the article's text, oldest first, each whole")  # fmt: skip
    async def list_revisions(
        self,
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> RevisionList:
        items = await article_store.fetch_revisions(pool, principal.tenant_id, article_id, offset_unit)
        if not items:
            raise NotFound(f"no article {article_id}")
        return RevisionList(items=items)

    @get("/revisions/{revision:int}", operation_id="getRevision", responses=problem_responses(404),
         summary="One revision of the article's text")  # fmt: skip
    async def read_revision(
        self,
        article_id: Id,
        revision: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
        principal: CurrentPrincipal,
        pool: Pool,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> Revision:
        items = await article_store.fetch_revisions(pool, principal.tenant_id, article_id, offset_unit, revision)
        if not items:
            raise NotFound(f"no revision {revision} of article {article_id}")
        return items[0]
