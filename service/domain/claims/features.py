"""What a claim states, as matching compares it: its wording (words mapped through the synonym groups of
lexicon.toml), its figures with unit and approximation, its names, its dates and whether it denies."""

from __future__ import annotations

import functools
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from importlib import resources
from typing import Final

from service.domain.claims.numbers import SPELLED_WORDS, Number, find_numbers

_LEXICON = tomllib.loads(resources.files(__package__).joinpath("lexicon.toml").read_text("utf-8"))
# Every listed word or phrase -> its group's first word.
SYNONYMS: Final[dict[str, str]] = {
    word: group
    for table in ("synonyms", "places")
    for group, words in _LEXICON[table].items()
    for word in (group, group.replace("_", " "), *words)
}
# Each synonym group's words ("troop" -> troops, soldier, soldiers, ...), to widen a search for one of them.
GROUP_WORDS: Final[dict[str, tuple[str, ...]]] = {
    group: tuple(words) for table in ("synonyms", "places") for group, words in _LEXICON[table].items()
}
_PHRASES = sorted((w for w in SYNONYMS if " " in w or not w.isalnum()), key=len, reverse=True)
# Multi-word and symbol entries ("per cent", "north korean", "%"), longest first, replaced before tokenising.
_PHRASE = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in _PHRASES), re.IGNORECASE)
NEGATIVE: Final = frozenset(_LEXICON["polarity"]["negative"])
POSITIVE: Final = frozenset(_LEXICON["polarity"]["positive"])
_APPROXIMATE = sorted(_LEXICON["approximate"]["about"], key=len, reverse=True)
COMMON: Final = frozenset(_LEXICON["common"]["words"])
MONTHS: Final = frozenset(_LEXICON["dates"]["months"])
WEEKDAYS: Final = frozenset(_LEXICON["dates"]["weekdays"])
_STARTERS: Final = frozenset(_LEXICON["common"]["sentence_starters"]) | frozenset(SPELLED_WORDS)
_YEAR_WORDS: Final = frozenset(
    ["in", "since", "by", "until", "till", "from", "during", "of", "early", "late", "mid", "before", "after", *MONTHS]
)
_LAST_WORD = re.compile(r"(\w+)\W*$")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[%$€£]")
_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w’'.-]*)*")
_SENTENCE_END = frozenset('.!?:;"“”')
# Figures' words after the number looked at for its unit; "12,000 North Korean troops" reaches "troops".
UNIT_WINDOW = 4


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    unit: str | None
    """The canonical word the number counts ("troop" for "soldiers"), or None."""
    approximate: bool
    text: str


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    text: str
    words: tuple[str, ...]
    """Canonical content words, in order."""
    figures: tuple[Figure, ...]
    names: tuple[frozenset[str], ...]
    """Each capitalised span as its set of canonical words ("North Korean troops" -> {"north_korea"})."""
    name_texts: tuple[str, ...]
    years: frozenset[int]
    months: frozenset[str]
    weekdays: frozenset[str]
    negations: tuple[str, ...]
    """The denying words it uses ("denied", "not")."""


@functools.lru_cache(maxsize=1 << 16)
def canonical(word: str) -> str:
    """The word's synonym group, "not" for a denying word, else its crude English stem; a common word
    ("officials", "said") maps to ""."""
    lowered = word.lower()
    if lowered.endswith(("'s", "’s")):
        lowered = lowered[:-2]
    if lowered in COMMON:
        return ""
    if lowered in SYNONYMS:
        return SYNONYMS[lowered]
    if lowered in NEGATIVE or lowered.endswith(("n't", "n’t")):
        return "not"
    stem = _stem(lowered)
    return SYNONYMS.get(stem, stem)


def _stem(word: str) -> str:
    """Strips one plural or verb ending, enough for "drones"/"drone" and "entered"/"enter" to meet."""
    for ending, replacement, shortest in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5), ("s", "", 4)):
        if word.endswith(ending) and len(word) >= shortest and not word.endswith("ss"):
            return word[: -len(ending)] + replacement
    return word


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(canonical token, start, end) with multi-word synonyms joined; linear in the text."""
    out: list[tuple[str, int, int]] = []
    position = 0
    for match in _PHRASE.finditer(text) if _PHRASES else ():
        out += [(canonical(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text, position, match.start())]
        out.append((canonical(match.group(0)), match.start(), match.end()))
        position = match.end()
    out += [(canonical(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text, position)]
    return out


def words_of(text: str) -> list[str]:
    """The words of a text as written."""
    return [m.group(0) for m in _TOKEN.finditer(text)]


def _following(tokens: list[tuple[str, int, int]], starts: list[int], end: int, count: int) -> list[str]:
    """The `count` tokens starting at or after `end` (a binary search in the token starts)."""
    first = bisect_left(starts, end)
    return [token for token, _, _ in tokens[first : first + count]]


def _unit_after(tokens: list[tuple[str, int, int]], starts: list[int], end: int, names: frozenset[str]) -> str | None:
    for token in _following(tokens, starts, end, UNIT_WINDOW):
        if not token or token in COMMON or token in names or token.isdigit():
            continue
        return token
    return None


def _unit_before(text: str, start: int) -> str | None:
    before = text[max(0, start - 2) : start].strip()
    return SYNONYMS.get(before[-1:]) if before else None


def _approximate_before(window: str) -> bool:
    """Whether the text before a number ends with an approximation marker ("about", "more than", "~")."""
    lowered = window.lower().rstrip(" \t\n\u00a0\u202f$€£")
    for marker in _APPROXIMATE:
        if lowered.endswith(marker) and (len(lowered) == len(marker) or not lowered[-len(marker) - 1].isalnum()):
            return True
    return False


def _sentence_start(text: str, start: int) -> bool:
    """Whether `start` begins a sentence: the text's start, or after . ! ? : ; or a quote and spaces."""
    window = text[max(0, start - 4) : start]
    before = window.rstrip()
    return (start == len(window) and not before) or (bool(before) and before[-1] in _SENTENCE_END)


def _is_year(number: Number, text: str, tokens: list[tuple[str, int, int]], starts: list[int]) -> bool:
    if not number.plain_digits or not 1800 <= number.value <= 2100:
        return False
    after = _following(tokens, starts, number.end, 1)
    before = _LAST_WORD.search(text[max(0, number.start - 12) : number.start])
    return not after or (before is not None and (before.group(1).lower() in _YEAR_WORDS or before.group(1).isdigit()))


def _ordinary_start(word: str) -> bool:
    """Whether a sentence's capitalised first word is an ordinary word rather than a name."""
    lowered = _possessive(word.lower())
    if lowered in _COUNTRY_WORDS:
        return False
    return lowered in COMMON or lowered in SYNONYMS or lowered in _STARTERS or lowered.endswith("ly")


def _possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _names(text: str) -> list[str]:
    """Capitalised spans, split at possessives ("Bangladesh's Sylhet" is two names), without a sentence's first
    word when it is an ordinary one ("The", "Officials", "Roughly")."""
    spans = []
    for match in _NAME.finditer(text):
        pieces = re.split(r"(?<=['’]s)\s+", match.group(0).rstrip("."))
        if _sentence_start(text, match.start()):
            first, _, rest = pieces[0].partition(" ")
            if _ordinary_start(first):
                pieces[0] = rest.strip()
        for piece in pieces:
            words = piece.split()
            if not piece or all(w.lower() in MONTHS or w.lower() in WEEKDAYS for w in words):
                continue
            spans.append(_possessive(piece))
    return spans


# Synonym groups that name places or peoples: a sentence-initial "Russia" or "Russian" is a name.
_COUNTRY_WORDS: Final = frozenset(
    word for group, words in _LEXICON["places"].items() for word in (group, group.replace("_", " "), *words)
)


def features(text: str) -> ClaimFeatures:
    """Features of a claim's statement: a few linear scans of the text, plus a binary search in the tokens for
    each number (O(n log n) in the text's length)."""
    tokens = _tokens(text)
    starts = [start for _, start, _ in tokens]
    name_texts = _names(text)
    names = tuple(
        frozenset(t for t, _, _ in _tokens(span) if t and t not in COMMON) or frozenset({span.lower()})
        for span in name_texts
    )
    name_words = frozenset().union(*names) if names else frozenset()
    figures: list[Figure] = []
    years: set[int] = set()
    numbers = find_numbers(text)
    for number in numbers:
        if _is_year(number, text, tokens, starts):
            years.add(int(number.value))
            continue
        approximate = _approximate_before(text[max(0, number.start - 24) : number.start])
        unit = _unit_before(text, number.start) or _unit_after(tokens, starts, number.end, name_words)
        figures.append(Figure(number.value, unit, approximate, text[number.start : number.end]))
    in_number = bytearray(len(text) + 1)  # 1 where a number's text stands, so its digits are not words
    for number in numbers:
        in_number[number.start : number.end] = b"\x01" * (number.end - number.start)
    words = tuple(token for token, start, _ in tokens if token and token not in COMMON and not in_number[start])
    lowered = [m.group(0).lower() for m in _TOKEN.finditer(text)]
    capitalised = {m.group(0).lower() for m in _TOKEN.finditer(text) if m.group(0)[:1].isupper()}
    negations = tuple(w for w in lowered if w in NEGATIVE or w.endswith(("n't", "n’t")))
    return ClaimFeatures(
        text=text,
        words=words,
        figures=tuple(figures),
        names=names,
        name_texts=tuple(name_texts),
        years=frozenset(years),
        months=frozenset(w for w in lowered if w in MONTHS and w in capitalised),
        weekdays=frozenset(w for w in lowered if w in WEEKDAYS),
        negations=negations,
    )
