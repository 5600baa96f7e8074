"""News-style texts with the awkward parts real articles have: curly quotes, non-breaking spaces, emoji and
flags, CRLF line ends, repeated phrases, numbers in words."""

from __future__ import annotations

from typing import Any

RIGA = (
    "Officials in Riga said on Monday that about 4,500 tonnes of grain, including 300 tonnes of seed had left "
    "the port. The ministry dismissed reports of a blockade as \u201crumours\u201d. A shipping agency told "
    "reporters the vessels were insured; the owner has denied this. \U0001f1f1\U0001f1fb Port traffic rose "
    "12%\u00a0in\u00a0October.\r\nThe ministry said the port would stay open."
)
RIGA_URL = "https://news.example.com/2026/11/riga-grain-port"


def span(text: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Code point offsets of the n-th occurrence of `quote` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def utf16_span(text: str, quote: str) -> tuple[int, int]:
    start, end = span(text, quote)
    return len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2


def riga_annotations() -> list[dict[str, Any]]:
    """One annotation of each kind on RIGA, linked the way an editor would link them."""
    claim_id = "6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01"
    s, e = span(RIGA, "about 4,500 tonnes of grain, including 300 tonnes of seed had left the port")
    fs, fe = span(RIGA, "about 4,500 tonnes")
    as_, ae = span(RIGA, "Officials in Riga said")
    return [
        {
            "kind": "claim",
            "id": claim_id,
            "start": s,
            "end": e,
            "claimant": "Officials in Riga",
            "verdict": "mostly_true",
            "review_url": "https://factcheck.example.org/riga-grain",
            "tags": ["grain", "ports"],
        },
        {
            "kind": "attribution",
            "start": as_,
            "end": ae,
            "source": "Officials in Riga",
            "source_type": "government",
            "cue": "said",
            "claim_id": claim_id,
        },
        {"kind": "denial", "quote": "has denied this", "denier": "the owner", "cue": "denied"},
        {
            "kind": "figure",
            "start": fs,
            "end": fe,
            "quote": "about 4,500 tonnes",
            "value": 4500,
            "unit": "tonnes",
            "approximate": True,
            "qualifier": "about",
            "subject": "grain",
        },
    ]


def riga_article(**overrides: Any) -> dict[str, Any]:
    return {
        "url": RIGA_URL,
        "title": "Grain leaves Riga port despite blockade rumours",
        "publisher": "Baltic Times",
        "language": "en",
        "published_at": "2026-11-23T08:30:00Z",
        "text": RIGA,
        "annotations": riga_annotations(),
        **overrides,
    }
