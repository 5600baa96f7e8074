"""Accept parsing: when the W3C representation is preferred to the native JSON."""

from __future__ import annotations

import pytest

from service.api.negotiation import wants_w3c
from service.domain.w3c import W3C_MEDIA_TYPE


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (W3C_MEDIA_TYPE, True),
        ('application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"', True),
        ('Application/LD+JSON; Profile="http://www.w3.org/ns/anno.jsonld"', True),
        (
            'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted http://www.w3.org/ns/anno.jsonld"',
            True,
        ),
        ("application/ld+json", True),
        (f"{W3C_MEDIA_TYPE}, application/json;q=0.9", True),
        (f"application/json;q=0.5, {W3C_MEDIA_TYPE}", True),
        (f"{W3C_MEDIA_TYPE}, */*;q=0.1", True),
        (f"text/html, {W3C_MEDIA_TYPE};q=0.8", True),
        (None, False),
        ("", False),
        ("application/json", False),
        ("*/*", False),
        ("application/*", False),
        ("text/html", False),
        (f"application/json, {W3C_MEDIA_TYPE}", False),
        (f"{W3C_MEDIA_TYPE};q=0.5, application/json", False),
        (f"{W3C_MEDIA_TYPE};q=0", False),
        ('application/ld+json; profile="https://schema.org/"', False),
        ('application/ld+json; profile="https://schema.org/", */*', False),
        ("application/ld+json; profile=http://www.w3.org/ns/anno.jsonld", True),  # unquoted, leniently
        ('application/ld+json; profile="http://www.w3.org/ns/anno.jsonld', False),  # unterminated quote
        (f"{W3C_MEDIA_TYPE};q=2", False),
        ("garbage;;, ,", False),
    ],
)
def test_accept_header_chooses_the_w3c_representation(accept: str | None, wanted: bool) -> None:
    assert wants_w3c(accept) is wanted
