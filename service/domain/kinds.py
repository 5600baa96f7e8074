"""The four annotation kinds: what each stores, and which links between them are valid."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from service.domain.spans import Span
from service.domain.urls import check_url
from service.errors import InvalidInput
from service.wire import (
    KIND_FIELDS,
    AnnotationInput,
    AttributionInput,
    ClaimInput,
    DenialInput,
    FigureInput,
    Origin,
    Review,
)

ALL_KIND_FIELDS = frozenset().union(*KIND_FIELDS.values())
# The link field of each kind that may point at a claim.
LINK_FIELDS = {"attribution": "claim_id", "denial": "target_id"}


def span_columns(span: Span) -> dict[str, Any]:
    return {
        "start_cp": span.start,
        "end_cp": span.end,
        "start_utf16": span.start_utf16,
        "end_utf16": span.end_utf16,
        "quote": span.quote,
        "prefix": span.prefix,
        "suffix": span.suffix,
    }


def check_kind_fields(kind: str, fields: dict[str, Any], pointer: str) -> None:
    """Field rules beyond the types: a review URL must be a real http(s) URL."""
    if kind == "claim" and fields.get("review_url") is not None:
        check_url(fields["review_url"], f"{pointer}/review_url")


# Each input class's kind, and the kind columns it leaves empty.
KIND_OF: dict[type[Any], str] = {
    cls: str(cls.__struct_config__.tag) for cls in (ClaimInput, AttributionInput, DenialInput, FigureInput)
}
_OTHER_KIND_COLUMNS = {kind: dict.fromkeys(ALL_KIND_FIELDS - fields) for kind, fields in KIND_FIELDS.items()}
_OWN_FIELDS = {kind: tuple(fields) for kind, fields in KIND_FIELDS.items()}


def annotation_columns(
    item: AnnotationInput, span: Span, *, annotation_id: uuid.UUID, revision: int, now: datetime, pointer: str
) -> dict[str, Any]:
    """Every column of a new annotation's row (store/annotations.py orders them)."""
    kind = KIND_OF[type(item)]
    own = {name: getattr(item, name) for name in _OWN_FIELDS[kind]}
    check_kind_fields(kind, own, pointer)
    return {
        "id": annotation_id, "kind": kind, "start_cp": span.start, "end_cp": span.end,
        "start_utf16": span.start_utf16, "end_utf16": span.end_utf16, "quote": span.quote, "prefix": span.prefix,
        "suffix": span.suffix, "tags": list(item.tags), "note": item.note, "author": item.author, "origin": item.origin,
        "confidence": item.confidence, "anchor_status": "anchored", "anchor_revision": revision,
        "anchor_confidence": 1.0, "anchor_approximate": False,
        "needs_review": False, "previous_quote": None, "created_at": now, "updated_at": now,
        "review": item.review or (Review.ACCEPTED if item.origin == Origin.HUMAN else Review.PENDING),
        **_OTHER_KIND_COLUMNS[kind], **own,
    }  # fmt: skip


def link_of(item: AnnotationInput) -> uuid.UUID | None:
    if isinstance(item, AttributionInput):
        return item.claim_id
    if isinstance(item, DenialInput):
        return item.target_id
    return None


def check_links(items: Sequence[tuple[str, str, uuid.UUID | None]], claims: Iterable[uuid.UUID]) -> None:
    """Each (pointer, kind, link) must link to one of `claims` (the claims of the same article)."""
    known = set(claims)
    for pointer, kind, link in items:
        if link is not None and link not in known:
            field = LINK_FIELDS[kind]
            raise InvalidInput(f"{pointer}/{field}", f"{field} must name a claim of the same article", actual=str(link))
