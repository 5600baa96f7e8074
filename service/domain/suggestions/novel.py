"""Which suggestions are new on an article: not one a person already marked (an overlapping annotation of the
same kind by a human), not one stored before (the same kind and span by the machine, whatever its review).
Links to a claim left out are moved to the annotation that stands in its place."""

from __future__ import annotations

import uuid
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from service.wire import AnnotationInput, AttributionInput, ClaimInput, DenialInput

# How many earlier-starting annotations of a kind are looked at for the one that overlaps a suggestion; past
# that a suggestion still counts as covered (prefix maximum of ends) but its links lose their target.
_BACK = 64


@dataclass(frozen=True, slots=True)
class Existing:
    id: uuid.UUID
    kind: str
    start: int  # code points
    end: int
    human: bool


class _Index:
    """One kind's human annotations by start, with the running maximum of their ends."""

    def __init__(self, spans: Sequence[Existing]) -> None:
        self.spans = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.spans]
        self.max_end: list[int] = []
        for s in self.spans:
            self.max_end.append(max(s.end, self.max_end[-1] if self.max_end else s.end))

    def overlapping(self, start: int, end: int) -> tuple[bool, uuid.UUID | None]:
        """(whether any span overlaps [start, end), the id of one found within `_BACK` steps)."""
        before = bisect_left(self.starts, end)  # spans starting before `end`
        if before == 0 or self.max_end[before - 1] <= start:
            return False, None
        for k in range(before - 1, max(-1, before - 1 - _BACK), -1):
            if self.spans[k].end > start:
                return True, self.spans[k].id
        return True, None


def novel_suggestions(inputs: Sequence[AnnotationInput], existing: Sequence[Existing]) -> list[AnnotationInput]:
    """The inputs (offsets in code points) that add something to the article, links rewritten."""
    kinds = ("claim", "attribution", "denial", "figure")
    human = {kind: _Index([e for e in existing if e.human and e.kind == kind]) for kind in kinds}
    stored = {(e.kind, e.start, e.end): e.id for e in existing if not e.human}
    replaced: dict[uuid.UUID, uuid.UUID | None] = {}  # a left-out claim's id -> what stands in its place
    kept: list[AnnotationInput] = []
    for item in inputs:
        kind = str(type(item).__struct_config__.tag)
        start, end = item.start or 0, item.end or 0
        same = stored.get((kind, start, end))
        covered, by = human[kind].overlapping(start, end)
        if same is not None or covered:
            if isinstance(item, ClaimInput) and item.id is not None:
                replaced[item.id] = same or by
            continue
        kept.append(item)
    return [_relinked(item, replaced) for item in kept]


def _relinked(item: AnnotationInput, replaced: dict[uuid.UUID, uuid.UUID | None]) -> AnnotationInput:
    if isinstance(item, AttributionInput) and item.claim_id in replaced:
        return msgspec.structs.replace(item, claim_id=replaced[item.claim_id])
    if isinstance(item, DenialInput) and item.target_id in replaced:
        return msgspec.structs.replace(item, target_id=replaced[item.target_id])
    return item
