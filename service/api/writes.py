"""Creating annotations on an article, shared by article creation and the annotations endpoint:
locate every span, check ids and links, then store the whole batch or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from service.api.compute import Compute
from service.domain.kinds import KIND_OF, annotation_columns, check_links, link_of
from service.domain.offsets import OffsetUnit
from service.domain.spans import resolve_spans
from service.errors import Conflict, InvalidInput
from service.store import annotations as annotation_store
from service.store.articles import ArticleText
from service.wire import AnnotationInput, ClaimInput


async def create_annotations(
    connection: asyncpg.Connection,
    tenant_id: uuid.UUID,
    article: ArticleText,
    items: Sequence[AnnotationInput],
    unit: OffsetUnit,
    pointer_base: str | None,
    compute: Compute,
) -> list[uuid.UUID]:
    """Insert `items` on `article` (locked by the caller's transaction); return their ids in order.

    `pointer_base` is the JSON pointer of the items' array in the request, None for one item at the root.
    """
    pointers = [f"{pointer_base}/{index}" if pointer_base is not None else "" for index in range(len(items))]
    _, spans = await compute.run(resolve_spans, article.text, items, unit, pointers)
    rows = []
    ids: list[uuid.UUID] = []
    seen: dict[uuid.UUID, str] = {}
    for pointer, item, span in zip(pointers, items, spans):
        annotation_id = item.id or uuid.uuid4()
        if annotation_id in seen:
            raise InvalidInput(f"{pointer}/id", f"the same id is already used at {seen[annotation_id]}")
        seen[annotation_id] = pointer
        ids.append(annotation_id)
        columns = annotation_columns(
            item,
            span,
            annotation_id=annotation_id,
            revision=article.revision,
            now=article.now,
            pointer=pointer,
        )
        columns["tenant_id"], columns["article_id"] = tenant_id, article.article_id
        rows.append(columns)

    chosen = [item.id for item in items if item.id is not None]
    if chosen and (taken := await annotation_store.fetch_existing_ids(connection, tenant_id, chosen)):
        raise Conflict(
            f"annotation id {sorted(map(str, taken))[0]} already exists", existing_ids=sorted(map(str, taken))
        )

    links = [(pointer, KIND_OF[type(item)], link_of(item)) for pointer, item in zip(pointers, items)]
    linked = {link for _, _, link in links if link is not None}
    batch_claims = {annotation_id for annotation_id, item in zip(ids, items) if isinstance(item, ClaimInput)}
    if outside := linked - batch_claims:
        batch_claims |= await annotation_store.fetch_claim_ids(connection, tenant_id, article.article_id, list(outside))
    check_links(links, batch_claims)

    await annotation_store.insert_annotations(connection, rows)
    return ids
