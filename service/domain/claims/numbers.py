"""Numbers in claim text, however written: "12,000", "12 000", "12k", "twelve thousand", "1.5 million" all give
one value. `number_values` is the contract the database copies: schemas/0008_claims.sql `factmark_figures`
implements the same two patterns (tests/store/test_claim_figures.py keeps them in step), so a figure found here
in a query is found there in a stored claim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Digits with thousands groups (comma, space, no-break or thin space), an optional decimal part, and an optional
# scale: attached k/m/bn ("12k", "$5bn", "5 bn") or a scale word ("1.5 million"). Starts after no word character,
# dot or comma, nor after a letter and a hyphen (the database writes that letter class [[:alpha:]]), so "v2.12",
# "F-35" and the "000" of "12,000" never start a number.
# Spaces, spelled out: the database's \s is ASCII only, so both sides name the no-break and thin spaces.
SPACE = "[ \t\n\r\f\v\u00a0\u202f\u2009]"
DIGITS = re.compile(
    r"(?<![\w.,])(?<![^\W\d_]-)(\d{1,3}(?:[, \u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)(?:\.(\d+))?"
    rf"(?:(k|m|bn)|{SPACE}(bn)|{SPACE}+(hundred|thousand|million|billion|trillion))?(?!\w)",
    re.IGNORECASE,
)
_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SUFFIXES = {"k": 1000, "m": 10**6, "bn": 10**9}
SPELLED_WORDS = frozenset([*_SMALL, "hundred", *_SCALES])
_WORD = "(?:" + "|".join(sorted(SPELLED_WORDS, key=len, reverse=True)) + ")"
# A run of number words ("twelve thousand", "forty-five", "a hundred and twenty"); "a" only before a scale.
SPELLED = re.compile(
    rf"(?<![\w-])(?:a{SPACE}+(?=hundred|thousand|million|billion|trillion))?{_WORD}"
    rf"(?:(?:{SPACE}+and{SPACE}+|(?:{SPACE}|-)+){_WORD})*(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Number:
    """One number in a text: its value, where it stands (code points) and whether it was spelled out."""

    value: float
    start: int
    end: int
    plain_digits: bool
    """Written as digits only ("2024"), no separator, decimal part or scale: what a year looks like."""


def _digit_value(match: re.Match[str]) -> float | None:
    whole, fraction, suffix, spaced_bn, scale_word = match.groups()
    try:
        value = Decimal(re.sub(r"\D", "", whole) + (f".{fraction}" if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the pattern only admits digits
        return None
    if suffix or spaced_bn:
        value *= _SUFFIXES[(suffix or spaced_bn).lower()]
    elif scale_word:
        value *= 100 if scale_word.lower() == "hundred" else _SCALES[scale_word.lower()]
    return float(value)


def spelled_value(words: str) -> int:
    """The value of a run of number words; linear in the words."""
    total = current = 0
    for word in re.split(rf"(?:{SPACE}|-)+", words.lower()):
        if word in _SMALL:
            current += _SMALL[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current


def find_numbers(text: str) -> list[Number]:
    """Every number in `text`, in order. Two regex scans, each linear in the text."""
    found: list[Number] = []
    masked = list(text)
    for match in DIGITS.finditer(text):
        value = _digit_value(match)
        if value is None:  # pragma: no cover
            continue
        plain = match.group(0).isdigit()
        found.append(Number(value, match.start(), match.end(), plain))
        masked[match.start() : match.end()] = "#" * (match.end() - match.start())
    for match in SPELLED.finditer("".join(masked)):
        found.append(Number(float(spelled_value(match.group(0))), match.start(), match.end(), False))
    return sorted(found, key=lambda number: number.start)


def number_values(text: str) -> list[float]:
    """The distinct values of every number in `text`, sorted: what `factmark_figures` stores for a claim."""
    return sorted({number.value for number in find_numbers(text)})


def parse_number(term: str) -> float | None:
    """The value of a query term that is one number ("12,000", "12k", "twelve"), else None."""
    numbers = find_numbers(term.strip())
    if len(numbers) == 1 and numbers[0].start == 0 and numbers[0].end == len(term.strip()):
        return numbers[0].value
    return None
