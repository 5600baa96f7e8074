"""Synthetic news articles for the benchmarks: text in news style and annotations of all four kinds,
given by offsets and quote (so the service checks both), with attributions and denials linked to claims."""

from __future__ import annotations

import uuid
from typing import Any

_CITIES = ("Riga", "Tallinn", "Vilnius", "Gdańsk", "Klaipėda", "Helsinki", "Turku", "Liepāja")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_BODIES = ("The ministry", "The port authority", "A spokeswoman", "The shipping agency")
_VERDICTS = ("unverified", "true", "mostly_true", "mixed", "mostly_false", "false", "misleading", "unproven")


def article_body(groups: int, seed: int = 0) -> tuple[str, list[dict[str, Any]]]:
    """Text of `groups` paragraphs and 4 × `groups` annotations (one of each kind per paragraph).

    Every paragraph carries an emoji, so code point and UTF-16 offsets differ, as in real articles."""
    parts: list[str] = []
    annotations: list[dict[str, Any]] = []
    position = 0

    def add(fragment: str) -> tuple[int, int]:
        nonlocal position
        parts.append(fragment)
        start = position
        position += len(fragment)
        return start, position

    for g in range(groups):
        city = _CITIES[(g + seed) % len(_CITIES)]
        tonnes = 1000 + 37 * g
        body = _BODIES[g % len(_BODIES)]
        claim_id = str(uuid.uuid4())
        add("\u201c")
        attribution = add(f"Officials in {city} said")
        add(f" on {_DAYS[g % len(_DAYS)]} that ")
        figure = add(f"about {tonnes:,} tonnes")
        rest = add(" of grain had left the port")
        add(f" 🚢.\u201d {body} ")
        denial = add("has denied this")
        add(f", calling it \u201crumours\u201d ({g}).\n\n")
        text_so_far = "".join(parts)
        claim = (figure[0], rest[1])
        annotations.append(
            {
                "kind": "claim",
                "id": claim_id,
                "start": claim[0],
                "end": claim[1],
                "quote": text_so_far[claim[0] : claim[1]],
                "verdict": _VERDICTS[g % len(_VERDICTS)],
                "claimant": f"Officials in {city}",
                "review_url": f"https://factcheck.example.org/{city.lower()}-grain-{g}",
                "tags": ["grain", "ports"],
            }
        )
        annotations.append(
            {
                "kind": "attribution",
                "start": attribution[0],
                "end": attribution[1],
                "quote": text_so_far[attribution[0] : attribution[1]],
                "source": f"Officials in {city}",
                "source_type": "government",
                "cue": "said",
                "claim_id": claim_id,
            }
        )
        annotations.append(
            {
                "kind": "denial",
                "start": denial[0],
                "end": denial[1],
                "quote": text_so_far[denial[0] : denial[1]],
                "denier": body,
                "cue": "denied",
                "target_id": claim_id,
            }
        )
        annotations.append(
            {
                "kind": "figure",
                "start": figure[0],
                "end": figure[1],
                "quote": text_so_far[figure[0] : figure[1]],
                "value": tonnes,
                "unit": "tonnes",
                "approximate": True,
                "qualifier": "about",
                "subject": "grain",
                "origin": "machine",
                "confidence": 0.87,
            }
        )
    return "".join(parts), annotations


def article_request(url: str, annotations: int, seed: int = 0) -> dict[str, Any]:
    """A `POST /v1/articles` body with `annotations` annotations (a multiple of four)."""
    text, items = article_body(annotations // 4, seed)
    return {
        "url": url,
        "alternate_urls": [url.replace("https://", "https://amp.") + "/amp"],
        "title": "Grain leaves Baltic ports",
        "publisher": "Baltic Times",
        "language": "en",
        "published_at": "2026-11-23T08:30:00Z",
        "text": text,
        "annotations": items,
    }
