"""Builds the benchmark corpus: articles from `articles.py`, each with a second revision made by an editor's
operations, and the outcome every annotation should have. Annotated spans are carried through the edits as
markers, so the expected new span is wherever the marked text ends up."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from bench.anchoring.articles import INSERTED, OTHER_NAMES, REWRITES, SYNONYMS, TOPICS
from service.domain.anchoring import context_around
from service.domain.reanchoring import StoredAnchor

OPEN, CLOSE = "\x01", "\x02"  # marker: OPEN id OPEN text CLOSE
_MARKER = re.compile(f"{OPEN}([^{OPEN}]*){OPEN}([^{CLOSE}]*){CLOSE}")
_SENTENCE_END = re.compile(r"(?<=[.!?\u201d])\s+")


@dataclass
class Expected:
    status: str  # "exact" (same quote), "approximate" (quote edited slightly) or "orphaned"
    span: tuple[int, int] | None
    change: str  # what the edits did to it, for the per-category table


@dataclass
class Case:
    name: str
    old_text: str
    new_text: str
    anchors: list[StoredAnchor]
    expected: list[Expected]
    edits: list[str] = field(default_factory=list)


def _render(paragraphs: list[str], separator: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """The plain text and the span of every marker still in it."""
    raw = separator.join(paragraphs)
    out: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    at = pos = 0
    for m in _MARKER.finditer(raw):
        out.append(raw[pos : m.start()])
        at += m.start() - pos
        spans[m.group(1)] = (at, at + len(m.group(2)))
        out.append(m.group(2))
        at += len(m.group(2))
        pos = m.end()
    out.append(raw[pos:])
    return "".join(out), spans


def _markers(paragraphs: list[str]) -> list[tuple[int, re.Match[str]]]:
    return [(i, m) for i, p in enumerate(paragraphs) for m in _MARKER.finditer(p)]


class _Editor:
    """Applies one random editorial operation at a time and records what happened to each marked span."""

    def __init__(self, paragraphs: list[str], rng: random.Random, changes: dict[str, str]) -> None:
        self.p, self.rng, self.changes = paragraphs, rng, changes

    def _replace_in_marker(self, i: int, m: re.Match[str], old: str, new: str, change: str) -> bool:
        text = m.group(2)
        word = re.search(rf"(?<!\w){re.escape(old)}(?!\w)", text)
        if not word:
            return False
        edited = text[: word.start()] + new + text[word.end() :]
        self.p[i] = self.p[i][: m.start(2)] + edited + self.p[i][m.end(2) :]
        self.changes[m.group(1)] = change
        return True

    def insert_paragraph(self) -> str:
        self.p.insert(self.rng.randrange(len(self.p) + 1), self.rng.choice(INSERTED))
        return "insert paragraph"

    def delete_paragraph(self) -> str:
        i = self.rng.randrange(1, len(self.p))
        for m in _MARKER.finditer(self.p[i]):
            self.changes[m.group(1)] = "paragraph deleted"
        del self.p[i]
        return "delete paragraph"

    def swap_paragraphs(self) -> str:
        i, j = self.rng.sample(range(1, len(self.p)), 2)
        self.p[i], self.p[j] = self.p[j], self.p[i]
        for m in _MARKER.finditer(self.p[i] + self.p[j]):
            self.changes.setdefault(m.group(1), "paragraph moved")
        return "swap paragraphs"

    def reword(self) -> str:
        options = [
            (i, m, w)
            for i, m in _markers(self.p)
            if len(m.group(2)) >= 16
            for w in SYNONYMS
            if re.search(rf"(?<!\w){w}(?!\w)", m.group(2))
        ]
        if not options:
            return self.insert_paragraph()
        i, m, w = self.rng.choice(options)
        self._replace_in_marker(i, m, w, SYNONYMS[w], "phrase reworded")
        return "reword phrase"

    def change_number(self) -> str:
        options = [(i, m) for i, m in _markers(self.p) if re.search(r"\d", m.group(2))]
        if not options:
            return self.insert_paragraph()
        i, m = self.rng.choice(options)
        digits = list(re.finditer(r"\d", m.group(2)))
        d = self.rng.choice(digits[:2])
        text = m.group(2)
        edited = text[: d.start()] + str((int(d.group()) + 3) % 10) + text[d.end() :]
        self.p[i] = self.p[i][: m.start(2)] + edited + self.p[i][m.end(2) :]
        self.changes[m.group(1)] = "number changed"
        return "change number"

    def fix_punctuation(self) -> str:
        fixes = [("\u201c", '"'), ("\u201d", '"'), (" said ", " said, "), ("\u2019", "'"), ("; ", ". ")]
        options = [(i, old, new) for i, p in enumerate(self.p) for old, new in fixes if old in p]
        i, old, new = self.rng.choice(options)
        at = self.p[i].find(old)
        for m in _MARKER.finditer(self.p[i]):
            if m.start(2) <= at and at + len(old) <= m.end(2):
                self.changes[m.group(1)] = "punctuation fixed"
        self.p[i] = self.p[i][:at] + new + self.p[i][at + len(old) :]
        return "fix punctuation"

    def add_emoji(self) -> str:
        options = _markers(self.p)
        i, m = self.rng.choice(options)
        emoji = self.rng.choice(["\u26a0\ufe0f ", "\U0001f1ea\U0001f1fa ", "\U0001f4ca ", "\u2705 "])
        self.p[i] = self.p[i][: m.start()] + emoji + self.p[i][m.start() :]
        self.changes.setdefault(m.group(1), "emoji added before")
        return "add emoji"

    def rewrite_sentence(self) -> str:
        i, m = self.rng.choice(_markers(self.p))
        para = self.p[i]
        bounds = [0, *(b.end() for b in _SENTENCE_END.finditer(para)), len(para)]
        start = max(b for b in bounds if b <= m.start())
        end = min([b for b in bounds if b >= m.end()] or [len(para)])
        for gone in _MARKER.finditer(para[start:end]):
            self.changes[gone.group(1)] = "sentence rewritten"
        self.p[i] = para[:start] + self.rng.choice(REWRITES) + (" " if end < len(para) else "") + para[end:].lstrip()
        return "rewrite sentence"

    def rename(self) -> str:
        options = [
            (i, m)
            for i, m in _markers(self.p)
            if len(m.group(2)) < 20 and not re.search(r"\d", m.group(2)) and m.group(2)[:1].isupper()
        ]
        if not options:
            return self.insert_paragraph()
        i, m = self.rng.choice(options)
        self.p[i] = self.p[i][: m.start()] + self.rng.choice(OTHER_NAMES) + self.p[i][m.end() :]
        self.changes[m.group(1)] = "short quote changed"
        return "replace short name"


_OPERATIONS = [
    ("insert_paragraph", 3),
    ("delete_paragraph", 2),
    ("swap_paragraphs", 2),
    ("reword", 3),
    ("change_number", 2),
    ("fix_punctuation", 3),
    ("add_emoji", 2),
    ("rewrite_sentence", 2),
    ("rename", 1),
]


def article(topic: dict[str, object], fill: dict[str, str], ident: str) -> list[str]:
    counter = iter(range(1000))

    def mark(m: re.Match[str]) -> str:
        return f"{OPEN}{ident}.{next(counter)}{OPEN}{m.group(1)}{CLOSE}"

    paragraphs = [str(p).format(**fill) for p in topic["paragraphs"]]  # type: ignore[attr-defined]
    return [re.sub(r"\[\[(.*?)\]\]", mark, p) for p in paragraphs]


def build_case(paragraphs: list[str], name: str, rng: random.Random, crlf: bool, operations: int) -> Case:
    separator = "\r\n\r\n" if crlf else "\n\n"
    old_text, old_spans = _render(paragraphs, separator)
    changes: dict[str, str] = {}
    editor = _Editor(list(paragraphs), rng, changes)
    names, weights = zip(*_OPERATIONS)
    edits = [getattr(editor, op)() for op in rng.choices(names, weights, k=operations)]
    new_text, new_spans = _render(editor.p, separator)
    anchors, expected = [], []
    for ident, (start, end) in old_spans.items():
        prefix, suffix = context_around(old_text, start, end)
        anchors.append(StoredAnchor(ident, start, end, old_text[start:end], prefix, suffix))
        change = changes.get(ident, "untouched")
        span = new_spans.get(ident)
        if span is None or change == "short quote changed":
            expected.append(Expected("orphaned", None, change))
        elif new_text[span[0] : span[1]] == old_text[start:end]:
            expected.append(Expected("exact", span, change))
        else:
            expected.append(Expected("approximate", span, change))
    return Case(name, old_text, new_text, anchors, expected, edits)


def corpus(seed: int = 20261125) -> list[Case]:
    """One case per (topic, fill): 36 articles, each with 4-7 editorial operations."""
    rng = random.Random(seed)
    cases = []
    for t, topic in enumerate(TOPICS):
        for f, fill in enumerate(topic["fills"]):  # type: ignore[attr-defined]
            name = f"t{t}f{f}"
            paragraphs = article(topic, fill, name)
            cases.append(build_case(paragraphs, name, rng, crlf=(t + f) % 3 == 0, operations=rng.randint(4, 7)))
    return cases
