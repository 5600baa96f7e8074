"""The suggestion engine: what it finds in news English, what it must leave alone (the traps), that its spans
are exact in both offset units on any text, and that a language is a data file."""

import json
from importlib import resources

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.spans import IndexedText
from service.domain.suggestions import Engine, UnsupportedLanguage, load_lexicon
from service.domain.suggestions.inputs import as_inputs, in_unit
from service.domain.suggestions.lexicon import Lexicon
from service.wire import AnnotationInput

VALIDATING = msgspec.json.Decoder(list[AnnotationInput])

ENGINE = Engine(load_lexicon("en"))


def found(text, kind):
    return [(text[s.start : s.end], s) for s in ENGINE.suggest(text) if s.kind == kind]


def quotes(text, kind):
    return [quote for quote, _ in found(text, kind)]


def test_reported_speech_gives_an_attribution_linked_to_its_claim():
    text = "A U.S. official said Washington believed 8,000 troops were in Kursk."
    items = ENGINE.suggest(text)
    (attribution,) = [s for s in items if s.kind == "attribution"]
    assert text[attribution.start : attribution.end] == "A U.S. official said"
    assert attribution.fields["source_type"] == "anonymous"
    claim = items[attribution.link]
    assert text[claim.start : claim.end] == "Washington believed 8,000 troops were in Kursk"
    assert claim.fields["claimant"] == "A U.S. official"


def test_quoted_speech_and_an_inverted_source():
    text = "\u201cWe will not retreat,\u201d said General Ivan Petrov, the army chief. \u201cNever.\u201d"
    assert quotes(text, "attribution") == ["said General Ivan Petrov, the army chief"]
    assert quotes(text, "claim") == ["We will not retreat", "Never"]
    assert {s.fields["claimant"] for _, s in found(text, "claim")} == {"General Ivan Petrov"}


def test_according_to_attributes_the_clause_before_it():
    text = "Prices rose 4.5% in March, according to the statistics office."
    assert quotes(text, "attribution") == ["according to the statistics office"]
    assert quotes(text, "claim") == ["Prices rose 4.5% in March"]


def test_a_pronoun_source_names_the_earlier_source():
    text = "The Health Ministry said 40 people died. It said 12 were children. She said nothing."
    sources = [s.fields["source"] for _, s in found(text, "attribution")]
    assert sources[:2] == ["The Health Ministry", "The Health Ministry"]


def test_denials_target_the_claim_before_them_and_negated_ones_are_not_denials():
    text = (
        "Seoul said 3,000 soldiers had crossed the border. Pyongyang has denied this. "
        "The army did not deny it. The ministry declined to deny the report. "
        "A spokesman would neither confirm nor deny the figure. The envoy called the claims baseless."
    )
    items = ENGINE.suggest(text)
    denials = [s for s in items if s.kind == "denial"]
    assert [text[d.start : d.end] for d in denials] == ["has denied this", "called the claims baseless"]
    assert denials[0].fields["denier"] == "Pyongyang"
    target = items[denials[0].link]
    assert text[target.start : target.end] == "3,000 soldiers had crossed the border"


@pytest.mark.parametrize(
    ("text", "quote", "value", "unit", "qualifier", "approximate"),
    [
        ("Around 12,000 North Korean troops arrived.", "Around 12,000 North Korean troops", 12000, None, "about", True),
        ("Three generals were killed.", "Three generals", 3, None, None, False),
        ("Inflation was 4.5% in May.", "4.5%", 4.5, "percent", None, False),
        ("Berlin pledged $2 billion.", "$2 billion", 2e9, "USD", None, False),
        ("Between 8,000 and 10,000 of them fled.", "Between 8,000 and 10,000", 8000, None, "at_least", True),
        ("They shipped 4,500 tonnes of grain.", "4,500 tonnes of grain", 4500, "tonnes", None, False),
        ("At least 11 people died.", "At least 11 people", 11, None, "at_least", False),
        ("Thirty-eight people died.", "Thirty-eight people", 38, None, None, False),
    ],
)
def test_figures_have_their_value_unit_and_qualifier(text, quote, value, unit, qualifier, approximate):
    ((got, figure),) = found(text, "figure")
    assert got == quote
    assert figure.fields["value"] == value and figure.fields["unit"] == unit
    assert figure.fields["qualifier"] == qualifier and figure.fields["approximate"] is approximate


def test_dates_years_times_ordinals_ages_datelines_and_list_numbers_are_not_figures():
    text = (
        "KYIV, Nov 4 (Wire) - The first units arrived on March 3, 2024 at 10:30 and again at 6 p.m. on the 14th.\n"
        "1. Air defence\n2) Shells\n"
        "Keane, 58, and a 5-year-old were there in the 12th week of 2023. Version 7.11 and COVID-19 and No. 8."
    )
    assert quotes(text, "figure") == []


def test_a_language_is_a_data_file():
    data = json.loads(resources.files("service.domain.suggestions").joinpath("data/en/lexicon.json").read_text())
    data["reporting_cues"] = ["sagte"]
    data["noun_phrase_stops"] += ["das", "dass"]
    german = Engine(Lexicon.from_json(data))
    text = "Das Ministerium sagte, dass 40 Menschen starben."
    (attribution,) = [s for s in german.suggest(text) if s.kind == "attribution"]
    assert text[attribution.start : attribution.end] == "Das Ministerium sagte"


def test_an_unsupported_language_names_the_supported_ones():
    with pytest.raises(UnsupportedLanguage, match="en"):
        load_lexicon("fr")
    assert load_lexicon("en-GB") is not None


FRAGMENTS = st.sampled_from(
    [
        "The ministry said",
        " that ",
        "about 4,500 tonnes",
        " of grain",
        ", according to the agency",
        ". ",
        "\u201cWe will win,\u201d",
        ' "No," ',
        " he said",
        " has denied this",
        " did not deny",
        " $2 billion",
        " 4.5%",
        " Nov 4",
        "\r\n",
        "\n\n",
        " \U0001f1fa\U0001f1e6 ",
        "\U0001f600",
        " It said",
        " three generals",
        "KYIV, Nov 4 (Wire) - ",
        "1. ",
        " between 8,000 and 10,000",
        " 10:30",
        "\u00a0",
        "\u200d",
        " U.S. ",
    ]
)
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_suggestion_quotes_the_text_exactly_in_both_units(text):
    doc = IndexedText(text)
    items = ENGINE.suggest(text)
    inputs = as_inputs(doc, items)
    utf16 = text.encode("utf-16-le")
    for item, cp, u16 in zip(items, inputs, in_unit(doc, inputs, "utf16"), strict=True):
        assert item.start < item.end
        assert cp.quote == text[cp.start : cp.end]
        assert utf16[u16.start * 2 : u16.end * 2].decode("utf-16-le") == cp.quote
        if item.link is not None:
            assert items[item.link].kind == "claim"
    # What the endpoint answers is valid input as it stands: every constraint of the wire types holds.
    assert VALIDATING.decode(msgspec.json.encode(inputs)) == inputs


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_engine_never_raises_on_any_text(text):
    ENGINE.suggest(text)


def test_a_long_text_is_read_in_blocks_with_exact_offsets_and_a_cap():
    story = "The ministry said 12 people died in Riga \U0001f1f1\U0001f1fb.\r\nPyongyang has denied this.\n"
    text = story * 5000  # several blocks
    items = ENGINE.suggest(text)
    assert len(items) == 5000 * len(ENGINE.suggest(story))
    assert all(text[s.start : s.end] == story[s.start % len(story) : s.end % len(story) or None] for s in items)
    assert all(items[s.link].kind == "claim" for s in items if s.link is not None)
    first = ENGINE.suggest(text, max_items=7)
    assert [(s.start, s.end, s.link) for s in first] == [(s.start, s.end, s.link) for s in items[:7]]


@pytest.mark.parametrize(
    "text", ["a" * 200_000, "a " * 100_000, "\U0001f600" * 100_000, "1" * 100_000, '"' * 50_000, "1,000 " * 30_000]
)
def test_adversarial_texts_finish(text):
    ENGINE.suggest(text, max_items=5000)
