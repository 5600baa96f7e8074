"""schema.org ClaimReview for reviewed claims: Google's required properties, the rating scale, what is left out."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from service.domain.claimreview import Appearance, claim_reviews
from service.wire import Anchor, Article, Attribution, Claim, SourceType, Verdict

TEXT = (
    "The harbour master said the port was \u201copen as usual\u201d \U0001f6a2. Officials said about 4,500\u00a0tonnes "
    "of grain had left; the ministry called reports of a blockade \u201crumours\u201d \U0001f1f1\U0001f1fb."
)
NOW = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
ARTICLE = Article(
    id=uuid.UUID("0b7d6a53-3c52-4cf0-9d1e-5a1b2c3d4e5f"),
    url="https://news.example.com/2026/11/riga-grain-port",
    canonical_url="https://news.example.com/2026/11/riga-grain-port",
    alternate_urls=[],
    title="Riga port \u201copen as usual\u201d despite blockade rumours \U0001f6a2",
    publisher="Riga Daily",
    language="en",
    published_at=datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
    revision=1,
    text_length=len(TEXT),
    version=1,
    created_at=NOW,
    updated_at=NOW,
)
ORGANIZATION = "Baltic Fact Desk"
ORGANIZATION_URL = "https://factcheck.example.org"


def span_fields(quote: str) -> dict[str, Any]:
    start = TEXT.index(quote)
    end = start + len(quote)
    return {
        "id": uuid.uuid4(),
        "article_id": ARTICLE.id,
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": TEXT[max(0, start - 32) : start],
        "suffix": TEXT[end : end + 32],
        "tags": [],
        "note": None,
        "author": "Ilze Kalni\u0146a",
        "origin": "human",
        "confidence": None,
        "anchor": Anchor(status="anchored", revision=1, confidence=1.0),
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }


def claim(
    verdict: Verdict = "mostly_true",
    *,
    review_url: str | None = "https://factcheck.example.org/2026/riga-grain",
    claimant: str | None = "Officials",
    reviewed_at: datetime | None = datetime(2026, 11, 3, 17, 0, tzinfo=UTC),
) -> Claim:
    quote = "about 4,500\u00a0tonnes of grain had left"
    return Claim(
        **span_fields(quote),
        statement="About 4,500 tonnes of grain left Riga\u2019s port",
        claimant=claimant,
        verdict=verdict,
        verdict_explanation="Port logs show 4,380\u00a0tonnes \u2014 close to \u201cabout 4,500\u201d.",
        review_url=review_url,
        reviewed_at=reviewed_at,
    )


def attribution(of: Claim, source: str = "Officials", source_type: SourceType | None = "government") -> Attribution:
    return Attribution(
        **span_fields("Officials said"), source=source, source_type=source_type, cue="said", claim_id=of.id
    )


def reviews_of(claims: list[Claim], attributions: list[Attribution] | None = None) -> list[dict[str, Any]]:
    reviews, skipped = claim_reviews(
        claims, attributions or [], article=ARTICLE, organization=ORGANIZATION, organization_url=ORGANIZATION_URL
    )
    assert skipped == []
    decoded: list[dict[str, Any]] = json.loads(msgspec.json.encode(reviews))
    return decoded


def test_reviewed_claim_has_every_property_google_requires_and_recommends() -> None:
    reviewed = claim()
    (review,) = reviews_of([reviewed])

    # Required by Google's fact-check guidelines.
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "About 4,500 tonnes of grain left Riga\u2019s port"
    assert review["url"] == "https://factcheck.example.org/2026/riga-grain"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly true",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    # Recommended.
    assert review["author"] == {"@type": "Organization", "name": ORGANIZATION, "url": ORGANIZATION_URL}
    assert review["datePublished"] == "2026-11-03T17:00:00Z"
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Officials"},
        "datePublished": "2026-11-02T06:30:00Z",
        "appearance": {
            "@type": "CreativeWork",
            "url": ARTICLE.url,
            "headline": "Riga port \u201copen as usual\u201d despite blockade rumours \U0001f6a2",
            "publisher": {"@type": "Organization", "name": "Riga Daily"},
            "datePublished": "2026-11-02T06:30:00Z",
        },
    }
    assert review["reviewBody"] == reviewed.verdict_explanation


@pytest.mark.parametrize(
    ("verdict", "value", "label"),
    [
        ("false", 1, "False"),
        ("mostly_false", 2, "Mostly false"),
        ("misleading", 2, "Misleading"),
        ("mixed", 3, "Mixed"),
        ("mostly_true", 4, "Mostly true"),
        ("true", 5, "True"),
    ],
)
def test_verdict_maps_onto_a_one_to_five_scale(verdict: Verdict, value: int, label: str) -> None:
    (review,) = reviews_of([claim(verdict)])

    assert review["reviewRating"]["ratingValue"] == value
    assert review["reviewRating"]["alternateName"] == label
    assert (review["reviewRating"]["worstRating"], review["reviewRating"]["bestRating"]) == (1, 5)


def test_unproven_has_a_textual_rating_only() -> None:
    (review,) = reviews_of([claim("unproven")])

    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}


def test_unverified_claims_are_left_out_silently() -> None:
    reviewed = claim("false")
    reviews, skipped = claim_reviews(
        [claim("unverified"), reviewed, claim("unverified", review_url=None)],
        [],
        article=ARTICLE,
        organization=ORGANIZATION,
        organization_url=None,
    )

    assert [review["reviewRating"]["alternateName"] for review in reviews] == ["False"]
    assert skipped == []


def test_claim_with_a_verdict_but_no_review_url_is_reported_not_invented() -> None:
    missing = claim("misleading", review_url=None)
    reviews, skipped = claim_reviews(
        [missing, claim("true")], [], article=ARTICLE, organization=ORGANIZATION, organization_url=ORGANIZATION_URL
    )

    assert [review["url"] for review in reviews] == ["https://factcheck.example.org/2026/riga-grain"]
    assert [entry["id"] for entry in skipped] == [str(missing.id)]
    assert "review_url" in skipped[0]["reason"]


@pytest.mark.parametrize(
    ("source_type", "schema_type"),
    [
        ("person", "Person"),
        ("anonymous", "Person"),
        ("organization", "Organization"),
        ("government", "GovernmentOrganization"),
        ("media", "NewsMediaOrganization"),
        ("document", "Organization"),
        (None, "Person"),
    ],
)
def test_claim_author_is_the_attributed_source_typed_by_source_type(
    source_type: SourceType | None, schema_type: str
) -> None:
    reviewed = claim(claimant="Someone else")
    (review,) = reviews_of([reviewed], [attribution(reviewed, "Latvia\u2019s transport ministry", source_type)])

    assert review["itemReviewed"]["author"] == {"@type": schema_type, "name": "Latvia\u2019s transport ministry"}


def test_without_attribution_the_claimant_is_the_author() -> None:
    reviewed = claim(claimant="Riga\u2019s harbour master")
    elsewhere = attribution(claim(), "The ministry")
    (review,) = reviews_of([reviewed], [elsewhere])

    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Riga\u2019s harbour master"}


def test_first_attribution_of_a_claim_names_its_author() -> None:
    reviewed = claim()
    (review,) = reviews_of([reviewed], [attribution(reviewed, "Officials"), attribution(reviewed, "A port spokesman")])

    assert review["itemReviewed"]["author"]["name"] == "Officials"


def test_claim_without_attribution_or_claimant_has_no_author() -> None:
    (review,) = reviews_of([claim(claimant=None)])

    assert "author" not in review["itemReviewed"]


def test_without_reviewed_at_no_publication_date_is_made_up() -> None:
    (review,) = reviews_of([claim(reviewed_at=None)])

    assert "datePublished" not in review
    assert review["url"] and review["reviewRating"]["alternateName"]


def test_unknown_article_details_and_organization_url_are_left_out() -> None:
    bare = msgspec.structs.replace(ARTICLE, title=None, publisher=None, published_at=None)
    reviews, _ = claim_reviews([claim()], [], article=bare, organization=ORGANIZATION, organization_url=None)
    (review,) = reviews

    assert review["author"] == {"@type": "Organization", "name": ORGANIZATION}
    assert review["itemReviewed"]["appearance"] == {"@type": "CreativeWork", "url": ARTICLE.url}
    assert "datePublished" not in review["itemReviewed"]


def test_a_claim_of_a_group_lists_the_other_articles_after_its_own() -> None:
    reviewed = claim()
    elsewhere = Appearance(
        url="https://other.example.com/riga-grain", title="Grain leaves Riga", publisher=None,
        published_at=datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
    )  # fmt: skip
    reviews, _ = claim_reviews(
        [reviewed, claim()], [], article=ARTICLE, organization=ORGANIZATION, organization_url=ORGANIZATION_URL,
        other_appearances={reviewed.id: [elsewhere]},
    )  # fmt: skip
    first, second = json.loads(msgspec.json.encode(reviews))
    assert [a["url"] for a in first["itemReviewed"]["appearance"]] == [ARTICLE.url, elsewhere.url]
    assert first["itemReviewed"]["appearance"][1] == {
        "@type": "CreativeWork", "url": elsewhere.url, "headline": "Grain leaves Riga",
        "datePublished": "2026-11-03T07:00:00Z",
    }  # fmt: skip
    assert second["itemReviewed"]["appearance"]["url"] == ARTICLE.url  # alone: one object, as before
