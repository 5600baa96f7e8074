"""The word lists of one language, loaded once from `data/<language>/lexicon.json` beside this module."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

# A language is supported when its word lists are there: adding one is adding `data/<tag>/lexicon.json`.
_DATA = resources.files(__package__).joinpath("data")
SUPPORTED_LANGUAGES = tuple(sorted(entry.name for entry in _DATA.iterdir() if entry.joinpath("lexicon.json").is_file()))


class UnsupportedLanguage(ValueError):
    def __init__(self, language: str) -> None:
        super().__init__(f"no suggestion engine for language {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}")
        self.language = language


def _words(data: dict[str, Any], name: str) -> frozenset[str]:
    return frozenset(str(word).lower() for word in data[name])


def _phrases(words: list[str]) -> tuple[tuple[str, ...], ...]:
    """Multi-word phrases as token tuples, longest first so that the longest one matches."""
    return tuple(sorted((tuple(w.lower().split()) for w in words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Lexicon:
    reporting_cues: frozenset[str]
    recipient_cues: frozenset[str]
    recipients: frozenset[str]
    denial_cues: frozenset[str]
    denial_objects: frozenset[str]
    calling_cues: frozenset[str]
    judgements: frozenset[str]
    negators: frozenset[str]
    auxiliaries: frozenset[str]
    clause_words: frozenset[str]
    adverbial_heads: frozenset[str]
    adverbial_ends: frozenset[str]
    source_nouns: frozenset[str]
    pronouns: dict[str, str]
    anaphora_determiners: frozenset[str]
    verbs_in_noun_phrases: frozenset[str]
    source_types: tuple[tuple[str, frozenset[str]], ...]
    anonymous_markers: frozenset[str]
    qualifiers: tuple[tuple[tuple[str, ...], str], ...]
    approximate_qualifiers: frozenset[str]
    range_words: dict[str, str]
    number_words: dict[str, int]
    standalone_excluded_number_words: frozenset[str]
    scales: dict[str, int]
    currencies: dict[str, str]
    units: tuple[tuple[tuple[str, ...], str], ...]
    unit_words: dict[str, str]
    physical_units: frozenset[str]
    not_figure_before: frozenset[str]
    not_figure_after: frozenset[str]
    months: frozenset[str]
    noun_phrase_stops: frozenset[str]
    abbreviations: frozenset[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lexicon:
        qualifiers = [(phrase, name) for name, words in data["qualifiers"].items() for phrase in _phrases(words)]
        units = {tuple(k.lower().split()): str(v) for k, v in data["units"].items()}
        return cls(
            reporting_cues=_words(data, "reporting_cues"),
            recipient_cues=_words(data, "recipient_cues"),
            recipients=_words(data, "recipients"),
            denial_cues=_words(data, "denial_cues"),
            denial_objects=_words(data, "denial_objects"),
            calling_cues=_words(data, "calling_cues"),
            judgements=_words(data, "judgements"),
            negators=_words(data, "negators"),
            auxiliaries=_words(data, "auxiliaries"),
            clause_words=_words(data, "clause_words"),
            adverbial_heads=_words(data, "adverbial_heads"),
            adverbial_ends=_words(data, "adverbial_ends"),
            source_nouns=_words(data, "source_nouns"),
            pronouns={str(k): str(v) for k, v in data["pronouns"].items()},
            anaphora_determiners=_words(data, "anaphora_determiners"),
            verbs_in_noun_phrases=_words(data, "verbs_in_noun_phrases"),
            # Checked in this order: the first type one of whose words a source holds is its type.
            source_types=tuple((name, frozenset(words)) for name, words in data["source_types"].items()),
            anonymous_markers=_words(data, "anonymous_markers"),
            qualifiers=tuple(sorted(qualifiers, key=lambda q: len(q[0]), reverse=True)),
            approximate_qualifiers=_words(data, "approximate_qualifiers"),
            range_words={str(k): str(v) for k, v in data["range_words"].items()},
            number_words={str(k): int(v) for k, v in data["number_words"].items()},
            standalone_excluded_number_words=_words(data, "standalone_excluded_number_words"),
            scales={str(k): int(v) for k, v in data["scales"].items()},
            currencies={str(k): str(v) for k, v in data["currencies"].items()},
            units=tuple(sorted(units.items(), key=lambda u: len(u[0]), reverse=True)),
            unit_words={words[0]: name for words, name in units.items() if len(words) == 1},
            physical_units=_words(data, "physical_units"),
            not_figure_before=_words(data, "not_figure_before"),
            not_figure_after=_words(data, "not_figure_after"),
            months=_words(data, "months"),
            noun_phrase_stops=_words(data, "noun_phrase_stops"),
            abbreviations=_words(data, "abbreviations"),
        )


def load_lexicon(language: str) -> Lexicon:
    """The lexicon of `language` (a BCP 47 tag; only its primary subtag counts), read from the package data."""
    primary = language.split("-")[0].lower()
    if primary not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(language)
    source = _DATA.joinpath(primary, "lexicon.json")
    return Lexicon.from_json(json.loads(source.read_text(encoding="utf-8")))
