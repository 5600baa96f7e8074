"""Re-anchoring benchmark: `python -m bench.anchoring` prints accuracy on the corpus, the measurement behind
the minimum approximate-match length, timings (corpus and a 200 KB / 2,000-annotation article), and time and
peak memory on hostile inputs (`bench/anchoring/adversarial.py`)."""

from __future__ import annotations

import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from bench.anchoring.adversarial import adversarial
from bench.anchoring.articles import SYNONYMS, TOPICS
from bench.anchoring.corpus import Case, article, build_case, corpus
from service.domain import reanchoring
from service.domain.anchoring import context_around
from service.domain.reanchoring import Relocation, StoredAnchor, reanchor


def _outcome(got: Relocation) -> str:
    if got.status == "orphaned":
        return "orphaned"
    return "approximate" if got.approximate else "exact"


def evaluate(cases: list[Case]) -> None:
    """Precision/recall of relocation and orphaning, exact-position accuracy, and a per-change table."""
    tally: Counter[str] = Counter()
    by_change: dict[str, Counter[str]] = defaultdict(Counter)
    mistakes: list[str] = []
    elapsed = 0.0
    for case in cases:
        t0 = time.perf_counter()
        results = reanchor(case.old_text, case.new_text, case.anchors)
        elapsed += time.perf_counter() - t0
        for anchor, want, got in zip(case.anchors, case.expected, results):
            found, should = got.status != "orphaned", want.status != "orphaned"
            right_span = found and should and (got.start, got.end) == want.span
            tally["found"] += found
            tally["should"] += should
            tally["found_right"] += right_span
            tally["found_should"] += found and should
            tally["orphaned"] += not found
            tally["should_orphan"] += not should
            tally["orphaned_right"] += not found and not should
            tally["approx_right_kind"] += found and got.approximate == (want.status == "approximate") and should
            ok = right_span or (not found and not should)
            by_change[want.change]["n"] += 1
            by_change[want.change]["ok"] += ok
            if not ok:
                got_text = "orphaned" if not found else f"{_outcome(got)} {got.quote!r}"
                mistakes.append(f"  {case.name} {anchor.id} [{want.change}] {anchor.quote!r}: got {got_text}")
    n = sum(len(c.anchors) for c in cases)
    print(f"corpus: {len(cases)} articles, {n} annotations")
    print(
        f"  relocation (anchored+relocated): precision {tally['found_right'] / max(1, tally['found']):.3f}"
        f"  recall {tally['found_right'] / max(1, tally['should']):.3f}"
        f"  ({tally['found_right']} right of {tally['found']} found, {tally['should']} expected)"
    )
    print(
        f"  orphaning: precision {tally['orphaned_right'] / max(1, tally['orphaned']):.3f}"
        f"  recall {tally['orphaned_right'] / max(1, tally['should_orphan']):.3f}"
        f"  ({tally['orphaned_right']} right of {tally['orphaned']} orphaned, {tally['should_orphan']} expected)"
    )
    print(
        f"  exact-position accuracy (found and expected found: span identical): "
        f"{tally['found_right'] / max(1, tally['found_should']):.3f}"
    )
    print(f"  time: {1000 * elapsed / n * 1000:.1f} ms per 1,000 annotations ({1000 * elapsed:.1f} ms total)")
    print("  by change:        n   correct")
    for change, c in sorted(by_change.items()):
        print(f"    {change:<20} {c['n']:>4}  {c['ok'] / c['n']:.3f}")
    if mistakes:
        print("  mistakes:")
        print("\n".join(mistakes))


def _phrases(text: str, length: int, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Word-aligned spans of about `length` code points."""
    starts = [m.start() for m in re.finditer(r"(?<!\w)\w", text)]
    spans = []
    for _ in range(count * 3):
        s = rng.choice(starts)
        m = re.compile(r"\w(?!\w)").search(text, s + length - 1)
        if m and m.end() - s <= length + 4 and "\n" not in text[s : m.end()]:
            spans.append((s, m.end()))
        if len(spans) == count:
            break
    return spans


@contextmanager
def _min_length(value: int) -> Iterator[None]:
    saved = reanchoring.MIN_APPROX_LENGTH
    reanchoring.MIN_APPROX_LENGTH = value
    try:
        yield
    finally:
        reanchoring.MIN_APPROX_LENGTH = saved


def _slight_edit(quote: str, rng: random.Random) -> str | None:
    """One realistic small edit inside a quote: a synonym, a changed digit or a dropped/added comma."""
    words = [m for m in re.finditer(r"\w+", quote) if m.group() in SYNONYMS]
    digits = list(re.finditer(r"\d", quote))
    if digits:
        d = rng.choice(digits)
        return quote[: d.start()] + str((int(d.group()) + 3) % 10) + quote[d.end() :]
    if words:
        w = rng.choice(words)
        return quote[: w.start()] + SYNONYMS[w.group()] + quote[w.end() :]
    letters = [m.start() for m in re.finditer(r"[a-z]", quote)]
    if not letters:
        return None
    at = rng.choice(letters)  # a typo fixed: one letter replaced
    return quote[:at] + ("e" if quote[at] != "e" else "a") + quote[at + 1 :]


def minimum_length(cases: list[Case]) -> None:
    """False-match rate of approximate matching against quote length, with the length floor switched off.

    False: the sentence holding the quote is replaced by a sentence from another article (rewritten beyond
    recognition), so any relocation is wrong. True: the quote gets one small edit, so a relocation at the
    edited span is right.
    """
    rng = random.Random(7)
    sentences = [s for c in cases for s in re.split(r"(?<=[.!?])\s+", c.old_text) if len(s) > 40]
    print("minimum approximate-match length (floor switched off; ~400 quotes per length):")
    print("  length  false: sentence rewritten  false: quote replaced  true: quote slightly edited")
    for length in (5, 8, 10, 12, 14, 16, 20, 30):
        false = true = trials_f = trials_t = refilled = trials_r = 0
        pool = [c.old_text[s:e] for c in cases for s, e in _phrases(c.old_text, length, rng, 4)]
        for case in rng.sample(cases, len(cases)):
            for start, end in _phrases(case.old_text, length, rng, 12):
                old = case.old_text
                quote = old[start:end]
                prefix, suffix = context_around(old, start, end)
                anchor = StoredAnchor(0, start, end, quote, prefix, suffix)
                s0 = max(old.rfind(". ", 0, start) + 2, old.rfind("\n", 0, start) + 1)
                s1 = min(i for i in (old.find(". ", end), old.find("\n", end), len(old)) if i >= 0)
                other = rng.choice(sentences)
                rewritten = old[:s0] + other.rstrip(".") + old[s1:]
                edited = _slight_edit(quote, rng)
                with _min_length(1):
                    if quote not in rewritten:
                        trials_f += 1
                        false += reanchor(old, rewritten, [anchor])[0].status != "orphaned"
                    # The annotated words are replaced by other words of about the same length.
                    other_phrase = rng.choice(pool)
                    if other_phrase != quote:
                        trials_r += 1
                        replaced = old[:start] + other_phrase + old[end:]
                        refilled += reanchor(old, replaced, [anchor])[0].status != "orphaned"
                    if edited is not None and edited != quote:
                        trials_t += 1
                        got = reanchor(old, old[:start] + edited + old[end:], [anchor])[0]
                        true += got.status != "orphaned" and (got.start, got.end) == (start, start + len(edited))
            if trials_f >= 400:
                break
        print(
            f"  {length:>6}  {false / max(1, trials_f):>24.1%}  {refilled / max(1, trials_r):>21.1%}"
            f"  {true / max(1, trials_t):>27.1%}   (n={trials_f}/{trials_r}/{trials_t})"
        )
    print(f"  chosen MIN_APPROX_LENGTH = {reanchoring.MIN_APPROX_LENGTH}")


def synthetic() -> None:
    """A 200 KB article with 2,000 annotations: the corpus articles run together, revised as one text."""
    rng = random.Random(99)

    paragraphs: list[str] = []
    copy = 0
    while sum(map(len, paragraphs)) < 215_000:
        for t, topic in enumerate(TOPICS):
            for f, fill in enumerate(topic["fills"]):  # type: ignore[attr-defined]
                paragraphs += article(topic, fill, f"c{copy}t{t}f{f}")
        copy += 1
    case = build_case(paragraphs, "synthetic", rng, crlf=False, operations=60)
    case.anchors, case.expected = case.anchors[:2000], case.expected[:2000]
    t0 = time.perf_counter()
    reanchor(case.old_text, case.new_text, case.anchors)
    elapsed = time.perf_counter() - t0
    print(
        f"synthetic: {len(case.old_text) / 1000:.0f} KB -> {len(case.new_text) / 1000:.0f} KB, "
        f"{len(case.anchors)} annotations, {len(case.edits)} edits: {1000 * elapsed:.0f} ms"
    )


def main() -> None:
    cases = corpus()
    evaluate(cases)
    print()
    minimum_length(cases)
    print()
    synthetic()
    print()
    adversarial()


if __name__ == "__main__":
    main()
