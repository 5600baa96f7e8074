"""Figures: a number the story rests on, with its qualifier, unit and counted noun ("around 12,000 North
Korean troops", "$2 billion", "4.5%"). Dates, years, times, ordinals, ages, datelines, list numbering and
numbers that name things ("No. 8", "Version 7.11") are left out.

Cost: one pass over the tokens; at each number a look-around of at most `_LOOK` tokens each side.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.suggestions.lexicon import Lexicon
from service.domain.suggestions.tokens import Token, Tokens

_LOOK = 4  # tokens of qualifier before, and of unit + counted noun after, a number
_MAX_DIGITS = 40  # longer digit strings are not quantities a story rests on (and would overflow a float)


@dataclass(frozen=True, slots=True)
class FoundFigure:
    start: int  # code points
    end: int
    first: int  # token indices [first, last)
    last: int
    value: float
    unit: str | None
    approximate: bool
    qualifier: str | None
    subject: str | None
    confidence: float


def _digits_value(token: Token) -> float | None:
    text = token.text
    if ":" in text or len(text) > _MAX_DIGITS:
        return None
    if text.count(".") > 1:  # "7.1.2": a version
        return None
    if "," in text:
        groups = text.split(".")[0].split(",")
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None  # "3,4": a list, not a thousands separator
    return float(text.replace(",", ""))


def _word_value(token: Token, lexicon: Lexicon) -> tuple[float, str | None] | None:
    """A number word: "nine", "thirty-eight", "five-year" (value 5, unit "years")."""
    parts = token.lower.split("-")
    if parts[0] not in lexicon.number_words:
        return None
    value = float(lexicon.number_words[parts[0]])
    unit = None
    rest = parts[1:]
    if rest and rest[0] in lexicon.number_words and lexicon.number_words[rest[0]] < 10 and value >= 20:
        value += lexicon.number_words[rest[0]]
        rest = rest[1:]
    if rest:
        unit_words = lexicon.unit_words
        if len(rest) != 1 or rest[0] not in unit_words:
            return None
        unit = unit_words[rest[0]]
    return value, unit


class FigureFinder:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def find(self, doc: Tokens) -> list[FoundFigure]:
        lexicon = self.lexicon
        tokens = doc.tokens
        found: list[FoundFigure] = []
        i = 0
        n = len(tokens)
        while i < n:
            token = tokens[i]
            figure = None
            numeric = token.kind == "num" or (
                token.kind == "word" and token.lower.split("-")[0] in lexicon.number_words
            )
            if numeric and not doc.in_dateline(token.start):
                figure = self._figure_at(doc, i)
            if figure is None:
                i += 1
                continue
            found.append(figure)
            i = max(figure.last, i + 1)
        return found

    def _is_not_a_figure(self, doc: Tokens, i: int) -> bool:
        """Years, dates, times, ordinals, ages, list numbering, names with numbers."""
        lexicon, tokens, text = self.lexicon, doc.tokens, doc.text
        token = tokens[i]
        before = tokens[i - 1] if i > 0 else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        # Glued to letters: "14th", "COVID-19", "G7", "F-16" (but "1.5C" and "40C" are temperatures).
        if token.kind == "num":
            glued = after is not None and not after.space_before and after.kind == "word"
            if glued and after is not None and after.lower not in ("c", "km", "kg", "bn", "m"):
                return True
            if before is not None and not token.space_before and before.kind == "word":
                return True
            hyphenated = before is not None and before.text == "-" and not token.space_before
            if hyphenated and before is not None and not before.space_before and i > 1 and tokens[i - 2].kind == "word":
                return True
        if after is not None and after.lower in lexicon.not_figure_after:
            return True
        if after is not None and after.text == "-" and i + 2 < len(tokens):
            follow = tokens[i + 2]
            if follow.lower in lexicon.not_figure_after or follow.lower.startswith("year-old"):
                return True
        if token.kind == "word" and "year-old" in token.lower:
            return True
        if before is not None and before.lower in lexicon.not_figure_before:
            return True
        # Dates: "Nov 4", "March 3", "3 March", "the 14th".
        if before is not None and before.lower.rstrip(".") in lexicon.months:
            return True
        if after is not None and after.lower.rstrip(".") in lexicon.months and token.kind == "num":
            return True
        if token.kind == "num":
            value = token.text
            # A year: four digits 1800-2199 with no separator, not a price or percentage.
            if len(value) == 4 and value.isdigit() and 1800 <= int(value) <= 2199:
                is_money = before is not None and before.text in lexicon.currencies
                is_percent = after is not None and after.text == "%"
                if not is_money and not is_percent:
                    return True
            # List numbering: a number opening a line, followed by "." or ")".
            line_start = token.start == 0 or text[: token.start].rstrip(" \t").endswith("\n")
            if line_start and after is not None and after.text in (".", ")"):
                return True
            # An age beside a name: "Keane, 58, has".
            if (
                before is not None
                and before.text == ","
                and after is not None
                and after.text == ","
                and i > 1
                and tokens[i - 2].capitalized
                and value.isdigit()
                and int(value) < 120
            ):
                return True
        return False

    def _qualifier(self, doc: Tokens, i: int) -> tuple[int, str | None]:
        """(index of the first token of the qualifier before token i, qualifier name)."""
        tokens = doc.tokens
        for phrase, name in self.lexicon.qualifiers:
            k = len(phrase)
            if i - k < 0:
                continue
            window = tokens[i - k : i]
            if window[0].sentence == tokens[i].sentence and tuple(t.lower for t in window) == phrase:
                return i - k, name
        return i, None

    def _number(self, doc: Tokens, i: int) -> tuple[int, float, str | None] | None:
        """(index past the number and its scale word, value, unit carried by the number word) at token i."""
        tokens = doc.tokens
        token = tokens[i]
        unit: str | None = None
        if token.kind == "num":
            value = _digits_value(token)
            if value is None:
                return None
        else:
            word = _word_value(token, self.lexicon)
            if word is None:
                return None
            value, unit = word
        j = i + 1
        # "two hundred", "six million": scale words multiply (at most two: "two hundred thousand").
        for _ in range(2):
            if j < len(tokens) and tokens[j].lower in self.lexicon.scales:
                value *= self.lexicon.scales[tokens[j].lower]
                j += 1
        return j, value, unit

    def _figure_at(self, doc: Tokens, i: int) -> FoundFigure | None:
        lexicon, tokens = self.lexicon, doc.tokens
        token = tokens[i]
        if token.kind == "word" and token.lower in lexicon.standalone_excluded_number_words:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt.lower not in lexicon.scales:
                return None
        if self._is_not_a_figure(doc, i):
            return None
        parsed = self._number(doc, i)
        if parsed is None:
            return None
        j, value, unit = parsed
        first = i
        currency = None
        if i > 0 and tokens[i - 1].text in lexicon.currencies and not token.space_before:
            currency = lexicon.currencies[tokens[i - 1].text]
            first = i - 1
        first, qualifier = self._qualifier(doc, first)
        approximate = qualifier in lexicon.approximate_qualifiers
        # A range: "between 8,000 and 10,000" is one figure, its lower bound, approximately.
        if first > 0 and tokens[first - 1].lower in lexicon.range_words and qualifier is None:
            joiner = lexicon.range_words[tokens[first - 1].lower]
            if j + 1 < len(tokens) and tokens[j].lower == joiner:
                upper = self._number(doc, j + 1)
                if upper is not None:
                    first, j = first - 1, upper[0]
                    qualifier, approximate = "at_least", True
        # "11 of the 12 warmest years": the second number belongs to the first.
        of_the = j + 2 < len(tokens) and tokens[j].lower == "of" and tokens[j + 1].lower == "the"
        part_of_whole = currency is None and of_the and tokens[j + 2].kind == "num"
        if part_of_whole:
            j += 3
        # The unit: a currency sign before, or a unit word (or phrase) after.
        if currency is not None:
            unit = currency
        else:
            for phrase, name in lexicon.units:
                k = len(phrase)
                window = tokens[j : j + k]
                if len(window) == k and tuple(t.lower for t in window) == phrase:
                    if phrase == ("c",) and window[0].space_before:
                        continue  # "40C" only, glued
                    unit = name
                    j += k
                    break
        # The counted noun: up to _LOOK words that are not function words, ending after a plural noun. A unit
        # of money, share or time counts nothing ("2% target" is 2%); a physical one counts what follows "of".
        subject_first = j
        counted = not part_of_whole and unit is None
        if unit in lexicon.physical_units and j < len(tokens) and tokens[j].lower == "of":
            subject_first, counted = j + 1, True  # "4,500 tonnes of grain"
            if subject_first < len(tokens) and tokens[subject_first].lower in ("the", "a", "an"):
                subject_first += 1
        k = subject_first
        while counted and k < len(tokens) and k - subject_first < _LOOK:
            t = tokens[k]
            if t.kind != "word" or t.lower in lexicon.noun_phrase_stops or t.sentence != token.sentence:
                break
            if t.lower.endswith("ly") or t.lower.endswith("ed") or t.lower.endswith("ing"):
                break
            k += 1
            if not t.capitalized and t.lower.endswith("s") and len(t.lower) > 3:
                break
        subject = None
        if k > subject_first:
            subject = doc.text[tokens[subject_first].start : tokens[k - 1].end]
            j = k
        last = j
        confidence = 0.9 if token.kind == "num" else 0.75
        return FoundFigure(
            start=tokens[first].start, end=tokens[last - 1].end, first=first, last=last, value=value, unit=unit,
            approximate=approximate, qualifier=qualifier, subject=subject, confidence=confidence,
        )  # fmt: skip
