"""msgspec Structs of the public API: every request and response body, with the constraints that
both validate input and document it in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

# Documented limits (docs/operations.md); a request over one of them is answered 422 naming the field.
MAX_TEXT_LENGTH = 2 * 1024 * 1024  # code points
MAX_BATCH = 5000
MAX_PAGE = 500
DEFAULT_PAGE = 100


class Verdict(StrEnum):
    """A fact-checker's rating of a claim (`unverified` until someone rates it)."""

    UNVERIFIED = "unverified"
    TRUE = "true"
    MOSTLY_TRUE = "mostly_true"
    MIXED = "mixed"
    MOSTLY_FALSE = "mostly_false"
    FALSE = "false"
    MISLEADING = "misleading"
    UNPROVEN = "unproven"


class SourceType(StrEnum):
    """What kind of source an attribution credits."""

    PERSON = "person"
    ORGANIZATION = "organization"
    GOVERNMENT = "government"
    MEDIA = "media"
    ANONYMOUS = "anonymous"
    DOCUMENT = "document"


class Qualifier(StrEnum):
    """How a figure is hedged or bounded in the text."""

    ABOUT = "about"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    UP_TO = "up_to"
    MORE_THAN = "more_than"
    FEWER_THAN = "fewer_than"
    EXACTLY = "exactly"
    INCLUDING = "including"


class Origin(StrEnum):
    """Who made the annotation: a person, or a machine suggestion."""

    HUMAN = "human"
    MACHINE = "machine"


class Kind(StrEnum):
    """The four kinds of annotation."""

    CLAIM = "claim"
    ATTRIBUTION = "attribution"
    DENIAL = "denial"
    FIGURE = "figure"


class AnchorStatus(StrEnum):
    """What re-anchoring made of an annotation's position."""

    ANCHORED = "anchored"
    RELOCATED = "relocated"
    ORPHANED = "orphaned"


class Review(StrEnum):
    """A person's decision on an annotation: machine suggestions wait `pending`, a person's own are `accepted`."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


Offset = Annotated[
    int, Meta(ge=0, le=2**31 - 1, description="Offset into the article text, in the request's offset_unit.")
]
ShortText = Annotated[str, Meta(min_length=1, max_length=500)]
LongText = Annotated[str, Meta(max_length=10_000)]
Tag = Annotated[str, Meta(min_length=1, max_length=100)]
Tags = Annotated[list[Tag], Meta(max_length=50)]
Context = Annotated[
    str,
    Meta(max_length=256, description="Text right before/after the quote; up to 32 code points are stored."),
]
Url = Annotated[
    str,
    Meta(
        min_length=10,
        max_length=2048,
        pattern=r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s@]+",
        description="Absolute http(s) URL.",
    ),
]
Language = Annotated[
    str, Meta(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=35, description="BCP 47 tag.")
]
Confidence = Annotated[float, Meta(ge=0, le=1)]
FigureValue = Annotated[float, Meta(ge=-1e300, le=1e300, description="The number, as a JSON number.")]
AwareDatetime = Annotated[datetime, Meta(tz=True)]


# ---------------------------------------------------------------- annotations: input


class AnnotationInputBase(Struct, tag_field="kind", kw_only=True, frozen=True, forbid_unknown_fields=True):
    id: UUID | None = None
    """Optional client-chosen id, so that links inside one batch (claim_id, target_id) can be given."""
    start: Offset | None = None
    end: Offset | None = None
    quote: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)] | None = None
    prefix: Context | None = None
    suffix: Context | None = None
    tags: Tags = msgspec.field(default_factory=list)
    note: LongText | None = None
    author: ShortText | None = None
    origin: Origin = Origin.HUMAN
    confidence: Confidence | None = None
    review: Review | None = None
    """Default: `accepted` for a person's annotation, `pending` for a machine suggestion."""


class ClaimInput(AnnotationInputBase, tag="claim", frozen=True):
    statement: LongText | None = None
    claimant: ShortText | None = None
    verdict: Verdict = Verdict.UNVERIFIED
    verdict_explanation: LongText | None = None
    review_url: Url | None = None
    reviewed_at: AwareDatetime | None = None


class AttributionInput(AnnotationInputBase, tag="attribution", frozen=True):
    source: ShortText
    source_type: SourceType | None = None
    cue: ShortText | None = None
    claim_id: UUID | None = None


class DenialInput(AnnotationInputBase, tag="denial", frozen=True):
    denier: ShortText
    cue: ShortText | None = None
    target_id: UUID | None = None


class FigureInput(AnnotationInputBase, tag="figure", frozen=True):
    value: FigureValue
    unit: ShortText | None = None
    approximate: bool = False
    qualifier: Qualifier | None = None
    subject: ShortText | None = None


AnnotationInput = ClaimInput | AttributionInput | DenialInput | FigureInput
AnnotationBatchInput = Annotated[list[AnnotationInput], Meta(min_length=1, max_length=MAX_BATCH)]


class AnnotationPatch(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Any subset of the mutable fields of the annotation's kind; `null` clears an optional field.

    Offsets and quote are re-validated against the current text like on creation.
    """

    start: Offset | UnsetType = UNSET
    end: Offset | UnsetType = UNSET
    quote: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)] | UnsetType = UNSET
    prefix: Context | UnsetType | None = UNSET
    suffix: Context | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET
    note: LongText | UnsetType | None = UNSET
    author: ShortText | UnsetType | None = UNSET
    origin: Origin | UnsetType = UNSET
    confidence: Confidence | UnsetType | None = UNSET
    review: Review | UnsetType = UNSET
    """A person's decision on a machine suggestion: `accepted` or `rejected` (or back to `pending`)."""
    statement: LongText | UnsetType | None = UNSET
    claimant: ShortText | UnsetType | None = UNSET
    verdict: Verdict | UnsetType = UNSET
    verdict_explanation: LongText | UnsetType | None = UNSET
    review_url: Url | UnsetType | None = UNSET
    reviewed_at: AwareDatetime | UnsetType | None = UNSET
    source: ShortText | UnsetType = UNSET
    source_type: SourceType | UnsetType | None = UNSET
    cue: ShortText | UnsetType | None = UNSET
    claim_id: UUID | UnsetType | None = UNSET
    denier: ShortText | UnsetType = UNSET
    target_id: UUID | UnsetType | None = UNSET
    value: FigureValue | UnsetType = UNSET
    unit: ShortText | UnsetType | None = UNSET
    approximate: bool | UnsetType = UNSET
    qualifier: Qualifier | UnsetType | None = UNSET
    subject: ShortText | UnsetType | None = UNSET
    needs_review: bool | UnsetType = UNSET
    """`false` confirms an annotation that re-anchoring flagged: its rating or value holds for its new words
    (changing `verdict` or `value` does the same)."""


# ---------------------------------------------------------------- annotations: output


class Anchor(Struct, kw_only=True, frozen=True):
    status: AnchorStatus
    revision: int
    """The article revision the offsets refer to."""
    confidence: float
    approximate: bool = False
    """Whether the last relocation found the quote approximately (its words changed) rather than exactly."""


class AnnotationBase(Struct, kw_only=True, tag_field="kind"):
    id: UUID
    article_id: UUID
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    tags: list[str]
    note: str | None
    author: str | None
    origin: Origin
    confidence: float | None
    anchor: Anchor
    needs_review: bool = False
    """Re-anchoring changed the words of this reviewed claim or figure: its rating or value waits for a person
    (PATCH `needs_review: false`, a new `verdict` or `value`); meanwhile the claim is left out of ClaimReview."""
    previous_quote: str | None = None
    """The words the rating or value was given for, while `needs_review` is true."""
    review: Review = Review.ACCEPTED
    """`pending` for a machine suggestion until a person accepts or rejects it (PATCH `review`); a person's own
    annotations are `accepted` from the start. Lists leave rejected ones out unless asked; W3C lists and
    ClaimReview carry only accepted ones."""
    version: int
    created_at: datetime
    updated_at: datetime


class Claim(AnnotationBase, tag="claim"):
    statement: str
    claimant: str | None
    verdict: Verdict
    verdict_explanation: str | None
    review_url: str | None
    reviewed_at: datetime | None


class Attribution(AnnotationBase, tag="attribution"):
    source: str
    source_type: SourceType | None
    cue: str | None
    claim_id: UUID | None


class Denial(AnnotationBase, tag="denial"):
    denier: str
    cue: str | None
    target_id: UUID | None


class Figure(AnnotationBase, tag="figure"):
    value: float
    unit: str | None
    approximate: bool
    qualifier: Qualifier | None
    subject: str | None


Annotation = Claim | Attribution | Denial | Figure
ANNOTATION_CLASSES: dict[str, type[AnnotationBase]] = {
    "claim": Claim,
    "attribution": Attribution,
    "denial": Denial,
    "figure": Figure,
}
# The fields of each kind, beside the common ones: what PATCH may change for that kind.
KIND_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(cls.__struct_fields__) - frozenset(AnnotationBase.__struct_fields__)
    for kind, cls in ANNOTATION_CLASSES.items()
}


class AnnotationPage(Struct, kw_only=True):
    items: list[Annotation]
    next_cursor: str | None


class AnnotationBatch(Struct, kw_only=True):
    items: list[Annotation]


# ---------------------------------------------------------------- articles


class ArticleInput(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    url: Url
    text: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)]
    alternate_urls: Annotated[list[Url], Meta(max_length=50)] = msgspec.field(default_factory=list)
    title: LongText | None = None
    publisher: ShortText | None = None
    language: Language | None = None
    published_at: AwareDatetime | None = None
    annotations: Annotated[list[AnnotationInput], Meta(max_length=MAX_BATCH)] = msgspec.field(default_factory=list)


class ArticlePatch(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Metadata and URLs; the text changes only through `PUT /v1/articles/{id}/text`."""

    url: Url | UnsetType = UNSET
    alternate_urls: Annotated[list[Url], Meta(max_length=50)] | UnsetType = UNSET
    title: LongText | UnsetType | None = UNSET
    publisher: ShortText | UnsetType | None = UNSET
    language: Language | UnsetType | None = UNSET
    published_at: AwareDatetime | UnsetType | None = UNSET


class Article(Struct, kw_only=True):
    id: UUID
    url: str
    canonical_url: str
    alternate_urls: list[str]
    title: str | None
    publisher: str | None
    language: str | None
    published_at: datetime | None
    revision: int
    text_length: int
    """Length of the text in the request's offset_unit."""
    version: int
    created_at: datetime
    updated_at: datetime
    text: str | UnsetType = UNSET
    annotations: list[Annotation] | UnsetType = UNSET


class ArticlePage(Struct, kw_only=True):
    items: list[Article]
    next_cursor: str | None


# ---------------------------------------------------------------- revisions


class TextInput(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)]


class Revision(Struct, kw_only=True):
    revision: int
    text: str
    text_length: int
    """In the request's offset_unit."""
    created_at: datetime


class RevisionList(Struct, kw_only=True):
    items: list[Revision]


class AnchorCounts(Struct, kw_only=True):
    anchored: int
    """Same place, same quote."""
    relocated: int
    """The same quote found exactly elsewhere (confidence 1)."""
    relocated_approximately: int
    """Found approximately: a new quote was stored (confidence < 1)."""
    orphaned: int
    """Not found: kept with the offsets of the revision they last matched."""


class RevisionReport(Struct, kw_only=True):
    article_id: UUID
    revision: int
    version: int
    """The article's new version (its ETag)."""
    counts: AnchorCounts
    orphaned_ids: list[UUID]
    approximate_ids: list[UUID]
    needs_review_ids: list[UUID]
    """Reviewed claims and figures whose words changed: they wait for a person to confirm or re-rate them."""


# ---------------------------------------------------------------- ClaimReview


class SkippedClaim(Struct, kw_only=True):
    id: str
    reason: str


class ClaimReviews(Struct, kw_only=True):
    """schema.org ClaimReview JSON-LD, one object per claim with a verdict, ready for a page's
    `<script type="application/ld+json">`; claims with a verdict that cannot be published are listed apart."""

    reviews: list[dict[str, Any]]
    skipped: list[SkippedClaim]


# ---------------------------------------------------------------- claims across articles


class ArticleRef(Struct, kw_only=True):
    id: UUID
    url: str
    title: str | None
    published_at: datetime | None


class SuggestedVerdict(Struct, kw_only=True):
    """The verdict another claim of the same group was given: offered, never copied onto this claim."""

    verdict: Verdict
    claim_id: UUID
    """The reviewed claim."""
    article_id: UUID
    review_url: str | None
    reviewed_at: datetime | None
    other_verdicts: list[Verdict]
    """Different verdicts other claims of the group have (the suggestion is the most recent review)."""


class ClaimHit(Struct, kw_only=True):
    claim: Claim
    article: ArticleRef
    snippet: str
    """HTML-escaped text around the matched words, which are wrapped in `<mark>`…`</mark>`."""
    rank: float
    """How many of the query's words and numbers the claim has, plus 1 / (2 + its distinct words) so that the
    more concise of two claims with as many ranks first; higher first."""
    suggested_verdict: SuggestedVerdict | None


class ClaimHitPage(Struct, kw_only=True):
    items: list[ClaimHit]
    next_cursor: str | None


class MatchReason(Struct, kw_only=True, omit_defaults=True):
    """One part of a match score: `score` = (sum of `points`) × (product of `factor`)."""

    kind: Literal["wording", "figures", "names", "figure_conflict", "names_differ", "negation", "date_differs"]
    detail: str
    points: float | None = None
    factor: float | None = None


class ClaimMatch(Struct, kw_only=True):
    claim_id: UUID
    statement: str
    claimant: str | None
    verdict: Verdict
    article: ArticleRef
    score: Annotated[float, Meta(ge=0, le=1)]
    level: Literal["match", "suggest"]
    """`match` at or above the match threshold, `suggest` between the suggest and the match threshold."""
    reasons: list[MatchReason]
    same_group: bool
    """Already confirmed as the same claim (`POST /v1/claims/{id}/same-as`)."""
    suggested_verdict: SuggestedVerdict | None


class ClaimMatches(Struct, kw_only=True):
    claim_id: UUID
    items: list[ClaimMatch]
    match_threshold: float
    suggest_threshold: float


class SameAsInput(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    claim_id: UUID
    """The claim that states the same thing (any article of the tenant)."""


class GroupMember(Struct, kw_only=True):
    claim_id: UUID
    statement: str
    claimant: str | None
    verdict: Verdict
    review_url: str | None
    reviewed_at: datetime | None
    article: ArticleRef
    suggested_verdict: SuggestedVerdict | None
    """For an unverified claim: the most recent verdict of another claim of the group."""


class ClaimGroup(Struct, kw_only=True):
    """Claims confirmed to state the same thing, through links made one pair at a time (transitively)."""

    claim_id: UUID
    items: list[GroupMember]


# ---------------------------------------------------------------- suggestions


class SuggestionsInput(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)]
    language: Language = "en"
    """The language of the text; the engine has rules for the languages a 422 names when this one has none."""


class SuggestionEngine(Struct, kw_only=True):
    name: str
    version: str


class Suggestions(Struct, kw_only=True):
    items: list[AnnotationInput]
    """Annotation inputs (origin machine, with a confidence and an id that links use): post them back as they are."""
    engine: SuggestionEngine
    truncated: bool
    """True when the text held more than a batch's worth of suggestions and only the first ones are given."""


# ---------------------------------------------------------------- service


class Health(Struct, kw_only=True):
    status: Literal["ok", "unavailable"]


class ProblemFieldError(Struct, kw_only=True, omit_defaults=True):
    detail: str
    pointer: str | None = None
    """JSON pointer to the offending field of the request body."""
    parameter: str | None = None
    """Name of the offending query, path or header parameter."""
    actual: object = None
    """What the request (or the text) actually holds there, when it helps."""


class Problem(Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] = msgspec.field(default_factory=list)
