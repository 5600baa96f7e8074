"""The suggestion engine: reads a story and proposes its claims, attributions, denials and figures, linked
to each other (an attribution names the claim it attributes, a denial the claim it rejects), each with a
confidence. Rules over tokens and the word lists of one language; no model, no I/O.

Cost: linear in the length of the text. Each rule visits a token once and looks around it by at most a
fixed number of tokens (`_NP`, `_ADVERBIAL`, `_APPOSITIVE`, `_OBJECT`, `_INVERTED`), and links look back
over at most `_TARGET_SENTENCES` sentences' worth of claims.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from service.domain.suggestions.figures import FigureFinder
from service.domain.suggestions.lexicon import Lexicon
from service.domain.suggestions.tokens import CLOSING_QUOTES, STRAIGHT_QUOTE, Quotation, Token, Tokens, tokenize

ENGINE_NAME = "factmark-rules"
ENGINE_VERSION = "1.0"

_NP = 10  # tokens of a source noun phrase
_ADVERBIAL = 8  # tokens of "on Monday", "in a statement" between a cue and what it reports
_APPOSITIVE = 12  # tokens of ", a spokesman for the ministry," between a source and its cue
_OBJECT = 10  # tokens of what a denial rejects ("the reports as 'rumours'")
_INVERTED = 20  # tokens of `said Colonel X, a spokesman for Y` after a quotation
_TARGET_SENTENCES = 3  # a denial's target is a claim of this many sentences before it, at most
_TERMINAL = frozenset(".!?;:,")
_MAX_FIELD = 500  # the wire limit of source, denier, subject, claimant
_BLOCK = 65_536  # code points read at once (see Engine.suggest)


@dataclass(slots=True)
class Suggestion:
    """One proposed annotation: its kind, code point span, confidence, its kind's fields, and links by index."""

    kind: str
    start: int
    end: int
    confidence: float
    fields: dict[str, Any] = field(default_factory=dict)
    link: int | None = None  # index (in the result list) of the claim an attribution or denial points at


@dataclass(slots=True)
class _Source:
    text: str
    type: str
    start: int  # token index of the first token of the source phrase
    appositive: tuple[int, int] | None = None  # token range of ", who spoke on condition of anonymity,"


def _clip(value: str) -> str:
    return value[:_MAX_FIELD]


class Engine:
    """The suggestion engine of one language; build once (its lexicon is read at start-up) and share."""

    name = ENGINE_NAME
    version = ENGINE_VERSION

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.figures = FigureFinder(lexicon)

    # ---------------------------------------------------------------- entry point

    def suggest(self, text: str, max_items: int | None = None) -> list[Suggestion]:
        """Every suggestion for `text` (the first `max_items` of them), in text order, spans in code points of
        `text` exactly as given. A long text is read in blocks of about `_BLOCK` code points cut at line
        breaks, so memory stays that of one block (links and pronouns do not reach across a cut)."""
        out: list[Suggestion] = []
        for first, last in _blocks(text):
            base = len(out)
            for item in self._suggest_block(text[first:last]):
                link = None if item.link is None else item.link + base
                out.append(
                    Suggestion(item.kind, item.start + first, item.end + first, item.confidence, item.fields, link)
                )
            if max_items is not None and len(out) >= max_items:
                break
        if max_items is not None and len(out) > max_items:
            out = out[:max_items]
            for item in out:
                if item.link is not None and item.link >= max_items:
                    item.link = None
        return out

    def _suggest_block(self, text: str) -> list[Suggestion]:
        doc = tokenize(text, self.lexicon)
        run = _Run(self, doc)
        run.attributions()
        run.quotation_continuations()
        run.denials()
        run.figure_claims()
        return run.result()


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """[first, last) code point ranges covering `text`, each at most `_BLOCK` long, cut after a line break (or
    else after a sentence's full stop, or else after a space) in its second half. Each cut looks back over at
    most half a block, so the whole split is linear."""
    first, length = 0, len(text)
    while first < length:
        last = min(length, first + _BLOCK)
        if last < length:
            floor = first + _BLOCK // 2
            for mark in ("\n", ". ", " "):
                cut = text.rfind(mark, floor, last)
                if cut != -1:
                    last = cut + len(mark)
                    break
        yield first, last
        first = last


class _Run:
    """The state of one `Engine.suggest` call."""

    def __init__(self, engine: Engine, doc: Tokens) -> None:
        self.lex = engine.lexicon
        self.doc = doc
        self.tokens = doc.tokens
        self.items: list[Suggestion] = []
        self.claim_tokens: list[tuple[int, int]] = []  # token ranges covered by claims, to skip cues inside them
        self.sources: list[tuple[str, str]] = []  # (source, type) of each attribution so far, for pronouns
        self.quote_claims: dict[int, int] = {}  # quotation index -> its claim's item index
        self.quotations_by_close = {q.close: n for n, q in enumerate(doc.quotations)}
        self.quotations_by_open = {q.open: n for n, q in enumerate(doc.quotations)}
        self.figures = engine.figures.find(doc)
        self.sentence_starts = [doc.tokens[s.first].start for s in doc.sentences]

    # ---------------------------------------------------------------- helpers

    def _sentence_of(self, i: int) -> tuple[int, int]:
        sentence = self.doc.sentences[self.tokens[i].sentence]
        return sentence.first, sentence.last

    def _content_start(self, first: int) -> int:
        """The first token of a sentence's content: past a dateline, if the sentence opens the story with one."""
        while first < len(self.tokens) and self.doc.in_dateline(self.tokens[first].start):
            first += 1
        return first

    def _content_end(self, first: int, last: int) -> int:
        """One past the last token of [first, last) that is not closing punctuation."""
        while last > first and (self.tokens[last - 1].text in _TERMINAL or self._is_close(last - 1)):
            last -= 1
        return last

    def _is_close(self, i: int) -> bool:
        return self.tokens[i].text in CLOSING_QUOTES or (
            self.tokens[i].text == STRAIGHT_QUOTE and i in self.quotations_by_close
        )

    def _in_claim(self, i: int) -> bool:
        return any(a <= i < b for a, b in self.claim_tokens[-8:])

    def _add(self, kind: str, first: int, last: int, confidence: float, **fields: Any) -> int:
        tokens = self.tokens
        self.items.append(Suggestion(kind, tokens[first].start, tokens[last - 1].end, confidence, fields))
        if kind == "claim":
            self.claim_tokens.append((first, last))
        return len(self.items) - 1

    def _span_text(self, first: int, last: int) -> str:
        return self.doc.text[self.tokens[first].start : self.tokens[last - 1].end]

    # ---------------------------------------------------------------- sources

    def _skip_auxiliaries_back(self, k: int, floor: int) -> int:
        """Index of the first auxiliary ("has", "also") right before token k, or k."""
        while k - 1 >= floor and self.tokens[k - 1].lower in self.lex.auxiliaries:
            k -= 1
        return k

    def _noun_phrase_back(self, end: int, floor: int) -> int:
        """Start of the noun phrase ending just before token `end` (== end if there is none)."""
        lex, tokens = self.lex, self.tokens
        k = end
        while k - 1 >= floor and end - (k - 1) <= _NP:
            t = tokens[k - 1]
            passive = k < end and tokens[k].lower == "by"  # "Economists polled by the agency said"
            if t.text in ("'", "’") and not t.space_before:
                k -= 1
                continue
            if t.kind == "num":
                break
            if t.kind != "word":
                break
            if (
                t.lower in lex.clause_words
                or t.lower in lex.verbs_in_noun_phrases
                or t.lower in lex.reporting_cues
                or t.lower in lex.denial_cues
                or t.lower in lex.calling_cues
                or t.lower in lex.negators
                or (t.lower.endswith("ed") and not t.capitalized and not passive)
            ):
                break
            k -= 1
        # A phrase does not open on a preposition ("in", "of" are inside it only).
        while k < end and tokens[k].lower in ("of", "for", "at", "from", "in", "on", "with", "by", "to"):
            k += 1
        return k

    def _is_source(self, first: int, last: int) -> bool:
        lex, tokens = self.lex, self.tokens
        if first >= last:
            return False
        head = tokens[last - 1]
        if head.lower in lex.source_nouns or head.lower in lex.pronouns:
            return True
        return head.capitalized or (
            any(t.capitalized for t in tokens[first:last]) and head.lower not in lex.noun_phrase_stops
        )

    def _source_before(self, cue_first: int, floor: int) -> _Source | None:
        """The source phrase right before a cue (at token `cue_first`, auxiliaries included)."""
        tokens = self.tokens
        first = self._noun_phrase_back(cue_first, floor)
        appositive = None
        if first == cue_first and cue_first - 1 >= floor and tokens[cue_first - 1].text == ",":
            # "A U.S. official, who spoke on condition of anonymity, said"
            comma = cue_first - 1
            k = comma - 1
            while k >= floor and comma - k <= _APPOSITIVE and tokens[k].text != ",":
                if tokens[k].text in _TERMINAL or tokens[k].lower in self.lex.reporting_cues or self._is_close(k):
                    k = floor - 1
                    break
                k -= 1
            if k >= floor and tokens[k].text == "," and k < comma - 1:
                head_first = self._noun_phrase_back(k, floor)
                if self._is_source(head_first, k):
                    appositive = (k, cue_first)
                    first = head_first
                    name_end = k
        if appositive is None:
            if not self._is_source(first, cue_first):
                return None
            name_end = cue_first
        words = tokens[first:name_end]
        text = self._span_text(first, name_end)
        span_words = {t.lower for t in tokens[first:cue_first]}
        return _Source(self._resolve(text, words), self._type_of(words, span_words), first, appositive)

    def _resolve(self, text: str, words: list[Token]) -> str:
        """A pronoun or "the agency" names the earlier source it refers to."""
        lex = self.lex
        lowered = [t.lower for t in words]
        if len(lowered) == 1 and lowered[0] in lex.pronouns:
            wanted = lex.pronouns[lowered[0]]
            for source, kind in reversed(self.sources[-20:]):
                if wanted == "any" or (wanted == "person") == (kind in ("person", "anonymous")):
                    return source
            return text
        if len(lowered) == 2 and lowered[0] in lex.anaphora_determiners and not words[1].capitalized:
            for source, _ in reversed(self.sources[-20:]):
                if lowered[1] in source.lower().split():
                    return source
        return text

    def _type_of(self, words: list[Token], span_words: set[str]) -> str:
        lex = self.lex
        lowered = [t.lower for t in words]
        if len(lowered) == 1 and lowered[0] in lex.pronouns:
            wanted = lex.pronouns[lowered[0]]
            for _, kind in reversed(self.sources[-20:]):
                if wanted == "any" or (wanted == "person") == (kind in ("person", "anonymous")):
                    return kind
            return "person" if wanted == "person" else "organization"
        if span_words & lex.anonymous_markers or (
            lowered[0] in ("a", "an") and not any(t.capitalized for t in words[1:] if t.lower != "u.s.")
        ):
            return "anonymous"
        if lowered[0] in ("a", "an") and lowered[-1] in lex.source_nouns and len(lowered) <= 4:
            return "anonymous"
        for name, type_words in lex.source_types:
            if name != "anonymous" and any(w in type_words for w in lowered):
                return name
        return "person"

    # ---------------------------------------------------------------- attributions and what they attribute

    def attributions(self) -> None:
        lex, tokens = self.lex, self.tokens
        for i, token in enumerate(tokens):
            if self._in_claim(i):
                continue
            if token.lower == "according" and i + 1 < len(tokens) and tokens[i + 1].lower == "to":
                self._according(i)
            elif token.lower in lex.reporting_cues:
                self._reporting(i)

    def _recipient_end(self, cue: int, last: int) -> int:
        """One past the recipient of "told reporters", "told NBC's Today show" (== cue + 1 if none)."""
        lex, tokens = self.lex, self.tokens
        c = cue + 1
        if tokens[cue].lower in lex.recipient_cues:
            k = c
            while (
                k < last
                and k - c < 5
                and (
                    tokens[k].lower in lex.recipients
                    or tokens[k].capitalized
                    or tokens[k].text in ("'", "’", '"', "“", "”")
                )
            ):
                k += 1
            c = k
        return c

    def _after_cue(self, cue: int, last: int) -> int:
        """The first token of what a cue at `cue` reports: past a recipient ("told reporters"), adverbials
        ("on Monday", "in a statement") and "that"."""
        lex, tokens = self.lex, self.tokens
        c = self._recipient_end(cue, last)
        for _ in range(2):  # at most two adverbials: "late on Sunday", "on Monday in a statement"
            if c < last and tokens[c].lower in lex.adverbial_heads:
                that = next((k for k in range(c, min(last, c + _ADVERBIAL)) if tokens[k].lower == "that"), None)
                if that is not None:
                    return that + 1
                end = next((k for k in range(c, min(last, c + 5)) if tokens[k].lower in lex.adverbial_ends), None)
                if end is None:
                    break
                c = end + 1
        if c < last and tokens[c].lower == "that":
            c += 1
        return c

    def _reporting(self, cue: int) -> None:
        tokens = self.tokens
        s_first, s_last = self._sentence_of(cue)
        floor = self._content_start(s_first)
        aux = self._skip_auxiliaries_back(cue, floor)
        source = self._source_before(aux, floor)
        if source is None:
            self._inverted(cue, aux, floor, s_last)
            return
        content = self._after_cue(cue, s_last)
        content_end = self._content_end(content, s_last)
        if content < content_end and tokens[content].lower in self.lex.adverbial_heads:
            content = content_end  # "told jurors in her closing argument on May 22.": nothing reported after
        span_end = self._recipient_end(cue, s_last)
        attribution = self._add_attribution(source, cue, span_end)
        before = source.start - 1
        if content < content_end and tokens[content].text != ",":
            claim = self._add("claim", content, content_end, 0.7, claimant=_clip(source.text))
            self.items[attribution].link = claim
            self._mark_quotations(content, content_end, claim)
            return
        # "CLAUSE, SOURCE said." or "“QUOTE,” SOURCE said."
        quotation = self._quotation_ending_at(before)
        if quotation is not None:
            self._quote_claim(quotation, attribution, source.text)
            return
        if before > floor and tokens[before].text == ",":
            first = floor
            if first < before:
                claim = self._add("claim", first, self._content_end(first, before), 0.65, claimant=_clip(source.text))
                self.items[attribution].link = claim

    def _add_attribution(self, source: _Source, cue: int, span_end: int) -> int:
        self.sources.append((source.text, source.type))
        return self._add(
            "attribution", source.start, span_end, 0.8 if source.text else 0.6,
            source=_clip(source.text), source_type=source.type, cue=self.tokens[cue].text,
        )  # fmt: skip

    def _quotation_ending_at(self, i: int) -> int | None:
        """The quotation closing at token i, or at i - 1 when token i is the comma after it."""
        tokens = self.tokens
        if i < 0:
            return None
        if i in self.quotations_by_close:
            return self.quotations_by_close[i]
        if tokens[i].text == "," and i - 1 in self.quotations_by_close:
            return self.quotations_by_close[i - 1]
        return None

    def _quote_claim(self, quotation: int, attribution: int | None, claimant: str) -> int | None:
        q: Quotation = self.doc.quotations[quotation]
        first, last = q.open + 1, self._content_end(q.open + 1, q.close)
        if first >= last:
            return None
        claim = self._add("claim", first, last, 0.75, claimant=_clip(claimant))
        self.quote_claims[quotation] = claim
        if attribution is not None:
            self.items[attribution].link = claim
        return claim

    def _mark_quotations(self, first: int, last: int, claim: int) -> None:
        """Quotations inside a reported claim belong to it: no claim of their own."""
        for k in range(first, last):
            if k in self.quotations_by_open:
                self.quote_claims[self.quotations_by_open[k]] = claim

    def _inverted(self, cue: int, aux: int, floor: int, s_last: int) -> None:
        """`“QUOTE,” said Colonel X, a spokesman for Y.`: the source follows the cue."""
        tokens = self.tokens
        quotation = self._quotation_ending_at(aux - 1)
        if quotation is None:
            return
        k = cue + 1
        while k < s_last and k - cue <= _INVERTED and tokens[k].text not in (".", "!", "?", ";"):
            if self._is_close(k) or tokens[k].text in ("“", "«"):
                break
            k += 1
        name_end = next((j for j in range(cue + 1, k) if tokens[j].text == ","), k)
        if name_end == cue + 1 or not self._is_source(cue + 1, name_end):
            return
        words = tokens[cue + 1 : name_end]
        text = self._span_text(cue + 1, name_end)
        source = _Source(self._resolve(text, words), self._type_of(words, {t.lower for t in tokens[cue:k]}), cue)
        attribution = self._add_attribution(source, cue, k)
        self._quote_claim(quotation, attribution, source.text)

    def _according(self, i: int) -> None:
        tokens = self.tokens
        s_first, s_last = self._sentence_of(i)
        floor = self._content_start(s_first)
        k = i + 2
        while k < s_last and k - i - 2 < _NP + 4:
            t = tokens[k]
            if t.kind not in ("word", "num") and t.text not in ("'", "’", "-"):
                break
            if t.lower in self.lex.clause_words and t.lower != "by":
                break
            k += 1
        if k == i + 2:
            return
        text = self._span_text(i + 2, k)
        words = tokens[i + 2 : k]
        source = _Source(self._resolve(text, words), self._type_of(words, {t.lower for t in words}), i)
        self.sources.append((source.text, source.type))
        attribution = self._add(
            "attribution", i, k, 0.8, source=_clip(source.text), source_type=source.type, cue="according to"
        )
        if i == floor:  # "According to the indictment, CLAUSE."
            first = k + 1 if k < s_last and tokens[k].text == "," else k
            last = self._content_end(first, s_last)
        else:  # "CLAUSE, according to X."
            first = floor
            last = self._content_end(floor, i)
        if first < last and not any(a < last and first < b for a, b in self.claim_tokens[-4:]):
            self.items[attribution].link = self._add("claim", first, last, 0.65, claimant=_clip(source.text))

    def quotation_continuations(self) -> None:
        """A quotation right after an attributed one, in the same paragraph, continues it: a claim of the
        same claimant."""
        quotations = self.doc.quotations
        for n in range(1, len(quotations)):
            if n in self.quote_claims or n - 1 not in self.quote_claims:
                continue
            previous, current = quotations[n - 1], quotations[n]
            between = self.doc.text[self.tokens[previous.close].end : self.tokens[current.open].start]
            if "\n" in between or current.open - previous.close > _INVERTED:
                continue
            claimant = self.items[self.quote_claims[n - 1]].fields.get("claimant") or ""
            self._quote_claim(n, None, claimant)

    # ---------------------------------------------------------------- denials

    def _negated(self, cue: int, floor: int) -> bool:
        lex = self.lex
        for k in range(max(floor, cue - 4), cue):
            lower = self.tokens[k].lower
            if lower in lex.negators or lower.endswith("n't") or lower.endswith("n’t"):
                return True
        return False

    def denials(self) -> None:
        lex, tokens = self.lex, self.tokens
        for i, token in enumerate(tokens):
            lower = token.lower
            if lower not in lex.denial_cues and lower not in lex.calling_cues:
                continue
            s_first, s_last = self._sentence_of(i)
            floor = self._content_start(s_first)
            if self._negated(i, floor):
                continue
            end = self._denial_end(i, s_last)
            if end is None:
                continue
            aux = self._skip_auxiliaries_back(i, floor)
            source = self._source_before(aux, floor)
            if source is None:
                continue
            self.sources.append((source.text, source.type))
            denial = self._add("denial", aux, end, 0.75, denier=_clip(source.text), cue=token.text)
            self.items[denial].link = self._target(denial)

    def _denial_end(self, cue: int, s_last: int) -> int | None:
        """One past the last token of what the denial rejects, or None if the cue is no denial here."""
        lex, tokens = self.lex, self.tokens
        window = range(cue + 1, min(s_last, cue + 1 + _OBJECT))
        judgement = next((k for k in window if tokens[k].lower in lex.judgements), None)
        if tokens[cue].lower in lex.calling_cues:
            if judgement is None or any(tokens[k].text in _TERMINAL for k in range(cue + 1, judgement)):
                return None
            return self._past_quote(judgement + 1, s_last)
        if cue + 1 >= s_last:
            return cue + 1
        if tokens[cue + 1].lower not in lex.denial_objects and tokens[cue + 1].lower != "that":
            return None
        as_at = next((k for k in window if tokens[k].lower == "as"), None)
        if as_at is not None and judgement is not None and as_at < judgement:
            return self._past_quote(judgement + 1, s_last)
        k = cue + 1
        if tokens[k].lower == "that":  # "denied that X": to the end of the sentence
            return self._content_end(k, s_last)
        while k < s_last and tokens[k].text not in _TERMINAL and tokens[k].lower not in ("and", "but", "in", "on"):
            k += 1
        return k

    def _past_quote(self, k: int, s_last: int) -> int:
        while k < s_last and self._is_close(k):
            k += 1
        return k

    def _target(self, denial: int) -> int | None:
        """The nearest claim before the denial, within `_TARGET_SENTENCES` sentences."""
        start = self.items[denial].start
        floor_sentence = max(0, self._sentence_at(start) - _TARGET_SENTENCES)
        floor = self.tokens[self.doc.sentences[floor_sentence].first].start
        best: int | None = None
        for n in range(len(self.items) - 1, max(-1, len(self.items) - 64), -1):
            item = self.items[n]
            later = best is None or item.end > self.items[best].end
            if item.kind == "claim" and floor <= item.start and item.end <= start and later:
                best = n
        return best

    def _sentence_at(self, offset: int) -> int:
        return max(0, bisect_right(self.sentence_starts, offset) - 1)

    # ---------------------------------------------------------------- figures and the sentences they make claims

    def figure_claims(self) -> None:
        """Figures, and a claim for each sentence with a figure that no attribution covers."""
        tokens, sentences = self.tokens, self.doc.sentences
        covered = sorted((item.start, item.end) for item in self.items if item.kind in ("claim", "denial"))
        covered_starts = [a for a, _ in covered]
        attributed = {self._sentence_at(item.start) for item in self.items if item.kind == "attribution"}
        done: set[int] = set()
        for figure in self.figures:
            self.items.append(
                Suggestion(
                    "figure", figure.start, figure.end, figure.confidence,
                    {"value": figure.value, "unit": figure.unit, "approximate": figure.approximate,
                     "qualifier": figure.qualifier, "subject": _clip(figure.subject) if figure.subject else None},
                )
            )  # fmt: skip
            number = tokens[figure.first].sentence
            if number in done or number in attributed:
                continue
            # Spans that start before the figure ends; the few last of them are the ones that can reach it.
            reach = bisect_right(covered_starts, figure.end - 1)
            if any(figure.start < b for _, b in covered[max(0, reach - 8) : reach]):
                continue
            done.add(number)
            sentence = sentences[number]
            first = self._content_start(sentence.first)
            last = self._content_end(first, sentence.last)
            if first < last:
                self._add("claim", first, last, 0.45)

    # ---------------------------------------------------------------- result

    def result(self) -> list[Suggestion]:
        """Items in text order, links renumbered."""
        order = sorted(range(len(self.items)), key=lambda n: (self.items[n].start, self.items[n].end))
        new_index = {old: new for new, old in enumerate(order)}
        out = []
        for old in order:
            item = self.items[old]
            link = new_index.get(item.link) if item.link is not None else None
            out.append(Suggestion(item.kind, item.start, item.end, item.confidence, item.fields, link))
        return out
