"""Hostile inputs for quote search and re-anchoring (one long word, one repeated letter, 2 MiB of emoji, quotes of
one letter): each call ends, raising a typed error or returning a correct answer, with bounded error bodies.
Also properties of the trimmed diff that re-anchoring rests on."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from service.domain import reanchoring
from service.domain.anchoring import MAX_CANDIDATES, MAX_LISTED, context_around, find_quote
from service.domain.budget import Budget
from service.domain.reanchoring import StoredAnchor, reanchor
from service.domain.spans import IndexedText, resolve_spans
from service.errors import QuoteAmbiguous, WorkBudgetExceeded
from service.wire import ClaimInput

MIB2 = 2 * 1024 * 1024
# One "word" of 2 MiB: letters in a long non-repeating order, no spaces or punctuation.
ONE_WORD = "".join(chr(97 + (i * 7919) % 26) for i in range(MIB2))


def anchor_at(text: str, start: int, end: int, id: object = 0) -> StoredAnchor:
    return StoredAnchor(id, start, end, text[start:end], *context_around(text, start, end))


def ticking_budget(limit_ms: float) -> Budget:
    """A budget whose clock moves 1 ms at every reading: it runs out after a known amount of work."""
    counter = itertools.count()
    return Budget(limit_ms, location="/text", clock=lambda: next(counter) / 1000)


# Quote search


def test_a_one_letter_quote_on_a_repetitive_text_is_ambiguous_with_a_bounded_answer() -> None:
    text = "ab" * (MIB2 // 2)
    with pytest.raises(QuoteAmbiguous) as caught:
        find_quote(text, "a", "b", "", "/annotations/0/quote")
    error = caught.value
    assert error.location == "/annotations/0/quote"
    assert len(error.errors[0].actual) == MAX_LISTED
    assert error.extra == {"occurrences": MAX_CANDIDATES + 1, "occurrences_counted": False}
    assert f"more than {MAX_CANDIDATES:,} times" in error.detail


def test_a_letter_among_two_million_is_found_by_its_context_occurring_once() -> None:
    text = "a" * (MIB2 // 2) + "XaY" + "a" * (MIB2 // 2 - 3)
    assert find_quote(text, "a", "X", "Y", "/quote") == MIB2 // 2 + 1
    assert find_quote(text, "a", "aX", "", "/quote") == MIB2 // 2 + 1


def test_a_small_count_is_exact_and_lists_every_offset() -> None:
    text = "the port " * 30
    with pytest.raises(QuoteAmbiguous) as caught:
        find_quote(text, "port", "", "", "/quote")
    assert caught.value.extra == {"occurrences": 30, "occurrences_counted": True}
    assert caught.value.errors[0].actual == [9 * i + 4 for i in range(MAX_LISTED)]
    assert "occurs 30 times" in caught.value.detail


def test_a_long_quote_that_overlaps_itself_is_searched_a_bounded_number_of_times() -> None:
    text = "a" * MIB2
    with pytest.raises(QuoteAmbiguous) as caught:
        find_quote(text, "a" * (MIB2 // 2), "", "", "/quote")
    assert caught.value.extra["occurrences_counted"] is False
    assert caught.value.extra["occurrences"] < 100


def test_emoji_text_quotes_are_found_in_code_points() -> None:
    text = "\U0001f642" * (MIB2 // 2) + "\U0001f6a2" + "\U0001f642" * (MIB2 // 2 - 1)
    assert find_quote(text, "\U0001f6a2", "", "", "/quote") == MIB2 // 2
    with pytest.raises(QuoteAmbiguous):
        find_quote(text, "\U0001f642\U0001f642", "\U0001f642", "\U0001f642", "/quote")


def test_a_batch_of_quote_only_annotations_stops_at_the_budget_naming_the_item() -> None:
    text = "a" * (MIB2 // 2) + "XaY" + "a" * (MIB2 // 2 - 3)
    items = [ClaimInput(quote="a", prefix="X", suffix="Y") for _ in range(5000)]
    pointers = [f"/annotations/{i}" for i in range(len(items))]
    with pytest.raises(WorkBudgetExceeded) as caught:
        resolve_spans(text, items, "codepoint", pointers, budget=ticking_budget(50))
    assert caught.value.location.startswith("/annotations/")
    assert caught.value.location.endswith("/quote")


def test_a_batch_within_the_budget_places_every_annotation() -> None:
    text = "a" * 10_000 + "XaY" + "a" * 10_000
    items = [ClaimInput(quote="a", prefix="X", suffix="Y") for _ in range(50)]
    spans = resolve_spans(text, items, "codepoint", [f"/{i}" for i in range(50)], budget=Budget(60_000))
    assert {(s.start, s.end) for s in spans} == {(10_001, 10_002)}


def test_offsets_into_two_mib_of_emoji_round_trip() -> None:
    doc = IndexedText("\U0001f642" * MIB2)
    assert doc.offsets.length_utf16 == 2 * MIB2
    span = doc.span(MIB2 - 1, MIB2)
    assert (span.start_utf16, span.end_utf16) == (2 * MIB2 - 2, 2 * MIB2)


# Re-anchoring


def test_a_one_letter_change_in_a_two_mib_word_keeps_every_untouched_quote_in_place() -> None:
    changed_at = MIB2 // 2
    new = ONE_WORD[:changed_at] + "Z" + ONE_WORD[changed_at + 1 :]
    starts = range(0, MIB2 - 40, MIB2 // 64)
    anchors = [anchor_at(ONE_WORD, s, s + 40, s) for s in starts]
    for anchor, got in zip(anchors, reanchor(ONE_WORD, new, anchors), strict=True):
        if anchor.end <= changed_at or anchor.start > changed_at:
            assert (got.status, got.start, got.end) == ("anchored", anchor.start, anchor.end)
        else:
            assert got.status in ("relocated", "orphaned")


def test_a_change_at_both_ends_of_a_two_mib_word_ends_with_every_annotation_accounted_for() -> None:
    new = "Z" + ONE_WORD[1:-1] + "Z"
    anchors = [anchor_at(ONE_WORD, s, s + 30, s) for s in range(10, MIB2 - 40, MIB2 // 16)]
    results = reanchor(ONE_WORD, new, anchors)
    assert [r.id for r in results] == [a.id for a in anchors]
    for got in results:
        if got.status != "orphaned" and not got.approximate:
            assert new[got.start : got.end] == got.quote


@pytest.mark.parametrize(
    "old",
    [
        pytest.param("a" * MIB2, id="one repeated letter"),
        pytest.param("." * MIB2, id="one repeated full stop"),
        pytest.param("a\n" * (MIB2 // 2), id="one repeated line"),
        pytest.param("a. " * (MIB2 // 3), id="one repeated sentence"),
        pytest.param("\U0001f642" * MIB2, id="emoji"),
    ],
)
def test_degenerate_two_mib_texts_changed_at_both_ends_are_re_anchored(old: str) -> None:
    new = "Z" + old[1:-1] + "Z"
    anchors = [anchor_at(old, 100, 101, "letter"), anchor_at(old, 1000, 1040, "phrase")]
    results = reanchor(old, new, anchors)
    assert [r.id for r in results] == ["letter", "phrase"]
    for got in results:
        if got.status != "orphaned":
            assert new[got.start : got.end] == got.quote


def test_re_anchoring_past_the_budget_raises_instead_of_running_on() -> None:
    new = "Z" + ONE_WORD[1:-1] + "Z"
    anchors = [anchor_at(ONE_WORD, s, s + 30, s) for s in range(0, 100_000, 20)]
    with pytest.raises(WorkBudgetExceeded) as caught:
        reanchor(ONE_WORD, new, anchors, budget=ticking_budget(20))
    assert caught.value.location == "/text"


# The trimmed, capped diff


tokens = st.lists(st.sampled_from(["a", "b", "port", " ", "\n", "\U0001f642"]), max_size=40)


def _check_blocks(a: list[str], b: list[str], blocks: list[tuple[int, int, int]]) -> None:
    previous_i = previous_j = 0
    for i, j, length in blocks:
        assert length > 0 and i >= previous_i and j >= previous_j
        assert a[i : i + length] == b[j : j + length]
        previous_i, previous_j = i + length, j + length


@given(tokens, tokens)
def test_trimming_before_the_diff_matches_what_the_whole_diff_matches(a: list[str], b: list[str]) -> None:
    blocks = reanchoring._matching_blocks(a, b, Budget.unlimited())
    whole = [
        (op.src_start, op.dest_start, op.src_end - op.src_start) for op in Indel.opcodes(a, b) if op.tag == "equal"
    ]
    assert blocks == whole


@given(tokens, tokens, st.integers(0, 30))
def test_a_capped_diff_still_matches_the_common_prefix_and_suffix(a: list[str], b: list[str], cells: int) -> None:
    with mock.patch.object(reanchoring, "_MAX_DIFF_CELLS", cells):
        blocks = reanchoring._matching_blocks(a, b, Budget.unlimited())
    _check_blocks(a, b, blocks)
    matched_a = {i + k for i, _, length in blocks for k in range(length)}
    head = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    assert set(range(head)) <= matched_a


lines = st.lists(st.sampled_from(["The port.", "Riga said", "\U0001f642 grain", "", "a", "4,500 tonnes"]), min_size=1)


@settings(max_examples=150, deadline=None)
@given(lines, st.data())
def test_relocation_on_coarse_alignment_never_loses_an_annotation(old_lines: list[str], data: st.DataObject) -> None:
    """With every size cap at its smallest (so only coarse units and exact search place anything), one edited
    run of lines still leaves every annotation accounted for, exact ones exact, and whole unchanged lines before
    and after the edit in place."""
    i = data.draw(st.integers(0, len(old_lines)))
    j = data.draw(st.integers(i, len(old_lines)))
    new_lines = old_lines[:i] + data.draw(lines) + old_lines[j:]
    old, new = "\n".join(old_lines) + "\n", "\n".join(new_lines) + "\n"
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(old) - 1), st.integers(1, 12)), max_size=8))
    anchors = [anchor_at(old, s, min(len(old), s + n), k) for k, (s, n) in enumerate(spans)]
    caps = {"_DIRECT_CELLS": 0, "_MAX_ALIGN_CELLS": 0, "_MAX_DIFF_CELLS": 4}
    with mock.patch.multiple(reanchoring, **caps):
        results = reanchor(old, new, anchors)
    assert [r.id for r in results] == [a.id for a in anchors]
    same_head = sum(len(line) + 1 for line in old_lines[: next(
        (k for k, (x, y) in enumerate(zip(old_lines, new_lines)) if x != y), min(len(old_lines), len(new_lines))
    )])  # fmt: skip
    for anchor, got in zip(anchors, results):
        if got.status != "orphaned" and not got.approximate:
            assert new[got.start : got.end] == anchor.quote
        if got.status == "orphaned":
            assert (got.start, got.end, got.quote) == (anchor.start, anchor.end, anchor.quote)
        head_has_word = any(c.isalnum() for c in old[:same_head])
        if anchor.end <= same_head and head_has_word and len(old_lines) > 1:
            assert (got.status, got.start) == ("anchored", anchor.start)
