"""Re-anchors annotations stored against one revision of an article text onto the next revision: each is
anchored, relocated (exactly or approximately) or orphaned, never dropped. Thresholds: docs/anchoring.md."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from rapidfuzz.distance import Indel

from service.domain.anchoring import CONTEXT_LENGTH, context_score, occurrences

# Below this many code points a quote is found exactly or not at all: in a short quote the changed word is the
# whole claim ("Linus" -> "Linux" is another name), and a figure like "4,500 tonnes" is the shortest span whose
# edit we still call the same annotation. bench/anchoring prints the false-match rates by length.
MIN_APPROX_LENGTH = 12
# An approximate match keeps at least this much of the quote (normalised Indel similarity, 1 - edits / total
# length): a changed figure or a reworded word passes, a rewritten sentence (≈0.5-0.65) does not.
MIN_QUOTE_SIMILARITY = 0.75
# Weights of the approximate score and the score it must reach; the quote itself counts most.
QUOTE_WEIGHT, CONTEXT_WEIGHT, PROXIMITY_WEIGHT = 0.7, 0.2, 0.1
MIN_APPROX_SCORE = 0.75
# A quote found exactly away from where its old position maps is accepted only when its stored context, up to
# the paragraph break, agrees this well (its paragraph moved): the same phrase elsewhere is another mention.
MIN_MOVED_CONTEXT = 0.8
# Least stored context on one side (within the paragraph) that may place an approximate match far from where
# the diff maps it, when a paragraph was both moved and edited.
MIN_SIDE_CONTEXT = 12
# Closeness to the mapped position falls to 0 this many code points (plus the quote's length) away.
APPROX_SLACK = 24
# Largest changed region (old length x new length) aligned at the next finer level; past it the region is
# mapped proportionally. Keeps the diff near-linear on a 200 KB text.
_MAX_ALIGN_CELLS = 50_000_000
_DIRECT_CELLS = 16_000_000

Status = Literal["anchored", "relocated", "orphaned"]


@dataclass(frozen=True, slots=True)
class StoredAnchor:
    """An annotation as stored against the old text: code point offsets `[start, end)`, quote and context."""

    id: object
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Relocation:
    """Where an annotation landed in the new text. Orphaned ones keep their old offsets and quote."""

    id: object
    status: Status
    start: int
    end: int
    quote: str
    confidence: float
    approximate: bool


_WORD = re.compile(r"\w")
# Coarse to fine: lines (paragraphs), sentences, words, then code points.
_LEVELS = (
    re.compile(r"[^\n]*\n|[^\n]+"),
    re.compile(r".*?[.!?…]+[\"'”’)\]]*\s+|.+", re.DOTALL),
    re.compile(r"\w+|\s+|[^\w\s]"),
)


class Alignment:
    """Which code points of the old text survive unchanged where in the new text (a diff as matching blocks),
    and where any old offset maps to. Lines are diffed first and only changed regions at finer levels."""

    __slots__ = ("_new_len", "_new_starts", "_old_ends", "_old_len", "_old_starts")

    def __init__(self, old: str, new: str) -> None:
        blocks = _moved_lines(old, new)
        # Moved paragraphs are masked (same length, characters that match nothing) so that the rest of the
        # diff does not pair a sentence with its twin in some other paragraph.
        old_masked, new_masked = list(old), list(new)
        for i, length, j in blocks:
            old_masked[i : i + length] = "\ue000" * length
            new_masked[j : j + length] = "\ue001" * length
        _align("".join(old_masked), "".join(new_masked), 0, 0, 0, blocks)
        blocks.sort()
        merged: list[tuple[int, int, int]] = []
        for i, length, j in blocks:
            if merged and merged[-1][0] + merged[-1][1] == i and merged[-1][2] + merged[-1][1] == j:
                merged[-1] = (merged[-1][0], merged[-1][1] + length, merged[-1][2])
            elif length:
                merged.append((i, length, j))
        self._old_starts = [i for i, _, _ in merged]
        self._old_ends = [i + n for i, n, _ in merged]
        self._new_starts = [j for _, _, j in merged]
        self._old_len, self._new_len = len(old), len(new)

    def unchanged(self, start: int, end: int) -> int | None:
        """The new offset of `[start, end)` if that whole span survives unchanged, else None."""
        k = bisect_right(self._old_starts, start) - 1
        if k < 0 or end > self._old_ends[k] or start >= self._old_ends[k]:
            return None
        return self._new_starts[k] + start - self._old_starts[k]

    def map(self, pos: int) -> int:
        """The new offset of old offset `pos`; inside a changed region, proportionally across it."""
        k = bisect_right(self._old_starts, pos) - 1
        if k >= 0 and pos < self._old_ends[k]:
            return self._new_starts[k] + pos - self._old_starts[k]
        gap_old = self._old_ends[k] if k >= 0 else 0
        gap_new = self._new_starts[k] + self._old_ends[k] - self._old_starts[k] if k >= 0 else 0
        next_old = self._old_starts[k + 1] if k + 1 < len(self._old_starts) else self._old_len
        next_new = self._new_starts[k + 1] if k + 1 < len(self._new_starts) else self._new_len
        if next_old == gap_old or next_new <= gap_new:  # a moved paragraph can put the neighbours out of order
            return min(gap_new, self._new_len)
        return gap_new + round((pos - gap_old) * (next_new - gap_new) / (next_old - gap_old))


def _moved_lines(old: str, new: str) -> list[tuple[int, int, int]]:
    """Matching blocks for lines that the line diff does not pair but occur, once and whole, on both sides
    (a paragraph moved up or down the article)."""
    old_lines, new_lines = _LEVELS[0].findall(old), _LEVELS[0].findall(new)
    old_at, new_at = [0, *accumulate(map(len, old_lines))], [0, *accumulate(map(len, new_lines))]
    old_left, new_left = set(range(len(old_lines))), set(range(len(new_lines)))
    for op in Indel.opcodes(old_lines, new_lines):
        if op.tag == "equal":
            old_left -= set(range(op.src_start, op.src_end))
            new_left -= set(range(op.dest_start, op.dest_end))
    old_count, new_count = Counter(old_lines), Counter(new_lines)
    where_new = {new_lines[j]: j for j in new_left}
    return [
        (old_at[i], len(old_lines[i]), new_at[where_new[old_lines[i]]])
        for i in sorted(old_left)
        if old_lines[i] in where_new
        and old_count[old_lines[i]] == new_count[old_lines[i]] == 1
        and _WORD.search(old_lines[i])
    ]


def _align(old: str, new: str, old_at: int, new_at: int, level: int, out: list[tuple[int, int, int]]) -> None:
    """Append the matching blocks `(old offset, length, new offset)` of `old` and `new` to `out`."""
    if not old or not new:
        return
    if len(old) * len(new) <= _DIRECT_CELLS:
        # Small enough to align code point by code point at once, which gives the fewest edits.
        level = len(_LEVELS)
    if level == len(_LEVELS):
        a: Sequence[str] = old
        b: Sequence[str] = new
        a_offsets: Sequence[int] = range(len(old) + 1)
        b_offsets: Sequence[int] = range(len(new) + 1)
    else:
        a, b = _LEVELS[level].findall(old), _LEVELS[level].findall(new)
        a_offsets = [0, *accumulate(map(len, a))]
        b_offsets = [0, *accumulate(map(len, b))]
    if len(a) == 1 and len(b) == 1 and level < len(_LEVELS):
        _align(old, new, old_at, new_at, level + 1, out)
        return
    i = j = 0
    for op in Indel.opcodes(a, b):
        # Tokens that match but hold no word (a space, a blank line, a comma) say little about which text is
        # which; aligning on them splits a changed region in the wrong place, so they join it instead.
        if op.tag != "equal" or (
            level < len(_LEVELS) and not _WORD.search(old, a_offsets[op.src_start], a_offsets[op.src_end])
        ):
            continue
        _align_changed(
            old, new, a_offsets, b_offsets, (i, op.src_start), (j, op.dest_start), old_at, new_at, level, out
        )
        length = a_offsets[op.src_end] - a_offsets[op.src_start]
        out.append((old_at + a_offsets[op.src_start], length, new_at + b_offsets[op.dest_start]))
        i, j = op.src_end, op.dest_end
    _align_changed(old, new, a_offsets, b_offsets, (i, len(a)), (j, len(b)), old_at, new_at, level, out)


def _align_changed(
    old: str,
    new: str,
    a_offsets: Sequence[int],
    b_offsets: Sequence[int],
    a_range: tuple[int, int],
    b_range: tuple[int, int],
    old_at: int,
    new_at: int,
    level: int,
    out: list[tuple[int, int, int]],
) -> None:
    """Align a changed run of tokens at the next finer level, if it is small enough to be worth it."""
    o0, o1 = a_offsets[a_range[0]], a_offsets[a_range[1]]
    n0, n1 = b_offsets[b_range[0]], b_offsets[b_range[1]]
    if o0 == o1 or n0 == n1 or level == len(_LEVELS):
        return
    # Character-level alignment of a big region costs old x new / 64 word operations; tokens are cheaper.
    if level + 1 == len(_LEVELS) and (o1 - o0) * (n1 - n0) > _MAX_ALIGN_CELLS:
        return
    _align(old[o0:o1], new[n0:n1], old_at + o0, new_at + n0, level + 1, out)


def reanchor(old_text: str, new_text: str, anchors: Sequence[StoredAnchor]) -> list[Relocation]:
    """Relocate every anchor from `old_text` to `new_text`; one Relocation per anchor, in the same order."""
    alignment = Alignment(old_text, new_text)
    return [_relocate(old_text, new_text, alignment, anchor) for anchor in anchors]


def _relocate(old_text: str, new_text: str, alignment: Alignment, anchor: StoredAnchor) -> Relocation:
    quote = anchor.quote
    intact = 0 <= anchor.start <= anchor.end <= len(old_text) and old_text[anchor.start : anchor.end] == quote
    if intact:
        at = alignment.unchanged(anchor.start, anchor.end)
        if at is not None:
            status: Status = "anchored" if at == anchor.start else "relocated"
            return Relocation(anchor.id, status, at, at + len(quote), quote, 1.0, False)
    expected_start = alignment.map(min(max(anchor.start, 0), len(old_text)))
    expected_end = max(expected_start, alignment.map(min(max(anchor.end, 0), len(old_text))))
    if quote:
        at = _exact(new_text, anchor, expected_start, expected_end)
        if at is not None:
            status = "anchored" if at == anchor.start else "relocated"
            return Relocation(anchor.id, status, at, at + len(quote), quote, 1.0, False)
        if len(quote) >= MIN_APPROX_LENGTH:
            found = _approximate(new_text, anchor, expected_start, expected_end)
            if found is not None:
                start, end, score = found
                return Relocation(anchor.id, "relocated", start, end, new_text[start:end], score, True)
    return Relocation(anchor.id, "orphaned", anchor.start, anchor.end, quote, 0.0, False)


def _exact(new_text: str, anchor: StoredAnchor, expected_start: int, expected_end: int) -> int | None:
    """The exact occurrence of the quote that is this annotation, or None when none is convincing.

    One near where the old span maps wins, the closest (ties by context); away from there, only an occurrence
    whose context agrees (a moved paragraph): a phrase that happens to appear elsewhere is another mention,
    not the sentence that was deleted.
    """
    quote, prefix, suffix = anchor.quote, anchor.prefix, anchor.suffix
    starts = list(occurrences(new_text, quote))
    if not starts:
        return None

    def context(start: int) -> float:
        return context_score(new_text, start, start + len(quote), prefix, suffix)

    def distance(start: int) -> int:
        return abs(start - expected_start)

    nearby = [
        s for s in starts if expected_start - CONTEXT_LENGTH <= s and s + len(quote) <= expected_end + CONTEXT_LENGTH
    ]
    if nearby:
        closest = min(map(distance, nearby))
        return max((s for s in nearby if distance(s) <= closest + len(quote)), key=lambda s: (context(s), -distance(s)))
    # Away from there, only the context inside the quote's own paragraph counts: a sentence repeated in
    # another paragraph has the same words around it up to the paragraph break, and no further.
    before, after = _in_paragraph(anchor)

    def own_context(start: int) -> float:
        return context_score(new_text, start, start + len(quote), before, after)

    best = max(starts, key=lambda s: (own_context(s), context(s), -distance(s)))
    return best if (before or after) and own_context(best) >= MIN_MOVED_CONTEXT else None


def _approximate(
    new_text: str, anchor: StoredAnchor, expected_start: int, expected_end: int
) -> tuple[int, int, float] | None:
    """The best approximate match `(start, end, score)` of the quote where the old span maps, or None.

    Candidates: the span the diff maps the quote to, which must overlap that mapped span by half; and, for a
    paragraph that moved as well as changed, the text placed by the quote's own stored prefix or suffix.
    Each must keep most of the quote; the score adds context and closeness to the expected position.
    """
    quote = anchor.quote
    candidates = [(expected_start, expected_end)]
    placed = _placed_by_context(new_text, anchor)
    best: tuple[int, int, float] | None = None
    for raw_start, raw_end in candidates + placed:
        start, end = _snap_to_words(new_text, raw_start, raw_end)
        by_context = (raw_start, raw_end) in placed
        if end <= start or not (by_context or _overlaps_half(start, end, expected_start, expected_end)):
            continue
        # Placed by one side's context, the other side must agree too, up to the paragraph break: a sentence
        # repeated in another paragraph shares one side only.
        if by_context and context_score(new_text, start, end, *_in_paragraph(anchor)) < MIN_MOVED_CONTEXT:
            continue
        similarity = Indel.normalized_similarity(quote, new_text[start:end])
        if similarity < MIN_QUOTE_SIMILARITY:
            continue
        has_context = bool(anchor.prefix or anchor.suffix)
        context = context_score(new_text, start, end, anchor.prefix, anchor.suffix) if has_context else similarity
        # Placed by its own context, a span is where the annotation is expected to be, wherever the diff says.
        proximity = 1.0 if by_context else max(0.0, 1.0 - abs(start - expected_start) / (len(quote) + APPROX_SLACK))
        score = QUOTE_WEIGHT * similarity + CONTEXT_WEIGHT * context + PROXIMITY_WEIGHT * proximity
        if score >= MIN_APPROX_SCORE and (best is None or score > best[2]):
            best = (start, end, min(round(score, 3), 0.99))
    return best


def _placed_by_context(text: str, anchor: StoredAnchor) -> list[tuple[int, int]]:
    """Spans of `text` right after the anchor's stored prefix or right before its suffix (each cut at the
    paragraph break), for a paragraph that moved as well as changed. A side shorter than MIN_SIDE_CONTEXT is
    too common to place anything; with one side only, the span takes the quote's old length."""
    before, after = _in_paragraph(anchor)
    length = len(anchor.quote)
    spans = []
    if len(before) >= MIN_SIDE_CONTEXT:
        for at in occurrences(text, before):
            start = at + len(before)
            end = text.find(after, start, start + 2 * length + len(after)) if len(after) >= MIN_SIDE_CONTEXT else -1
            spans.append((start, end if end > start else start + length))
    if len(after) >= MIN_SIDE_CONTEXT:
        spans.extend((max(0, end - length), end) for end in occurrences(text, after))
    return spans


def _in_paragraph(anchor: StoredAnchor) -> tuple[str, str]:
    """The stored prefix and suffix cut at the paragraph break on each side."""
    return anchor.prefix.rpartition("\n")[2], anchor.suffix.partition("\n")[0]


def _overlaps_half(start: int, end: int, expected_start: int, expected_end: int) -> bool:
    return min(end, expected_end) - max(start, expected_start) >= (end - start) / 2


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` to whole words and trim surrounding white space."""
    end = min(end, len(text))
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
