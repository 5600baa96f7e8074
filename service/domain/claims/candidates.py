"""What to ask the database for when looking for claims that may state what one claim states: its distinctive
words with their synonyms, and its figures (matched as values, however written), as one ranked search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from service.domain.claims.features import COMMON, canonical, features, words_of
from service.domain.claims.matching import MatchScore, score_pair
from service.domain.claims.numbers import SPELLED_WORDS, find_numbers
from service.domain.claims.query import MAX_TERMS, SearchQuery, Term, with_synonyms

# Most candidates reranked for one claim: the database ranks them by how many distinctive terms they share, so
# the paraphrase of a claim is among its first few; Python rescoring costs about 0.1-0.3 ms a candidate.
MAX_CANDIDATES = 50
# Claims are compared on at most this much of their statement (a claim is a sentence or two; a 10,000 code
# point statement full of numbers takes about 40 ms to read, so 50 candidates of that size would take seconds).
MAX_STATEMENT = 2_000

K = TypeVar("K")


def candidate_query(statement: str) -> SearchQuery:
    """The claim's figures, its names, then its other content words longest first, each with its synonyms; at
    most MAX_TERMS terms. Linear in the statement."""
    statement = statement[:MAX_STATEMENT]
    terms: list[Term] = [Term("", number.value) for number in find_numbers(statement)]
    words = [w for w in words_of(statement) if w.lower() not in COMMON and w.lower() not in SPELLED_WORDS]
    words = [w for w in words if not w.isdigit() and len(w) > 2]
    ordered = sorted(dict.fromkeys(w.lower() if not w[:1].isupper() else w for w in words),
                     key=lambda w: (not w[:1].isupper(), -len(w)))  # fmt: skip
    groups: set[str] = set()
    for word in ordered:
        if (group := canonical(word)) and group not in groups:
            groups.add(group)
            terms.append(with_synonyms(word))
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return SearchQuery(terms=tuple(unique), required=(), excluded=())


def rerank(statement: str, candidates: Sequence[tuple[K, str]], limit: int) -> list[tuple[K, MatchScore]]:
    """The candidates at or above the suggest threshold, best first (ties keep the given order), at most `limit`.
    One feature extraction per candidate (at most MAX_CANDIDATES) and one pair score each."""
    source = features(statement[:MAX_STATEMENT])
    scored = []
    for key, text in candidates[:MAX_CANDIDATES]:
        result = score_pair(source, features(text[:MAX_STATEMENT]))
        if result.level is not None:
            scored.append((key, result))
    scored.sort(key=lambda item: -item[1].score)
    return scored[:limit]
