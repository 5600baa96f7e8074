"""Splits a text into tokens, sentences and quotations, every piece with its code point offsets into the
text exactly as given (nothing is normalised, so offsets stay those of the stored text).

Cost: one pass of each regular expression over the text (each linear: no nested repetition), then one
pass over the tokens; nothing here is worse than linear in the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from service.domain.suggestions.lexicon import Lexicon

# A number (digits with separators), a word (letters with inner apostrophes, hyphens or dots), or one
# punctuation mark that the rules look at. Anything else (spaces, emoji, symbols) is not a token.
_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,:]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:['’.\-][^\W\d_]+)*)"
    r"|(?P<punct>[\"“”‘’«»„()\[\].,;:!?$€£¥%—–-])"
)
OPENING_QUOTES = frozenset("“‘«„")
CLOSING_QUOTES = frozenset("”’»")
STRAIGHT_QUOTE = '"'
SENTENCE_ENDS = frozenset(".!?")
# A dateline opens a wire story: "KYIV, Nov 4 (Wire) - ".
_DATELINE = re.compile(r"[A-Z][A-Z .'’-]{1,40}, [A-Z][a-z]{2,4}\.? \d{1,2} \([^()\n]{1,40}\) ?[-–—] ?")
# How far apart a quotation's marks may be, in tokens: past that an unpaired mark is not a quotation.
MAX_QUOTE_TOKENS = 400


class Token:
    """One token; `sentence` is the index of its sentence, set once the sentences are known."""

    __slots__ = ("capitalized", "end", "kind", "lower", "sentence", "space_before", "start", "text")

    def __init__(self, start: int, end: int, text: str, kind: str, space_before: bool) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.lower = text.lower()
        self.kind = kind  # "num", "word" or "punct"
        self.space_before = space_before
        self.capitalized = kind == "word" and text[0].isupper()
        self.sentence = -1


@dataclass(frozen=True, slots=True)
class Sentence:
    first: int  # index of its first token
    last: int  # index one past its last token


@dataclass(frozen=True, slots=True)
class Quotation:
    open: int  # token index of the opening mark
    close: int  # token index of the closing mark


@dataclass(frozen=True, slots=True)
class Tokens:
    text: str
    tokens: list[Token]
    sentences: list[Sentence]
    quotations: list[Quotation]
    datelines: list[tuple[int, int]]  # code point ranges, in text order

    def in_dateline(self, offset: int) -> bool:
        at = bisect_right(self.datelines, (offset, len(self.text) + 1)) - 1
        return at >= 0 and self.datelines[at][0] <= offset < self.datelines[at][1]


def _raw_tokens(text: str, lexicon: Lexicon) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        start, end = match.span()
        value = match.group()
        # A word ending in an abbreviation's dot ("U.S.", "Nov.") takes the dot with it.
        if (
            kind == "word"
            and text.startswith(".", end)
            and ("." in value or value.lower() in lexicon.abbreviations or (len(value) == 1 and value.isupper()))
        ):
            end += 1
            value += "."
        if tokens and start < tokens[-1].end:  # the dot taken by an abbreviation
            continue
        tokens.append(Token(start, end, value, kind, start > previous_end))
        previous_end = end
    return tokens


def _sentence_breaks(text: str, tokens: list[Token]) -> list[Sentence]:
    """Sentences end at . ! ? (with closing quotes after it) before an upper-case word, a digit or a quote,
    and at every line break."""
    sentences: list[Sentence] = []
    first = 0
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is None:
            break
        line_break = "\n" in text[token.end : nxt.start]
        ends = False
        if token.text in SENTENCE_ENDS or (
            token.text in CLOSING_QUOTES | {STRAIGHT_QUOTE} and i > first and tokens[i - 1].text in SENTENCE_ENDS
        ):
            after = nxt.text[:1]
            ends = nxt.space_before and (
                after.isupper()
                or after.isdigit()
                or after in OPENING_QUOTES
                or (after == STRAIGHT_QUOTE and token.text != STRAIGHT_QUOTE)
            )
        if ends or line_break:
            sentences.append(Sentence(first, i + 1))
            first = i + 1
    if first < len(tokens):
        sentences.append(Sentence(first, len(tokens)))
    return sentences


def _quotations(text: str, tokens: list[Token]) -> list[Quotation]:
    """Pairs of quotation marks inside one paragraph: curly ones by direction, straight ones by alternation."""
    found: list[Quotation] = []
    open_at: int | None = None
    for i, token in enumerate(tokens):
        if i and "\n" in text[tokens[i - 1].end : token.start]:
            open_at = None  # a quotation does not run over a paragraph break in our rules
        if open_at is not None and i - open_at > MAX_QUOTE_TOKENS:
            open_at = None
        mark = token.text
        if mark in ("“", "«", "„"):
            open_at = i
        elif mark == "”" or mark == "»":
            if open_at is not None:
                found.append(Quotation(open_at, i))
            open_at = None
        elif mark == STRAIGHT_QUOTE:
            if open_at is None:
                open_at = i
            else:
                found.append(Quotation(open_at, i))
                open_at = None
    return found


def tokenize(text: str, lexicon: Lexicon) -> Tokens:
    tokens = _raw_tokens(text, lexicon)
    sentences = _sentence_breaks(text, tokens)
    for number, sentence in enumerate(sentences):
        for i in range(sentence.first, sentence.last):
            tokens[i].sentence = number
    datelines = [m.span() for m in _DATELINE.finditer(text) if m.start() == 0 or text[m.start() - 1] == "\n"]
    return Tokens(text, tokens, sentences, _quotations(text, tokens), datelines)
