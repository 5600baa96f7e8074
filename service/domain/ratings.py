"""A rating belongs to the words it was given for: which re-anchored annotations a person must look at again."""

from __future__ import annotations

from service.domain.reanchoring import Relocation


def needs_review_after(kind: str, verdict: str | None, old_quote: str, relocation: Relocation) -> bool:
    """Whether a relocation changed the words of a reviewed claim or of a figure (whose value was read from
    them): then the rating or the value may no longer hold, and the annotation waits for a person."""
    if relocation.status != "relocated" or relocation.quote == old_quote:
        return False
    return kind == "figure" or (kind == "claim" and verdict not in (None, "unverified"))
