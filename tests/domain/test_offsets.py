"""Offsets in code points and UTF-16 code units round-trip exactly, on the characters that tell them apart."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain import offsets
from service.domain.offsets import OffsetMap
from service.errors import InvalidInput

# Text that mixes ASCII, BMP punctuation, astral emoji, regional-indicator flags, combining marks, CRLF, NBSP.
news_chars = st.sampled_from(
    [
        *"Riga port 4,500 tonnes.\r\n",
        "\u00a0",
        "\u201c",
        "\u201d",
        "é",
        "e\u0301",
        "\U0001f600",
        "\U0001f1f1\U0001f1fb",
        "中",
        "\U00020bb7",
    ]
)
news_text = st.lists(news_chars, max_size=60).map("".join)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(news_text, st.data())
def test_codepoint_offsets_round_trip_through_utf16(text, data):
    offsets = OffsetMap(text)
    cp = data.draw(st.integers(0, len(text)))
    u16 = offsets.to_utf16(cp)
    assert u16 == utf16_length(text[:cp])
    assert offsets.from_utf16(u16, "/start") == cp


@given(news_text)
def test_lengths_match_python_and_javascript(text):
    offsets = OffsetMap(text)
    assert offsets.length == len(text)
    assert offsets.length_utf16 == utf16_length(text)


@given(news_text, st.data())
def test_every_utf16_offset_is_either_a_boundary_or_inside_a_pair(text, data):
    offsets = OffsetMap(text)
    unit = data.draw(st.integers(0, offsets.length_utf16))
    boundaries = {utf16_length(text[:cp]) for cp in range(len(text) + 1)}
    if unit in boundaries:
        assert utf16_length(text[: offsets.from_utf16(unit, "/end")]) == unit
    else:
        with pytest.raises(InvalidInput) as caught:
            offsets.from_utf16(unit, "/end")
        assert caught.value.location == "/end"


def test_emoji_shift_utf16_offsets_by_two_units_each():
    text = "\U0001f1f1\U0001f1fb Latvia's port 🚢 reopened"
    offsets = OffsetMap(text)
    start = text.index("reopened")
    assert offsets.to_utf16(start) == start + 3  # a flag is two astral code points, the ship one
    assert offsets.from_utf16(start + 3, "/start") == start


@given(st.text(alphabet=st.sampled_from(["a", "\u00e9", "\U0001f642", "\U0001f1f1", "\r", "\u4e2d"])))
def test_the_quick_utf16_length_agrees_with_the_map(text):
    assert offsets.utf16_length(text) == OffsetMap(text).length_utf16 == utf16_length(text)
