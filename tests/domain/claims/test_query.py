"""Search queries in web search syntax: phrases required, -words excluded, plain words and numbers ranked."""

from hypothesis import given
from hypothesis import strategies as st

from service.domain.claims.query import MAX_TERMS, parse_query


def test_plain_words_and_numbers_are_ranked_terms():
    query = parse_query("12,000 troops")
    assert [(t.text, t.value) for t in query.terms] == [("12,000", 12000.0), ("troops", None)]
    assert "soldiers" in query.terms[1].alternatives


def test_a_number_in_words_is_one_term():
    first = parse_query("twelve thousand soldiers").terms[0]
    assert (first.text, first.value) == ("twelve thousand", 12000.0)


def test_phrases_are_required_or_joins_them_and_minus_excludes():
    query = parse_query('"north korean" or "pyongyang" troops -belarus -"state media"')
    assert query.required == (("north korean", "pyongyang"),)
    assert query.excluded == ("belarus", "state media")
    assert [t.text for t in query.terms] == ["troops"]


def test_unbalanced_quotes_operators_and_nul_never_fail():
    for q in ['"', '""', "or", "or or", "-", '-"', "\x00", "a\x00b", "!!&|<->", "'", "(", "*:", "ӕ 🇱🇻"]:
        parse_query(q)
    assert parse_query("").empty


@given(st.text(max_size=2000))
def test_any_string_is_a_bounded_query(q):
    query = parse_query(q)
    assert len(query.terms) <= MAX_TERMS and len(query.excluded) <= MAX_TERMS and len(query.required) <= MAX_TERMS
    for term in query.terms:
        assert "\x00" not in term.text and "\x1f" not in term.text
