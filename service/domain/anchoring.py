"""Finds a quote in a text (W3C TextQuoteSelector semantics): every exact occurrence, then the
prefix/suffix context decides between several, approximately so that a typo in the context still
picks the right occurrence."""

from __future__ import annotations

from collections.abc import Iterator

from rapidfuzz.fuzz import ratio

from service.errors import QuoteAmbiguous, QuoteNotFound

# How many code points of context are stored on each side of an annotation.
CONTEXT_LENGTH = 32


def occurrences(text: str, quote: str) -> Iterator[int]:
    """Start offsets of every (possibly overlapping) exact occurrence of `quote` in `text`."""
    at = text.find(quote)
    while at != -1:
        yield at
        at = text.find(quote, at + 1)


def context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well the text around `[start, end)` agrees with the given context: 0 (not at all) to 1."""
    scores = []
    if prefix:
        scores.append(ratio(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(ratio(suffix, text[end : end + len(suffix)]))
    return sum(scores) / (100.0 * len(scores)) if scores else 0.0


def find_quote(text: str, quote: str, prefix: str, suffix: str, pointer: str) -> int:
    """The code point offset where `quote` starts in `text`.

    One exact occurrence is the answer. Among several, the one whose surroundings best match
    `prefix`/`suffix` wins; a tie (or no context to break it) is ambiguous.
    """
    if not quote:
        raise QuoteNotFound(pointer, "the quote is empty")
    starts = list(occurrences(text, quote))
    if not starts:
        raise QuoteNotFound(pointer, "the quote does not occur in the article text", actual=quote)
    if len(starts) == 1:
        return starts[0]
    if not (prefix or suffix):
        raise QuoteAmbiguous(
            pointer,
            f"the quote occurs {len(starts)} times; give prefix/suffix or offsets to choose one",
            actual=starts,
        )
    scored = sorted(((context_score(text, s, s + len(quote), prefix, suffix), s) for s in starts), reverse=True)
    (best, best_start), (runner_up, _) = scored[0], scored[1]
    if best - runner_up < 1e-9:
        raise QuoteAmbiguous(
            pointer,
            f"the quote occurs {len(starts)} times and its prefix/suffix fit more than one equally well",
            actual=starts,
        )
    return best_start


def context_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The stored prefix and suffix of the span `[start, end)`."""
    return text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]
