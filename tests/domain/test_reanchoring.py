"""Re-anchoring annotations onto a new revision: examples for each outcome on news text, and properties over
random texts and random edits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq

from service.domain.anchoring import context_around
from service.domain.reanchoring import MIN_APPROX_LENGTH, Relocation, StoredAnchor, reanchor
from tests.fixtures import RIGA, span

PARAGRAPHS = [
    "Officials in Riga said on Monday that about 4,500\u00a0tonnes of grain had left the port. The ministry said "
    "the port would stay open.",
    "The ministry dismissed reports of a blockade as \u201crumours\u201d. A shipping agency said the vessels were "
    "insured; the owner has denied this.",
    "\U0001f1f1\U0001f1fb Port traffic rose 12%\u00a0in\u00a0October. Linus Berg, a harbour pilot, said the "
    "queue of ships had never been longer. The ministry said the port would stay open.",
    "Analysts said exports are often recorded twice when cargo is transferred between ships.",
]
ARTICLE = "\r\n\r\n".join(PARAGRAPHS)


def anchor_on(text: str, quote: str, occurrence: int = 0) -> StoredAnchor:
    start, end = span(text, quote, occurrence)
    prefix, suffix = context_around(text, start, end)
    return StoredAnchor(quote, start, end, quote, prefix, suffix)


def one(old: str, new: str, anchor: StoredAnchor) -> Relocation:
    [result] = reanchor(old, new, [anchor])
    assert result.id == anchor.id
    return result


def test_unchanged_text_keeps_every_annotation_anchored() -> None:
    anchors = [anchor_on(ARTICLE, q) for q in ("Officials in Riga said", "12%\u00a0in\u00a0October", "Linus")]
    for result, anchor in zip(reanchor(ARTICLE, ARTICLE, anchors), anchors):
        assert (result.status, result.start, result.end, result.confidence) == ("anchored", anchor.start, anchor.end, 1)


def test_paragraph_inserted_above_relocates_exactly() -> None:
    new = "Update: this article has been corrected.\r\n\r\n" + ARTICLE
    anchor = anchor_on(ARTICLE, "the vessels were insured")
    result = one(ARTICLE, new, anchor)
    assert (result.status, result.confidence, result.approximate) == ("relocated", 1.0, False)
    assert (result.start, result.end) == span(new, "the vessels were insured")


def test_repeated_phrase_keeps_its_own_occurrence_when_text_is_inserted_above() -> None:
    # "The ministry said the port would stay open." occurs twice; the second one is annotated.
    anchor = anchor_on(ARTICLE, "The ministry said the port would stay open", occurrence=1)
    new = "\U0001f534 LIVE: follow our coverage.\r\n\r\n" + ARTICLE
    result = one(ARTICLE, new, anchor)
    assert (result.status, result.start) == ("relocated", span(new, anchor.quote, occurrence=1)[0])


def test_deleted_paragraph_orphans_its_annotations_even_if_the_phrase_repeats_elsewhere() -> None:
    new = "\r\n\r\n".join(PARAGRAPHS[:2] + PARAGRAPHS[3:])
    phrase = anchor_on(ARTICLE, "The ministry said", occurrence=1)
    name = anchor_on(ARTICLE, "Linus Berg, a harbour pilot")
    results = reanchor(ARTICLE, new, [phrase, name])
    assert [r.status for r in results] == ["orphaned", "orphaned"]
    assert [(r.start, r.end, r.quote, r.confidence) for r in results] == [
        (a.start, a.end, a.quote, 0.0) for a in (phrase, name)
    ]


def test_swapped_paragraphs_relocate_exactly() -> None:
    new = "\r\n\r\n".join([PARAGRAPHS[2], PARAGRAPHS[1], PARAGRAPHS[0], PARAGRAPHS[3]])
    for quote, occurrence in (("Linus Berg", 0), ("The ministry said", 0), ("The ministry said", 1)):
        anchor = anchor_on(ARTICLE, quote, occurrence)
        result = one(ARTICLE, new, anchor)
        paragraph = ARTICLE[: anchor.start].count("\r\n\r\n")
        expected_paragraph = [2, 1, 0, 3].index(paragraph)
        assert (result.status, result.confidence) == ("relocated", 1.0)
        assert new[: result.start].count("\r\n\r\n") == expected_paragraph
        assert new[result.start : result.end] == quote


def test_slightly_reworded_phrase_is_relocated_approximately() -> None:
    new = ARTICLE.replace("the vessels were insured", "the ships were insured")
    result = one(ARTICLE, new, anchor_on(ARTICLE, "A shipping agency said the vessels were insured"))
    assert (result.status, result.approximate) == ("relocated", True)
    assert 0 < result.confidence < 1
    assert result.quote == "A shipping agency said the ships were insured" == new[result.start : result.end]


def test_changed_figure_is_relocated_approximately_with_lower_confidence() -> None:
    new = RIGA.replace("4,500 tonnes", "4,800 tonnes")
    result = one(RIGA, new, anchor_on(RIGA, "4,500 tonnes"))
    assert (result.status, result.approximate, result.quote) == ("relocated", True, "4,800 tonnes")
    assert 0 < result.confidence < 1
    assert (result.start, result.end) == span(new, "4,800 tonnes")


def test_fixed_punctuation_inside_quote_is_approximate_and_outside_is_exact() -> None:
    new = ARTICLE.replace("were insured; the owner", "were insured. The owner")
    inside = one(ARTICLE, new, anchor_on(ARTICLE, "the vessels were insured; the owner has denied this"))
    assert (inside.status, inside.approximate, inside.quote) == (
        "relocated",
        True,
        "the vessels were insured. The owner has denied this",
    )
    outside = one(ARTICLE, new, anchor_on(ARTICLE, "A shipping agency said"))
    assert (outside.status, outside.start, outside.confidence) == ("anchored", span(ARTICLE, "A shipping agency")[0], 1)


def test_emoji_added_before_the_span_shifts_it_exactly() -> None:
    new = ARTICLE.replace("Analysts said", "\u26a0\ufe0f\U0001f4ca Analysts said")
    result = one(ARTICLE, new, anchor_on(ARTICLE, "Analysts said exports"))
    assert (result.status, result.confidence, result.approximate) == ("relocated", 1.0, False)
    assert (result.start, result.end) == span(new, "Analysts said exports")


def test_short_quote_whose_word_changed_is_orphaned_not_fuzzy_matched() -> None:
    assert len("Linus") < MIN_APPROX_LENGTH
    new = ARTICLE.replace("Linus Berg", "Linux Berg")
    result = one(ARTICLE, new, anchor_on(ARTICLE, "Linus"))
    assert (result.status, result.confidence, result.approximate) == ("orphaned", 0.0, False)


def test_sentence_rewritten_beyond_recognition_is_orphaned() -> None:
    new = ARTICLE.replace(
        "Linus Berg, a harbour pilot, said the queue of ships had never been longer.",
        "No further comment was available when this article was published.",
    )
    result = one(ARTICLE, new, anchor_on(ARTICLE, "the queue of ships had never been longer"))
    assert result.status == "orphaned"


def test_every_annotation_comes_back_in_order() -> None:
    anchors = [anchor_on(ARTICLE, q) for q in ("Linus", "Analysts said", "The ministry said", "Linus Berg")]
    new = "\r\n\r\n".join(PARAGRAPHS[1:])
    assert [r.id for r in reanchor(ARTICLE, new, anchors)] == [a.id for a in anchors]


# Pieces of news text with the awkward parts (astral characters, combining marks, CRLF, NBSP, curly quotes)
# and repeated phrases; an edit inserts either more of them or words from another alphabet.
CHUNKS = [
    "The ministry said ",
    "the port ",
    "4,500\u00a0tonnes",
    " of grain",
    ". ",
    "\r\n",
    "\n\n",
    "\u201crumours\u201d",
    "e\u0301",
    "\U0001f1f1\U0001f1fb",
    "\U0001f642",
    "a",
    " ",
    "Riga",
    "\u2014",
]
INSERTS = ["\u0394\u0395\u039b\u03a4\u0391 ", "\u03a9", "\u03a3\u0399\u0393\u039c\u0391.\r\n", "\U0001f4ca", *CHUNKS]


@st.composite
def revisions(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int, str]], list[StoredAnchor]]:
    """An old text, its edit script (non-overlapping `(start, end, replacement)`), the new text, anchors."""
    chunks = draw(st.lists(st.sampled_from(CHUNKS), min_size=1, max_size=40))
    old = "".join(chunks)
    bounds = [0]
    for chunk in chunks:
        bounds.append(bounds[-1] + len(chunk))
    cuts = sorted(draw(st.lists(st.integers(0, len(old)), max_size=8)))
    edits = [(a, b, draw(st.sampled_from(["", *INSERTS]))) for a, b in zip(cuts[::2], cuts[1::2])]
    new = old
    for a, b, replacement in reversed(edits):
        new = new[:a] + replacement + new[b:]
    anchors = []
    for i, (first, count) in enumerate(
        draw(st.lists(st.tuples(st.integers(0, len(chunks) - 1), st.integers(1, 5)), min_size=1, max_size=10))
    ):
        start, end = bounds[first], bounds[min(len(chunks), first + count)]
        prefix, suffix = context_around(old, start, end)
        anchors.append(StoredAnchor(i, start, end, old[start:end], prefix, suffix))
    return old, new, edits, anchors


def position_after_edits(edits: list[tuple[int, int, str]], start: int, end: int) -> int | None:
    """Where `[start, end)` is after the edits, or None if an edit touches it."""
    shift = 0
    for a, b, replacement in edits:
        if (a < end and b > start) or start < a < end:
            return None
        if b <= start:
            shift += len(replacement) - (b - a)
    return start + shift


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revisions())
def test_untouched_quotes_are_found_exactly_where_the_edits_moved_them(
    case: tuple[str, str, list[tuple[int, int, str]], list[StoredAnchor]],
) -> None:
    old, new, edits, anchors = case
    results = reanchor(old, new, anchors)
    assert [r.id for r in results] == [a.id for a in anchors]
    for anchor, result in zip(anchors, results):
        if result.status != "orphaned":
            assert new[result.start : result.end] == result.quote
        else:
            assert (result.start, result.end, result.quote) == (anchor.start, anchor.end, anchor.quote)
        moved_to = position_after_edits(edits, anchor.start, anchor.end)
        if moved_to is None:
            continue
        assert (result.status in ("anchored", "relocated"), result.confidence, result.quote) == (
            True,
            1.0,
            anchor.quote,
        )
        assert result.status == ("anchored" if result.start == anchor.start else "relocated")
        if result.start != moved_to:
            # Only where the new text does not tell the two apart: another place for the quote that keeps at
            # least as much of the old text in order (e.g. one of two identical sentences was deleted).
            length = anchor.end - anchor.start

            def kept(at: int, length: int = length, anchor: StoredAnchor = anchor) -> float:
                return LCSseq.similarity(old[: anchor.start], new[:at]) + LCSseq.similarity(
                    old[anchor.end :], new[at + length :]
                )

            assert kept(result.start) >= kept(moved_to)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60))))
def test_any_input_returns_one_relocation_per_anchor(old: str, new: str, spans: list[tuple[int, int]]) -> None:
    anchors = [StoredAnchor(i, s, e, old[s:e], *context_around(old, s, e)) for i, (s, e) in enumerate(spans)]
    results = reanchor(old, new, anchors)
    assert [r.id for r in results] == list(range(len(spans)))
    for result in results:
        assert 0.0 <= result.confidence <= 1.0
        if result.status != "orphaned":
            assert new[result.start : result.end] == result.quote
