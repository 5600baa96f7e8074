"""A claim search query in `websearch_to_tsquery` syntax, read so that plain words rank instead of all being
required: `"quoted phrases"` must occur (`"a b" or "c d"`: one of them), `-word` and `-"a phrase"` must not,
and the plain words (and numbers, however written) are alternatives ranked by how many a claim has.
Never fails: any string is a query, at worst one that matches nothing or everything."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain.claims.features import GROUP_WORDS, canonical
from service.domain.claims.numbers import find_numbers

# Bounds on what one query can ask of the database (each term is one tsquery test per candidate row).
MAX_TERMS = 32
MAX_TERM_LENGTH = 200
MAX_SYNONYMS = 8
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Characters that cannot reach PostgreSQL text (NUL) or carry no meaning in a query.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EDGE_PUNCTUATION = re.compile(r"^[^\w$€£%]+|[^\w%]+$")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    value: float | None = None
    """The number the term is, however written ("12,000", "12k", "twelve thousand"), else None."""
    alternatives: tuple[str, ...] = ()
    """Words that count as this one (its synonyms: "soldiers" for "troops")."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    terms: tuple[Term, ...]
    """Plain words and numbers: a claim needs at least one (when there are any); more rank higher."""
    required: tuple[tuple[str, ...], ...]
    """Phrase groups: each group needs one of its phrases."""
    excluded: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.terms or self.required or self.excluded)


def parse_query(q: str) -> SearchQuery:
    """Read `q`; linear in its length, at most MAX_TERMS terms kept."""
    q = _CONTROL.sub(" ", q)
    plain: list[str] = []
    runs: list[list[str]] = [plain]
    groups: list[list[str]] = []
    excluded: list[str] = []
    joined = False  # the previous token was `or`
    for match in _TOKEN.finditer(q):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or":
            joined = True
            continue
        if phrase is not None:
            text = phrase.strip()[:MAX_TERM_LENGTH]
            if not text:
                continue
            if negated:
                excluded.append(text)
            elif joined and groups:
                groups[-1].append(text)
            else:
                groups.append([text])
            runs.append(plain := [])
        elif word.startswith("-") and len(word) > 1:
            if text := _EDGE_PUNCTUATION.sub("", word[1:]):
                excluded.append(text[:MAX_TERM_LENGTH])
            runs.append(plain := [])
        else:
            plain.append(word)
        joined = False
    terms: list[Term] = []
    for run in runs:
        terms += _terms(" ".join(run))
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return SearchQuery(
        terms=tuple(unique),
        required=tuple(tuple(dict.fromkeys(g))[:MAX_TERMS] for g in groups[:MAX_TERMS]),
        excluded=tuple(dict.fromkeys(excluded))[:MAX_TERMS],
    )


def _terms(run: str) -> list[Term]:
    """A run of plain words as terms: each number (which may span words: "twelve thousand") one term."""
    out: list[Term] = []
    position = 0
    for number in find_numbers(run):
        out += _words(run[position : number.start])
        out.append(Term(run[number.start : number.end], number.value))
        position = number.end
    return out + _words(run[position:])


def _words(text: str) -> list[Term]:
    return [with_synonyms(w[:MAX_TERM_LENGTH]) for word in text.split() if (w := _EDGE_PUNCTUATION.sub("", word))]


def with_synonyms(word: str) -> Term:
    """The word as a term that its synonym group's words (at most MAX_SYNONYMS) also satisfy."""
    synonyms = [w for w in GROUP_WORDS.get(canonical(word), ()) if w != word.lower()]
    return Term(word, alternatives=tuple(synonyms[:MAX_SYNONYMS]))
