"""Claim matching: paraphrases match, hard negatives that differ in one checkable detail do not, and the reasons
add up to the score."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.claims.candidates import candidate_query, rerank
from service.domain.claims.features import features
from service.domain.claims.matching import MATCH_THRESHOLD, SUGGEST_THRESHOLD, score_pair

TROOPS = "Around 12,000 North Korean troops are in Russia, officials said."


def score(a: str, b: str):
    return score_pair(features(a), features(b))


@pytest.mark.parametrize(
    "paraphrase",
    [
        "Roughly twelve thousand soldiers from North Korea have been deployed to Russia.",
        "Russia now hosts some 12k North Korean soldiers, according to officials.",
        "Some 12 000 North Korean troops are in Russia.",
    ],
)
def test_paraphrases_with_other_verbs_synonyms_and_numbers_match(paraphrase):
    result = score(TROOPS, paraphrase)
    assert result.level == "match", result


def test_3000_troops_is_not_12000_troops():
    result = score("12,000 troops were sent to Russia.", "3,000 troops were sent to Russia.")
    assert result.level is None
    assert any(r.kind == "figure_conflict" and "12,000 vs 3,000" in r.detail for r in result.reasons)


def test_russia_denied_is_not_russia_confirmed():
    result = score("Russia denied sending troops to Belarus.", "Russia confirmed sending troops to Belarus.")
    assert result.level is None
    assert any(r.kind == "negation" and "denied" in r.detail for r in result.reasons)


def test_another_place_is_another_claim():
    result = score(
        "Around 12,000 North Korean troops are in Russia.", "Around 12,000 North Korean troops are in Belarus."
    )
    assert result.level is None
    assert any(r.kind == "names_differ" and "Belarus" in r.detail for r in result.reasons)


def test_another_year_is_another_claim():
    result = score("Finland closed its border with Russia in 2023.", "Finland closed its border with Russia in 2021.")
    assert result.level is None
    assert any(r.kind == "date_differs" and "2023 vs 2021" in r.detail for r in result.reasons)


def test_another_month_or_weekday_is_another_claim():
    assert score("The bridge will reopen in September.", "The bridge will reopen in December.").level is None
    assert score("Police arrested 18 people on Saturday.", "Police arrested 18 people on Wednesday.").level is None


def test_an_approximate_figure_agrees_within_tolerance_an_exact_one_does_not():
    assert score("About 12,000 troops are in Russia.", "Nearly 11,500 troops are in Russia.").level == "match"
    assert score("Exactly 12,000 troops are in Russia.", "11,500 troops are in Russia.").level is None


def test_thresholds_are_ordered():
    assert 0 < SUGGEST_THRESHOLD < MATCH_THRESHOLD < 1


_claims = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200) | st.sampled_from(
    [TROOPS, "Russia denied it.", "3,000 troops in 2024", "Über 12 000 Soldaten", "🇱🇻 Riga handled 4,500 t"]
)


@given(_claims, _claims)
def test_the_score_is_in_range_and_its_reasons_add_up(a, b):
    result = score(a, b)
    assert 0 <= result.score <= 1
    points = sum(r.points for r in result.reasons if r.points is not None)
    factor = math.prod(r.factor for r in result.reasons if r.factor is not None)
    assert abs(min(1.0, points * factor) - result.score) < 1e-3
    assert result.level == (
        "match" if result.score >= MATCH_THRESHOLD else "suggest" if result.score >= SUGGEST_THRESHOLD else None
    )


@given(_claims)
def test_a_claim_matches_itself_unless_it_has_no_words(a):
    result = score(a, a)
    if features(a).words:
        assert result.score >= MATCH_THRESHOLD, result


@given(_claims, st.lists(_claims, max_size=20))
def test_rerank_keeps_only_suggestions_best_first(a, others):
    ranked = rerank(a, list(enumerate(others)), limit=5)
    assert len(ranked) <= 5
    assert all(result.level is not None for _, result in ranked)
    assert [r.score for _, r in ranked] == sorted((r.score for _, r in ranked), reverse=True)


@given(_claims)
def test_candidate_queries_are_bounded(a):
    query = candidate_query(a * 50)
    assert len(query.terms) <= 32 and not query.required and not query.excluded
