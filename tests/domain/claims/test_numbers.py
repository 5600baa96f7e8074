"""Numbers however written: digits with groups, scales, words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.claims.numbers import find_numbers, number_values, parse_number, spelled_value


@pytest.mark.parametrize(
    "text",
    [
        "12,000",
        "12 000",
        "12\u00a0000",
        "12\u202f000",
        "12k",
        "12K",
        "twelve thousand",
        "Twelve Thousand",
        "12 thousand",
    ],
)
def test_twelve_thousand_however_written(text):
    assert number_values(f"around {text} troops") == [12000.0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5 million", 1_500_000), ("2.3 million", 2_300_000), ("$5bn", 5e9), ("€120m", 120e6), ("forty-five", 45),
        ("a hundred and twenty", 120), ("three hundred", 300), ("11.2%", 11.2), ("1,200,000", 1_200_000),
    ],
)  # fmt: skip
def test_values(text, value):
    assert number_values(text) == [float(value)]


def test_parts_of_other_tokens_are_not_numbers():
    assert number_values("firmware v2.12 and someone") == []
    assert parse_number("troops") is None and parse_number("12,000") == 12000.0


def test_a_plain_year_is_flagged_as_plain_digits():
    [year] = find_numbers("in 2024")
    assert year.plain_digits and year.value == 2024


@given(st.integers(min_value=0, max_value=999_999_999))
def test_grouped_digits_round_trip(n):
    assert number_values(f"{n:,} people") == [float(n)]


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int) -> str:
    """English words for 1..999,999 (reference spelling for the property test)."""
    if n >= 1000:
        return f"{_words(n // 1000)} thousand" + (f" {_words(n % 1000)}" if n % 1000 else "")
    if n >= 100:
        return f"{_UNITS[n // 100]} hundred" + (f" and {_words(n % 100)}" if n % 100 else "")
    if n >= 20:
        return _TENS[n // 10] + (f"-{_UNITS[n % 10]}" if n % 10 else "")
    return _TEENS[n - 10] if n >= 10 else _UNITS[n]


@given(st.integers(min_value=1, max_value=999_999))
def test_spelled_numbers_read_back(n):
    assert spelled_value(_words(n)) == n
    assert number_values(f"about {_words(n)} soldiers") == [float(n)]


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text):
    for number in find_numbers(text):
        assert 0 <= number.start < number.end <= len(text)
