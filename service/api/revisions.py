"""Article text revisions: replace the text (re-anchoring every annotation in the same transaction) and read
every earlier text whole."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Controller, Response, get, put
from litestar.params import JSONBody, PathParameter

from service.api.auth import CurrentPrincipal
from service.api.compute import CurrentCompute
from service.api.http import Id, IfMatchHeader, OffsetUnitParam, Pool, check_if_match, etag, problem_responses
from service.domain.budget import Budget
from service.domain.reanchoring import Relocation, StoredAnchor, reanchor
from service.domain.spans import IndexedText
from service.domain.storable import ensure_storable
from service.errors import NotFound
from service.store import annotations as annotation_store
from service.store import articles as article_store
from service.store.annotations import StoredPosition
from service.wire import AnchorCounts, Revision, RevisionList, RevisionReport, TextInput


def _relocate(
    texts: dict[int, str], new_text: str, positions: Sequence[StoredPosition], *, budget: Budget
) -> tuple[dict[uuid.UUID, Relocation], IndexedText]:
    """Re-anchor every position against `new_text`, each from the text of the revision it last matched; and the
    new text indexed. Runs on a worker thread (one alignment per revision, bounded: docs/anchoring.md)."""
    by_revision: dict[int, list[StoredPosition]] = defaultdict(list)
    for position in positions:
        by_revision[position.revision].append(position)
    relocations: dict[uuid.UUID, Relocation] = {}
    for revision, group in by_revision.items():
        anchors = [StoredAnchor(p.id, p.start, p.end, p.quote, p.prefix, p.suffix) for p in group]
        relocated = reanchor(texts[revision], new_text, anchors, budget=budget)
        for position, relocation in zip(group, relocated, strict=True):
            relocations[position.id] = relocation
    return relocations, IndexedText(new_text)


def _position_row(position: StoredPosition, relocation: Relocation, doc: IndexedText, revision: int) -> tuple[Any, ...]:
    """(id, *POSITION_COLUMNS) after re-anchoring; an orphan keeps its last offsets and their revision."""
    if relocation.status == "orphaned":  # None keeps the stored value
        return (position.id, None, None, None, None, None, None, None, "orphaned", position.revision, 0.0)
    span = doc.span(relocation.start, relocation.end)
    return (
        position.id, span.start, span.end, span.start_utf16, span.end_utf16, span.quote, span.prefix, span.suffix,
        "anchored" if relocation.status == "anchored" else "relocated", revision, relocation.confidence,
    )  # fmt: skip


def _outcome(relocation: Relocation) -> str:
    if relocation.status == "relocated" and relocation.approximate:
        return "relocated_approximately"
    return relocation.status


class RevisionController(Controller):
    path = "/articles/{article_id:uuid}"
    tags = ["revisions"]

    @put(
        "/text",
        operation_id="replaceArticleText",
        responses=problem_responses(404, 412, 413),
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
        tenant_id = principal.tenant_id
        async with pool.acquire() as connection, connection.transaction():
            current = await article_store.lock_article_text(connection, tenant_id, article_id, exclusive=True)
            if current is None:
                raise NotFound(f"no article {article_id}")
            check_if_match(if_match, current.version)
            positions = await annotation_store.lock_positions(connection, tenant_id, article_id)
            if data.text == current.text:  # a retried PUT: nothing moves, no new revision
                report = _unchanged_report(article_id, current.revision, current.version, positions)
                return Response(report, headers={"ETag": etag(current.version)})
            revision = current.revision + 1
            texts = {current.revision: current.text}
            older = {p.revision for p in positions} - texts.keys()
            texts |= await article_store.fetch_revision_texts(connection, tenant_id, article_id, sorted(older))
            relocations, doc = await compute.run(_relocate, texts, data.text, positions, location="/text")
            await annotation_store.record_history(connection, tenant_id, article_id, current.revision)
            rows = [_position_row(p, relocations[p.id], doc, revision) for p in positions]
            await annotation_store.update_positions(connection, tenant_id, rows, current.now)
            version = await article_store.insert_revision(
                connection, tenant_id, article_id, revision, data.text, doc.offsets.length_utf16
            )
        outcomes = Counter(_outcome(r) for r in relocations.values())
        report = RevisionReport(
            article_id=article_id,
            revision=revision,
            version=version,
            counts=AnchorCounts(
                anchored=outcomes["anchored"],
                relocated=outcomes["relocated"],
                relocated_approximately=outcomes["relocated_approximately"],
                orphaned=outcomes["orphaned"],
            ),
            orphaned_ids=[p.id for p in positions if relocations[p.id].status == "orphaned"],
            approximate_ids=[p.id for p in positions if _outcome(relocations[p.id]) == "relocated_approximately"],
        )
        return Response(report, headers={"ETag": etag(version)})

    @get("/revisions", operation_id="listRevisions", responses=problem_responses(404),
         summary="Every revision of the article's text, oldest first, each whole")  # fmt: skip
    async def list_revisions(
        self, article_id: Id, principal: CurrentPrincipal, pool: Pool, offset_unit: OffsetUnitParam = "codepoint"
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
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Revision:
        items = await article_store.fetch_revisions(pool, principal.tenant_id, article_id, offset_unit, revision)
        if not items:
            raise NotFound(f"no revision {revision} of article {article_id}")
        return items[0]


def _unchanged_report(
    article_id: uuid.UUID, revision: int, version: int, positions: Sequence[StoredPosition]
) -> RevisionReport:
    orphaned = [p.id for p in positions if p.status == "orphaned"]
    return RevisionReport(
        article_id=article_id,
        revision=revision,
        version=version,
        counts=AnchorCounts(
            anchored=len(positions) - len(orphaned), relocated=0, relocated_approximately=0, orphaned=len(orphaned)
        ),
        orphaned_ids=orphaned,
        approximate_ids=[],
    )
