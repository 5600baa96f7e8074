"""Finds a quote in a text (W3C TextQuoteSelector semantics): every exact occurrence, then the
prefix/suffix context decides between several, approximately so that a typo in the context still
picks the right occurrence. Every search is bounded: see MAX_CANDIDATES and docs/anchoring.md."""

from __future__ import annotations

from rapidfuzz.fuzz import ratio

from service.domain.budget import Budget
from service.errors import QuoteAmbiguous, QuoteNotFound

# How many code points of context are stored on each side of an annotation.
CONTEXT_LENGTH = 32
# At most this many occurrences of a quote are collected and scored against its context. A quote that occurs
# more often (a letter, a common word) is placed only by its whole context occurring exactly once.
MAX_CANDIDATES = 1000
# Collecting occurrences confirms each one (a comparison of the quote's length): at most this many code points
# are compared in all, so a long quote that overlaps itself (2 MiB of "a") is collected fewer times.
MAX_CONFIRMED = 10_000_000
# Longest context compared on each side: input allows 256 code points, ratio() costs its length squared / 64.
MAX_CONTEXT = 256
# An ambiguous-quote problem lists this many candidate offsets (and counts all of them).
MAX_LISTED = 20


def occurrences(
    text: str, quote: str, start: int = 0, end: int | None = None, *, limit: int = MAX_CANDIDATES, budget: Budget
) -> list[int]:
    """Start offsets of the first `limit` (possibly overlapping) exact occurrences of `quote` in
    `text[start:end]`.

    Worst case O(len(text) + limit × len(quote)): str.find scans each stretch once (CPython's two-way search
    keeps it linear), and each hit costs a comparison of len(quote); `collection_limit` keeps the second
    term under MAX_CONFIRMED.
    """
    end = len(text) if end is None else end
    found: list[int] = []
    at = text.find(quote, start, end)
    while at != -1 and len(found) < limit:  # at most `limit` rounds
        found.append(at)
        budget.tick()
        at = text.find(quote, at + 1, end)
    return found


def collection_limit(quote: str, limit: int = MAX_CANDIDATES) -> int:
    """How many occurrences of `quote` to collect at most: `limit`, fewer for a long quote (MAX_CONFIRMED)."""
    return min(limit, max(1, MAX_CONFIRMED // max(1, len(quote))))


def context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well the text around `[start, end)` agrees with the given context: 0 (not at all) to 1.

    Bounded: each side compares at most MAX_CONTEXT code points (ratio() is quadratic in them, ~1 µs here).
    """
    prefix, suffix = prefix[-MAX_CONTEXT:], suffix[:MAX_CONTEXT]
    scores = []
    if prefix:
        scores.append(ratio(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(ratio(suffix, text[end : end + len(suffix)]))
    return sum(scores) / (100.0 * len(scores)) if scores else 0.0


def find_quote(text: str, quote: str, prefix: str, suffix: str, pointer: str, *, budget: Budget | None = None) -> int:
    """The code point offset where `quote` starts in `text`.

    One exact occurrence is the answer. Among several, the one whose surroundings best match
    `prefix`/`suffix` wins; a tie (or no context to break it) is ambiguous. Past MAX_CANDIDATES
    occurrences only the whole context occurring exactly once decides (that occurrence would score 1,
    and every other less). Worst case: O(len(text)) for the searches plus MAX_CANDIDATES context scores.
    """
    budget = budget or Budget.unlimited()
    budget.location = pointer
    if not quote:
        raise QuoteNotFound(pointer, "the quote is empty")
    limit = collection_limit(quote)
    starts = occurrences(text, quote, limit=limit + 1, budget=budget)
    if not starts:
        raise QuoteNotFound(pointer, "the quote does not occur in the article text", actual=quote)
    if len(starts) == 1:
        return starts[0]
    counted = len(starts) <= limit
    times = f"{len(starts)} times" if counted else f"more than {limit:,} times"
    listed = starts[:MAX_LISTED]
    if not (prefix or suffix):
        raise QuoteAmbiguous(
            pointer,
            f"the quote occurs {times}; give prefix/suffix or offsets to choose one",
            offsets=listed, count=len(starts), counted=counted,
        )  # fmt: skip
    if not counted:
        windows = occurrences(text, prefix + quote + suffix, limit=2, budget=budget)
        if len(windows) == 1:
            return windows[0] + len(prefix)
        raise QuoteAmbiguous(
            pointer,
            f"the quote occurs {times} and its prefix/suffix do not occur exactly once with it; give offsets",
            offsets=listed, count=len(starts), counted=counted,
        )  # fmt: skip
    scored = []
    for s in starts:  # at most MAX_CANDIDATES context scores
        budget.tick()
        scored.append((context_score(text, s, s + len(quote), prefix, suffix), s))
    scored.sort(reverse=True)
    (best, best_start), (runner_up, _) = scored[0], scored[1]
    if best - runner_up < 1e-9:
        raise QuoteAmbiguous(
            pointer,
            f"the quote occurs {times} and its prefix/suffix fit more than one equally well",
            offsets=listed, count=len(starts), counted=counted,
        )  # fmt: skip
    return best_start


def context_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The stored prefix and suffix of the span `[start, end)`."""
    return text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]
