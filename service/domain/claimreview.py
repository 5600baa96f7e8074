"""schema.org ClaimReview JSON-LD (https://schema.org/ClaimReview) for the reviewed claims of one article, with the
properties Google's fact-check guidelines require (claimReviewed, reviewRating.alternateName, url) and recommend.

Rating scale (bestRating 5, worstRating 1), by how much of the claim holds:
false 1, mostly_false 2, misleading 2 (accurate parts, false overall impression: as bad as mostly false),
mixed 3, mostly_true 4, true 5. ``unproven`` has no place on a truth scale (the evidence decides neither way), so
its rating is textual only: alternateName "Unproven" without ratingValue/bestRating/worstRating, which Google
accepts (only alternateName is required). ``unverified`` claims have no review and are left out.

Nothing is invented: a claim with a verdict but no review_url is reported as skipped (ClaimReview.url is required
and must be the published fact check), and a claim without reviewed_at gets no datePublished (recommended, not
required) rather than a stored timestamp that is not the publication date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

from service.wire import Article, Attribution, Claim, SourceType, Verdict

SCHEMA_CONTEXT: Final = "https://schema.org"
BEST_RATING: Final = 5
WORST_RATING: Final = 1
VERDICT_LABELS: Final[dict[Verdict, str]] = {
    Verdict.UNVERIFIED: "Unverified",
    Verdict.TRUE: "True",
    Verdict.MOSTLY_TRUE: "Mostly true",
    Verdict.MIXED: "Mixed",
    Verdict.MOSTLY_FALSE: "Mostly false",
    Verdict.FALSE: "False",
    Verdict.MISLEADING: "Misleading",
    Verdict.UNPROVEN: "Unproven",
}
RATING_VALUES: Final[dict[Verdict, int]] = {
    Verdict.FALSE: 1,
    Verdict.MOSTLY_FALSE: 2,
    Verdict.MISLEADING: 2,
    Verdict.MIXED: 3,
    Verdict.MOSTLY_TRUE: 4,
    Verdict.TRUE: 5,
}
# schema.org type of a claim's author by the attribution's source_type; Claim.author expects a Person or an
# Organization, so an anonymous source ("a senior official") is a Person and a document stands for its issuer.
AUTHOR_TYPES: Final[dict[SourceType, str]] = {
    SourceType.PERSON: "Person",
    SourceType.ANONYMOUS: "Person",
    SourceType.ORGANIZATION: "Organization",
    SourceType.GOVERNMENT: "GovernmentOrganization",
    SourceType.MEDIA: "NewsMediaOrganization",
    SourceType.DOCUMENT: "Organization",
}
# A claimant is free text with no type: most claims quoted in news come from people.
DEFAULT_AUTHOR_TYPE: Final = "Person"


@dataclass(frozen=True, slots=True)
class Appearance:
    """Another article in which a claim appears (a claim of its group, docs/claims.md)."""

    url: str
    title: str | None
    publisher: str | None
    published_at: datetime | None


def claim_reviews(
    claims: Sequence[Claim],
    attributions: Sequence[Attribution],
    *,
    article: Article,
    organization: str,
    organization_url: str | None,
    other_appearances: Mapping[UUID, Sequence[Appearance]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(one ClaimReview per reviewed claim, in the given order; ``{"id", "reason"}`` for each claim with a verdict
    that cannot be published). The claim's author is the source of its first attribution, else its claimant.
    A claim with `other_appearances` lists them after its own article in `itemReviewed.appearance`."""
    sources: dict[UUID, Attribution] = {}
    for attribution in attributions:
        if attribution.claim_id is not None and attribution.review == "accepted":
            sources.setdefault(attribution.claim_id, attribution)
    reviews: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for claim in claims:
        if claim.verdict == "unverified" or claim.review == "rejected":
            continue
        if claim.review == "pending":
            reason = "the claim is a machine suggestion that no person has accepted yet"
            skipped.append({"id": str(claim.id), "reason": reason})
            continue
        if claim.review_url is None:
            reason = "the claim has a verdict but no review_url; a ClaimReview must link to the published fact check"
            skipped.append({"id": str(claim.id), "reason": reason})
            continue
        if claim.needs_review:
            reason = (
                f"an edit changed the rated words (from {claim.previous_quote!r}); the claim waits for a person to "
                "confirm or re-rate it"
            )
            skipped.append({"id": str(claim.id), "reason": reason})
            continue
        review = _review(claim, claim.review_url, sources.get(claim.id), article, organization, organization_url)
        if others := (other_appearances or {}).get(claim.id):
            item = review["itemReviewed"]
            item["appearance"] = [
                item["appearance"],
                *(_appearance(o.url, o.title, o.publisher, o.published_at) for o in others),
            ]
        reviews.append(review)
    return reviews, skipped


def _review(
    claim: Claim,
    url: str,
    source: Attribution | None,
    article: Article,
    organization: str,
    organization_url: str | None,
) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.statement,
        "itemReviewed": _item_reviewed(claim, source, article),
        "author": {"@type": "Organization", "name": organization, **_optional("url", organization_url)},
        "reviewRating": _rating(claim.verdict),
    }
    if claim.reviewed_at is not None:
        review["datePublished"] = _timestamp(claim.reviewed_at)
    if claim.verdict_explanation:
        review["reviewBody"] = claim.verdict_explanation
    return review


def _rating(verdict: Verdict) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": VERDICT_LABELS[verdict]}
    if verdict in RATING_VALUES:
        rating |= {"ratingValue": RATING_VALUES[verdict], "bestRating": BEST_RATING, "worstRating": WORST_RATING}
    return rating


def _item_reviewed(claim: Claim, source: Attribution | None, article: Article) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    if source is not None:
        author_type = AUTHOR_TYPES[source.source_type] if source.source_type else DEFAULT_AUTHOR_TYPE
        item["author"] = {"@type": author_type, "name": source.source}
    elif claim.claimant is not None:
        item["author"] = {"@type": DEFAULT_AUTHOR_TYPE, "name": claim.claimant}
    if article.published_at is not None:
        item["datePublished"] = _timestamp(article.published_at)
    item["appearance"] = _appearance(article.url, article.title, article.publisher, article.published_at)
    return item


def _appearance(url: str, title: str | None, publisher: str | None, published_at: datetime | None) -> dict[str, Any]:
    appearance: dict[str, Any] = {"@type": "CreativeWork", "url": url, **_optional("headline", title)}
    if publisher is not None:
        appearance["publisher"] = {"@type": "Organization", "name": publisher}
    if published_at is not None:
        appearance["datePublished"] = _timestamp(published_at)
    return appearance


def _optional(key: str, value: str | None) -> dict[str, str]:
    return {} if value is None else {key: value}


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC; a naive time is taken as UTC."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")
