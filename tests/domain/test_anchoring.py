"""Quote-only annotations: the quote is found exactly, and its context picks among repeated occurrences."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from service.domain.anchoring import find_quote
from service.errors import QuoteAmbiguous, QuoteNotFound

TEXT = (
    "The ministry said the port would stay open. Traders doubted it.\r\n"
    "On Tuesday the ministry said the port would stay open \U0001f6a2 until\u00a0spring."
)


def test_a_unique_quote_is_found():
    assert find_quote(TEXT, "Traders doubted it", "", "", "/quote") == TEXT.index("Traders doubted it")


def test_a_repeated_quote_without_context_is_ambiguous():
    with pytest.raises(QuoteAmbiguous) as caught:
        find_quote(TEXT, "the port would stay open", "", "", "/quote")
    assert caught.value.location == "/quote"


def test_context_chooses_the_right_occurrence():
    second = TEXT.rindex("the port would stay open")
    assert find_quote(TEXT, "the port would stay open", "Tuesday the ministry said ", "", "/quote") == second
    assert find_quote(TEXT, "the port would stay open", "", " \U0001f6a2 until", "/quote") == second
    assert find_quote(TEXT, "the port would stay open", "The ministry said ", ". Traders", "/quote") == TEXT.index(
        "the port would stay open"
    )


def test_a_prefix_with_a_typo_still_picks_the_right_occurrence():
    second = TEXT.rindex("the port would stay open")
    assert find_quote(TEXT, "the port would stay open", "Tusday the minstry said ", "", "/quote") == second


def test_context_that_fits_both_equally_is_ambiguous():
    with pytest.raises(QuoteAmbiguous):
        find_quote(TEXT, "the port would stay open", "ministry said ", "", "/quote")


def test_an_absent_quote_is_not_found():
    with pytest.raises(QuoteNotFound):
        find_quote(TEXT, "the port will close", "", "", "/quote")


def test_a_quote_differing_only_in_normalisation_is_not_found():
    # Offsets refer to the text exactly as stored: a straight quote does not match a curly one.
    with pytest.raises(QuoteNotFound):
        find_quote("dismissed as \u201crumours\u201d", '"rumours"', "", "", "/quote")


words = st.lists(
    st.sampled_from(["grain", "port", "Riga", "\U0001f1f1\U0001f1fb", "said", "e\u0301", "\u00a0", "\r\n"]),
    min_size=1,
    max_size=30,
)


@given(words, st.data())
def test_a_quote_taken_from_the_text_with_its_context_is_found_where_it_was(tokens, data):
    text = " ".join(tokens)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    prefix, suffix = text[max(0, start - 32) : start], text[end : end + 32]
    # Only unambiguous when the full context around this occurrence is unique.
    windows = [s for s in range(len(text)) if text.startswith(prefix + quote + suffix, s)]
    assume(len(windows) == 1 and windows[0] == start - len(prefix))
    assert find_quote(text, quote, prefix, suffix, "/quote") == start
