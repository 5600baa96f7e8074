"""Re-anchors annotations stored against one revision of an article text onto the next revision: each is
anchored, relocated (exactly or approximately) or orphaned, never dropped. Thresholds: docs/anchoring.md."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from rapidfuzz.distance import Indel

from service.domain.anchoring import CONTEXT_LENGTH, collection_limit, context_score, occurrences
from service.domain.budget import Budget

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
# Longest quote matched approximately: Indel similarity costs len × len / 64 word operations (10,000 code points:
# ~2 ms a candidate). A longer quote is found exactly or not at all.
MAX_APPROX_LENGTH = 10_000
# A side of the stored context that occurs more often than this places nothing (it is boilerplate).
MAX_PLACED = 20
# Candidates are widened to whole words by at most this many code points on each side (one long "word").
MAX_SNAP = 256
# Largest changed region (old length x new length) aligned at the next finer level; past it the region is
# mapped proportionally. Keeps the diff near-linear on a 200 KB text.
_MAX_ALIGN_CELLS = 50_000_000
_DIRECT_CELLS = 16_000_000
# Largest region (length x length, after trimming the common prefix and suffix) one Indel diff may cover, at any
# level: rapidfuzz keeps a bit matrix of cells / 8 bytes (200 M cells: 25 MB, ~20 ms). A bigger region is split
# at tokens that occur once on each side (a patience diff), at most _MAX_SPLITS deep; what is still too big stays
# unaligned (offsets map proportionally across it, and its annotations are found by exact search).
_MAX_DIFF_CELLS = 200_000_000
_MAX_SPLITS = 4

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
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
# A sentence ends after a run of . ! ? … (closing quotes or brackets may follow) and white space. The run is taken
# whole from its first character (look-behind, possessive): the lazy `.*?[.!?…]+…\s+` this replaces backtracked
# through every run of dots from every position, quadratic in a text of dots.
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+\s+")
_WORD_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _sentences(text: str) -> list[str]:
    """The text cut after each sentence end (the last piece may have none), each distinct sentence kept once."""
    seen: dict[str, str] = {}
    sentences, at = [], 0
    for end in _SENTENCE_END.finditer(text):  # one pass: each character is looked at a bounded number of times
        sentence = text[at : end.end()]
        sentences.append(seen.setdefault(sentence, sentence))
        at = end.end()
    if at < len(text):
        sentences.append(text[at:])
    return sentences


def _tokenizer(pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    def tokens(text: str) -> list[str]:
        """The matches of `pattern`, each distinct token kept once: 2 MiB of emoji is 2 million one-character
        tokens, 16 MB of references to one string rather than 180 MB of strings."""
        seen: dict[str, str] = {}
        return [seen.setdefault(token, token) for token in map(re.Match.group, pattern.finditer(text))]

    return tokens


_lines = _tokenizer(_LINE)
# Coarse to fine: lines (paragraphs), sentences, words, then code points. Each is linear in the text.
_LEVELS = (_lines, _sentences, _tokenizer(_WORD_TOKEN))


class Alignment:
    """Which code points of the old text survive unchanged where in the new text (a diff as matching blocks),
    and where any old offset maps to. Lines are diffed first and only changed regions at finer levels."""

    __slots__ = ("_new_len", "_new_starts", "_old_ends", "_old_len", "_old_starts")

    def __init__(self, old: str, new: str, budget: Budget | None = None) -> None:
        budget = budget or Budget.unlimited()
        blocks = _moved_lines(old, new, budget)
        # Moved paragraphs are masked (same length, characters that match nothing) so that the rest of the
        # diff does not pair a sentence with its twin in some other paragraph.
        old_masked, new_masked = old, new
        if blocks:
            old_chars, new_chars = list(old), list(new)
            for i, length, j in blocks:
                old_chars[i : i + length] = "\ue000" * length
                new_chars[j : j + length] = "\ue001" * length
            old_masked, new_masked = "".join(old_chars), "".join(new_chars)
        _align(old_masked, new_masked, 0, 0, 0, blocks, budget)
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


def _moved_lines(old: str, new: str, budget: Budget) -> list[tuple[int, int, int]]:
    """Matching blocks for lines that the line diff does not pair but occur, once and whole, on both sides
    (a paragraph moved up or down the article)."""
    old_lines, new_lines = _lines(old), _lines(new)
    old_count, new_count = Counter(old_lines), Counter(new_lines)
    once = {line for line, n in old_count.items() if n == 1 and new_count.get(line) == 1 and _WORD.search(line)}
    if not once:  # nothing could have moved (a text of one repeated line needs no diff for this)
        return []
    old_paired, new_paired = bytearray(len(old_lines)), bytearray(len(new_lines))
    for i, j, length in _matching_blocks(old_lines, new_lines, budget):
        old_paired[i : i + length] = b"\1" * length
        new_paired[j : j + length] = b"\1" * length
    old_at, new_at = _starts(old_lines), _starts(new_lines)
    where_new = {new_lines[j]: j for j in range(len(new_lines)) if not new_paired[j] and new_lines[j] in once}
    return [
        (old_at[i], len(old_lines[i]), new_at[where_new[old_lines[i]]])
        for i in range(len(old_lines))
        if not old_paired[i] and old_lines[i] in where_new
    ]


def _starts(tokens: Sequence[str]) -> Sequence[int]:
    """Offset of every token in the text they make up, and its length last (compact: 8 bytes a token)."""
    return array("q", accumulate(map(len, tokens), initial=0))


def _align(
    old: str, new: str, old_at: int, new_at: int, level: int, out: list[tuple[int, int, int]], budget: Budget
) -> None:
    """Append the matching blocks `(old offset, length, new offset)` of `old` and `new` to `out`.

    Recursion depth is at most the number of levels (4); each level's work is bounded by _matching_blocks.
    """
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
        a, b = _LEVELS[level](old), _LEVELS[level](new)
        a_offsets, b_offsets = _starts(a), _starts(b)
    if len(a) == 1 and len(b) == 1 and level < len(_LEVELS):
        _align(old, new, old_at, new_at, level + 1, out, budget)
        return
    blocks, a_count, b_count = _matching_blocks(a, b, budget), len(a), len(b)
    del a, b  # the finer levels below need memory more than these tokens (offsets say where they were)
    i = j = 0
    for src_start, dest_start, count in blocks:
        src_end, dest_end = src_start + count, dest_start + count
        # Tokens that match but hold no word (a space, a blank line, a comma) say little about which text is
        # which; aligning on them splits a changed region in the wrong place, so they join it instead.
        if level < len(_LEVELS) and not _WORD.search(old, a_offsets[src_start], a_offsets[src_end]):
            continue
        changed = ((i, src_start), (j, dest_start))
        _align_changed(old, new, a_offsets, b_offsets, *changed, old_at, new_at, level, out, budget)
        length = a_offsets[src_end] - a_offsets[src_start]
        out.append((old_at + a_offsets[src_start], length, new_at + b_offsets[dest_start]))
        i, j = src_end, dest_end
    _align_changed(old, new, a_offsets, b_offsets, (i, a_count), (j, b_count), old_at, new_at, level, out, budget)


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
    budget: Budget,
) -> None:
    """Align a changed run of tokens at the next finer level, if it is small enough to be worth it."""
    o0, o1 = a_offsets[a_range[0]], a_offsets[a_range[1]]
    n0, n1 = b_offsets[b_range[0]], b_offsets[b_range[1]]
    if o0 == o1 or n0 == n1 or level == len(_LEVELS):
        return
    # Character-level alignment of a big region costs old x new / 64 word operations; tokens are cheaper.
    if level + 1 == len(_LEVELS) and (o1 - o0) * (n1 - n0) > _MAX_ALIGN_CELLS:
        return
    _align(old[o0:o1], new[n0:n1], old_at + o0, new_at + n0, level + 1, out, budget)


def _matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget) -> list[tuple[int, int, int]]:
    """Equal runs `(i, j, length)` of `a` and `b` (code points or tokens), in order on both sides.

    The common prefix and suffix are trimmed first (what an LCS diff would match anyway); a middle of at most
    _MAX_DIFF_CELLS is diffed exactly (rapidfuzz Indel: the longest common subsequence); a bigger middle of
    tokens is split at tokens that occur once on each side (patience diff) and each piece handled again, at
    most _MAX_SPLITS deep. Pieces are disjoint, so each depth costs O(len(a) + len(b)) for trimming and
    splitting; a diffed piece's shorter side is under √_MAX_DIFF_CELLS, so all diffs together cover at most
    √_MAX_DIFF_CELLS × (len(a) + len(b)) cells (bit-parallel: / 64 word operations; 2 MiB: ~1 s at worst).
    Memory stays under _MAX_DIFF_CELLS / 8 bytes for the diff plus the pieces' list.
    """
    blocks: list[tuple[int, int, int]] = []
    pending = [(0, len(a), 0, len(b), 0)]
    while pending:  # every piece is smaller than the one it came from, so this ends
        a0, a1, b0, b1, depth = pending.pop()
        budget.tick()
        head = _common_length(a, b, a0, b0, min(a1 - a0, b1 - b0), 1)
        if head:
            blocks.append((a0, b0, head))
            a0, b0 = a0 + head, b0 + head
        tail = _common_length(a, b, a1 - 1, b1 - 1, min(a1 - a0, b1 - b0), -1)
        if tail:
            blocks.append((a1 - tail, b1 - tail, tail))
            a1, b1 = a1 - tail, b1 - tail
        cells = (a1 - a0) * (b1 - b0)
        if not cells:
            continue
        if cells <= _MAX_DIFF_CELLS:
            budget.tick(cells // 1_000_000)
            for op in Indel.opcodes(a[a0:a1], b[b0:b1]):
                if op.tag == "equal":
                    blocks.append((a0 + op.src_start, b0 + op.dest_start, op.src_end - op.src_start))
        elif depth < _MAX_SPLITS and not isinstance(a, str):
            anchors = _unique_anchors(a, b, a0, a1, b0, b1, budget)
            i, j = a0, b0
            for at_a, at_b in anchors:
                pending.append((i, at_a, j, at_b, depth + 1))
                blocks.append((at_a, at_b, 1))
                i, j = at_a + 1, at_b + 1
            if anchors:  # without any, the piece cannot be split and stays unaligned
                pending.append((i, a1, j, b1, depth + 1))
    blocks.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, length in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + length)
        else:
            merged.append((i, j, length))
    return merged


def _common_length(a: Sequence[Hashable], b: Sequence[Hashable], i: int, j: int, limit: int, step: int) -> int:
    """How many items agree from `a[i]` and `b[j]` on, walking forward (`step` 1) or backward (-1), up to `limit`.

    Compares slices of doubling length, then halves inside the first that differs: O(n log n) item
    comparisons for an answer n, done by C code.
    """

    def same(start: int, length: int) -> bool:
        if step == 1:
            return a[i + start : i + start + length] == b[j + start : j + start + length]
        return a[i - start - length + 1 : i - start + 1] == b[j - start - length + 1 : j - start + 1]

    found, chunk = 0, 64
    while found < limit:  # doubling: O(log n) rounds
        size = min(chunk, limit - found)
        if not same(found, size):
            low, high = 0, size  # the first `low` agree, the first `high` do not
            while high - low > 1:  # O(log size) rounds
                middle = (low + high) // 2
                low, high = (middle, high) if same(found, middle) else (low, middle)
            return found + low
        found, chunk = found + size, chunk * 2
    return found


def _unique_anchors(
    a: Sequence[Hashable], b: Sequence[Hashable], a0: int, a1: int, b0: int, b1: int, budget: Budget
) -> list[tuple[int, int]]:
    """Pairs `(i, j)` of tokens that occur exactly once in `a[a0:a1]` and once in `b[b0:b1]`, the longest run of
    them in order on both sides (patience sorting): O(n log n) in the piece's length."""
    budget.tick((a1 - a0 + b1 - b0) // 10_000)
    count_a, count_b = Counter(a[a0:a1]), Counter(b[b0:b1])
    unique = {t for t, n in count_a.items() if n == 1} & {t for t, n in count_b.items() if n == 1}
    if not unique:  # a text of one repeated token: nothing to anchor on, and no walk over its positions
        return []
    where_b = {b[j]: j for j in range(b0, b1) if b[j] in unique}
    pairs = [(i, where_b[a[i]]) for i in range(a0, a1) if a[i] in unique]
    # Longest increasing run of j (pairs are in order of i): piles' tops, with a back link for each pair.
    tops: list[int] = []
    top_index: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):  # O(len(pairs) log len(pairs))
        pile = bisect_left(tops, j)
        back.append(top_index[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(j)
            top_index.append(k)
        else:
            tops[pile], top_index[pile] = j, k
    chain: list[tuple[int, int]] = []
    k = top_index[-1] if top_index else -1
    while k != -1:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def reanchor(
    old_text: str, new_text: str, anchors: Sequence[StoredAnchor], *, budget: Budget | None = None
) -> list[Relocation]:
    """Relocate every anchor from `old_text` to `new_text`; one Relocation per anchor, in the same order.

    Worst case: the alignment (linear in the texts, plus bounded diffs) and, per anchor, O(len(new_text)) of
    exact search plus at most MAX_CANDIDATES context scores and 1 + 2 × MAX_PLACED bounded similarities.
    """
    budget = budget or Budget.unlimited()
    alignment = Alignment(old_text, new_text, budget)
    relocations = []
    for anchor in anchors:  # one round per anchor
        budget.tick()
        relocations.append(_relocate(old_text, new_text, alignment, anchor, budget))
    return relocations


def _relocate(old_text: str, new_text: str, alignment: Alignment, anchor: StoredAnchor, budget: Budget) -> Relocation:
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
        at = _exact(new_text, anchor, expected_start, expected_end, budget)
        if at is not None:
            status = "anchored" if at == anchor.start else "relocated"
            return Relocation(anchor.id, status, at, at + len(quote), quote, 1.0, False)
        if MIN_APPROX_LENGTH <= len(quote) <= MAX_APPROX_LENGTH:
            found = _approximate(new_text, anchor, expected_start, expected_end, budget)
            if found is not None:
                start, end, score = found
                return Relocation(anchor.id, "relocated", start, end, new_text[start:end], score, True)
    return Relocation(anchor.id, "orphaned", anchor.start, anchor.end, quote, 0.0, False)


def _exact(new_text: str, anchor: StoredAnchor, expected_start: int, expected_end: int, budget: Budget) -> int | None:
    """The exact occurrence of the quote that is this annotation, or None when none is convincing.

    One near where the old span maps wins, the closest (ties by context); away from there, only an occurrence
    whose context agrees (a moved paragraph): a phrase that happens to appear elsewhere is another mention,
    not the sentence that was deleted. Bounded: see `_nearby` and `_moved`.
    """
    quote, prefix, suffix = anchor.quote, anchor.prefix, anchor.suffix

    def context(start: int) -> float:
        return context_score(new_text, start, start + len(quote), prefix, suffix)

    def distance(start: int) -> int:
        return abs(start - expected_start)

    nearby = _nearby(new_text, quote, expected_start, expected_end, budget)
    if nearby:
        closest = min(map(distance, nearby))
        return max((s for s in nearby if distance(s) <= closest + len(quote)), key=lambda s: (context(s), -distance(s)))
    # Away from there, only the context inside the quote's own paragraph counts: a sentence repeated in
    # another paragraph has the same words around it up to the paragraph break, and no further.
    before, after = _in_paragraph(anchor)
    if not (before or after):
        return None

    def own_context(start: int) -> float:
        return context_score(new_text, start, start + len(quote), before, after)

    starts = _moved(new_text, quote, before, after, budget)
    if not starts:
        return None
    best = max(starts, key=lambda s: (own_context(s), context(s), -distance(s)))  # at most 2 × MAX_CANDIDATES
    return best if own_context(best) >= MIN_MOVED_CONTEXT else None


def _nearby(text: str, quote: str, expected_start: int, expected_end: int, budget: Budget) -> list[int]:
    """Occurrences of `quote` inside `[expected_start - CONTEXT_LENGTH, expected_end + CONTEXT_LENGTH)` that are
    no farther from `expected_start` than the closest one plus the quote's length (the others cannot win).

    Two searches find the closest on each side; the rest lie within len(quote) of them, so at most
    2 × len(quote) + 2 occurrences are collected (and never more than `collection_limit`).
    """
    lo, hi = max(0, expected_start - CONTEXT_LENGTH), min(len(text), expected_end + CONTEXT_LENGTH)
    after = text.find(quote, max(lo, expected_start), hi)
    before = text.rfind(quote, lo, min(hi, expected_start + len(quote) - 1))
    closest = min(abs(s - expected_start) for s in (after, before) if s != -1) if after != -1 or before != -1 else None
    if closest is None:
        return []
    reach = closest + len(quote)
    start, end = max(lo, expected_start - reach), min(hi, expected_start + reach + len(quote))
    return occurrences(text, quote, start, end, limit=collection_limit(quote), budget=budget)


def _moved(text: str, quote: str, before: str, after: str, budget: Budget) -> list[int]:
    """Occurrences of `quote` anywhere, to be judged by their in-paragraph context `before`/`after`.

    Up to `collection_limit` of them all; past it (a common word), only those with the stored context exactly
    beside them (what scores 1 on that side), up to as many again: O(len(text) + MAX_CONFIRMED) in all.
    """
    limit = collection_limit(quote)
    starts = occurrences(text, quote, limit=limit + 1, budget=budget)
    if len(starts) <= limit:
        return starts
    with_context = []
    if before:
        with_context += [s + len(before) for s in occurrences(text, before + quote, limit=limit, budget=budget)]
    if after:
        with_context += occurrences(text, quote + after, limit=limit, budget=budget)
    return with_context


def _approximate(
    new_text: str, anchor: StoredAnchor, expected_start: int, expected_end: int, budget: Budget
) -> tuple[int, int, float] | None:
    """The best approximate match `(start, end, score)` of the quote where the old span maps, or None.

    Candidates: the span the diff maps the quote to, which must overlap that mapped span by half; and, for a
    paragraph that moved as well as changed, the text placed by the quote's own stored prefix or suffix.
    Each must keep most of the quote; the score adds context and closeness to the expected position.
    Bounded: at most 1 + 2 × MAX_PLACED candidates, each at most MAX_SNAP code points wider than the span it
    came from, and one similarity of at most MAX_APPROX_LENGTH × (5/3 of that) code points each.
    """
    quote = anchor.quote
    candidates = [(expected_start, expected_end)]
    placed = _placed_by_context(new_text, anchor, budget)
    best: tuple[int, int, float] | None = None
    for raw_start, raw_end in candidates + placed:
        budget.tick(1 + len(quote) // 1000)
        if raw_end - raw_start > 2 * len(quote):  # stretched by the diff across a large change: no match
            continue
        start, end = _snap_to_words(new_text, raw_start, raw_end)
        by_context = (raw_start, raw_end) in placed
        if end <= start or not (by_context or _overlaps_half(start, end, expected_start, expected_end)):
            continue
        # Similarity is at most 2 × shorter / (sum of lengths): lengths too far apart cannot pass.
        if 2 * min(len(quote), end - start) < MIN_QUOTE_SIMILARITY * (len(quote) + end - start):
            continue
        # Placed by one side's context, the other side must agree too, up to the paragraph break: a sentence
        # repeated in another paragraph shares one side only.
        if by_context and context_score(new_text, start, end, *_in_paragraph(anchor)) < MIN_MOVED_CONTEXT:
            continue
        similarity = Indel.normalized_similarity(quote, new_text[start:end], score_cutoff=MIN_QUOTE_SIMILARITY)
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


def _placed_by_context(text: str, anchor: StoredAnchor, budget: Budget) -> list[tuple[int, int]]:
    """Spans of `text` right after the anchor's stored prefix or right before its suffix (each cut at the
    paragraph break), for a paragraph that moved as well as changed. A side shorter than MIN_SIDE_CONTEXT, or
    occurring more than MAX_PLACED times, is too common to place anything; with one side only, the span takes
    the quote's old length. At most 2 × MAX_PLACED spans, found in O(len(text))."""
    before, after = _in_paragraph(anchor)
    length = len(anchor.quote)
    spans = []
    if len(before) >= MIN_SIDE_CONTEXT:
        found = occurrences(text, before, limit=MAX_PLACED + 1, budget=budget)
        for at in found if len(found) <= MAX_PLACED else ():
            start = at + len(before)
            end = text.find(after, start, start + 2 * length + len(after)) if len(after) >= MIN_SIDE_CONTEXT else -1
            spans.append((start, end if end > start else start + length))
    if len(after) >= MIN_SIDE_CONTEXT:
        found = occurrences(text, after, limit=MAX_PLACED + 1, budget=budget)
        spans.extend((max(0, end - length), end) for end in (found if len(found) <= MAX_PLACED else ()))
    return spans


def _in_paragraph(anchor: StoredAnchor) -> tuple[str, str]:
    """The stored prefix and suffix cut at the paragraph break on each side."""
    return anchor.prefix.rpartition("\n")[2], anchor.suffix.partition("\n")[0]


def _overlaps_half(start: int, end: int, expected_start: int, expected_end: int) -> bool:
    return min(end, expected_end) - max(start, expected_start) >= (end - start) / 2


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` to whole words (by at most MAX_SNAP code points a side) and trim white space."""
    end = min(end, len(text))
    floor, ceiling = max(0, start - MAX_SNAP), min(len(text), end + MAX_SNAP)
    while floor < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < ceiling and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
