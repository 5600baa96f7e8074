"""Factmark's W3C annotations anchored in a real browser by a W3C-conformant DOM library (Apache Annotator), both
ways: the service's TextQuoteSelector and TextPositionSelector must select exactly the annotation's quote in the
rendered article, and selectors Annotator describes from a DOM Range must be stored as that same span.

A live `factmark serve` on the test database, Chromium (/usr/bin/chromium, Debian's `chromium` package) driven by
playwright-core from tests/browser/driver.mjs. The page fetches the article and its W3C AnnotationCollection from
the service (CORS), renders the text as many text nodes in a <pre>, and reports what Annotator matched; this test
judges the report (FACTMARK_BROWSER_REPORT=path saves it). Needs node, npm and Chromium: missing ones fail the
test, they never skip it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures import span
from tests.live_server import create_key, free_port, live_server

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
CHROMIUM = os.environ.get("FACTMARK_CHROMIUM", "/usr/bin/chromium")
W3C_ACCEPT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
FACTMARK_FIELDS = "https://factmark.dev/ns#fields"
CLAIM_ID = "0b8a4a52-7c55-4a1f-9d0e-3f7f7c0d2a01"
GRAIN_ID = "0b8a4a52-7c55-4a1f-9d0e-3f7f7c0d2a02"
ARTICLE_URL = "https://news.example.com/2026/11/riga-port-open"

# Flags (two regional indicators each), a ZWJ sequence with a skin tone and a variation selector, other emoji,
# decomposed letters with combining marks, CRLF line ends, NBSP, curly quotes, and "the port is open" twice.
TEXT = (
    "Riga \U0001f1f1\U0001f1fb \u2014 \u201cThe port is open,\u201d said Ja\u0304nis Be\u0304rzin\u0327s\u030c, "
    "the harbour master \U0001f477\U0001f3fd\u200d\u2640\ufe0f.\r\n"
    "Officials said about 4\u00a0500\u00a0tonnes of grain had left the port \U0001f6a2 since Monday; "
    "the ministry repeated that the port is open.\r\n"
    "The owner, \u2018Baltic Grain\u2019, has denied this \U0001f645. "
    "Traders in Ko\u0308ln and Tallinn \U0001f1ea\U0001f1ea said the port is open \u201conly for now\u201d.\r\n"
    "Prices rose 12%\u00a0in October \U0001f4c8\U0001f4c8."
)


def _at(quote: str, occurrence: int = 0) -> dict[str, int]:
    start, end = span(TEXT, quote, occurrence)
    return {"start": start, "end": end}


ANNOTATIONS: list[dict[str, Any]] = [
    # From the very first character: empty prefix.
    {"kind": "claim", **_at("Riga \U0001f1f1\U0001f1fb \u2014 \u201cThe port is open,\u201d"), "verdict": "unverified"},
    {
        "kind": "claim",
        "id": CLAIM_ID,
        **_at("the port is open", 0),
        "verdict": "mostly_true",
        "verdict_explanation": "Open to grain ships only.",
        "tags": ["ports", "\U0001f1f1\U0001f1fb"],
        "note": "Second mention of the phrase in the text.",
    },
    # The repeated phrase again, found by quote and disambiguated by its prefix.
    {"kind": "claim", "quote": "the port is open", "prefix": "said ", "verdict": "misleading"},
    {
        "kind": "claim",
        "id": GRAIN_ID,
        **_at("about 4\u00a0500\u00a0tonnes of grain had left the port \U0001f6a2 since Monday"),
        "verdict": "true",
    },
    # Across a CRLF.
    {"kind": "claim", **_at("the port is open.\r\nThe owner"), "author": "Desk editor"},
    {
        "kind": "attribution",
        **_at("said Ja\u0304nis Be\u0304rzin\u0327s\u030c"),
        "source": "J\u0101nis B\u0113rzi\u0146\u0161",
        "source_type": "person",
        "cue": "said",
    },
    {
        "kind": "attribution",
        **_at("Traders in Ko\u0308ln and Tallinn \U0001f1ea\U0001f1ea said"),
        "source": "Traders",
        "source_type": "anonymous",
        "cue": "said",
        "claim_id": CLAIM_ID,
        "origin": "machine",
        "confidence": 0.8,
        "review": "accepted",  # W3C lists carry accepted annotations only
    },
    {
        "kind": "denial",
        "quote": "has denied this \U0001f645",
        "denier": "Baltic Grain",
        "cue": "denied",
        "target_id": GRAIN_ID,
    },
    {
        "kind": "figure",
        **_at("4\u00a0500\u00a0tonnes"),
        "value": 4500,
        "unit": "tonnes",
        "approximate": True,
        "qualifier": "about",
        "subject": "grain",
    },
    # To the very last character: empty suffix.
    {"kind": "figure", **_at("12%\u00a0in October \U0001f4c8\U0001f4c8."), "value": 12, "unit": "percent"},
    # A span that is a single astral character.
    {"kind": "figure", **_at("\U0001f6a2"), "value": 1, "unit": "ship"},
]

# Spans a reader selects in the page (n-th occurrence of a quote), each POSTed once per selector choice.
REVERSE: list[dict[str, Any]] = [
    {
        "quote": "the port is open",
        "occurrence": 1,
        "document": {
            "motivation": "highlighting",
            "body": {"type": "TextualBody", "purpose": "describing", "value": "The port is open"},
        },
    },
    {
        "quote": "Ko\u0308ln and Tallinn \U0001f1ea\U0001f1ea",
        "occurrence": 0,
        "document": {
            "motivation": "identifying",
            "body": {"type": "TextualBody", "purpose": "identifying", "value": "Traders"},
        },
    },
    {
        "quote": "rose 12%\u00a0in October \U0001f4c8\U0001f4c8.",
        "occurrence": 0,
        "document": {
            "motivation": "describing",
            "body": {
                "type": "TextualBody",
                "purpose": "describing",
                "value": "12 percent",
                FACTMARK_FIELDS: {"kind": "figure", "value": 12, "unit": "percent"},
            },
        },
    },
]
SELECTOR_CHOICES = ("both", "quote", "position")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _require_tools() -> tuple[str, str]:
    """node and npm paths; fails (never skips) naming what is missing and how to get it."""
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = []
    if node is None or npm is None:
        missing.append("node and npm (Node.js >= 20; Debian: apt-get install -y nodejs npm)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (Debian: apt-get install -y chromium; or set FACTMARK_CHROMIUM)")
    if missing:
        pytest.fail("the browser anchoring test needs " + " and ".join(missing), pytrace=False)
    assert node is not None and npm is not None
    return node, npm


def _npm_ci(npm: str) -> None:
    """`npm ci` in tests/browser when node_modules is missing or older than package-lock.json."""
    installed = BROWSER_DIR / "node_modules" / ".package-lock.json"
    lock = BROWSER_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=BROWSER_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        pytest.fail(f"npm ci in {BROWSER_DIR} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)


@pytest.fixture
def live(migrated: str) -> Iterator[tuple[str, dict[str, str], int]]:
    """A `factmark serve` on the test database allowing the test page's origin; its URL, a write key's headers,
    and the port the page is to be served on."""
    key, page_port = create_key(migrated, "Browser Desk"), free_port()
    with live_server(migrated, cors_origins=f"http://127.0.0.1:{page_port}") as (base, _):
        yield base, {"Authorization": f"Bearer {key}"}, page_port


def _expected_reverse() -> list[dict[str, Any]]:
    picks = []
    for pick in REVERSE:
        start, end = span(TEXT, pick["quote"], pick["occurrence"])
        for choice in SELECTOR_CHOICES:
            picks.append(
                {
                    **pick,
                    "name": f"{pick['quote']!r} #{pick['occurrence']} ({choice})",
                    "selectors": choice,
                    "codepoint": [start, end],
                    "utf16": [_utf16(TEXT[:start]), _utf16(TEXT[:end])],
                }
            )
    return picks


def test_apache_annotator_anchors_factmark_annotations_both_ways(live: tuple[str, dict[str, str], int]) -> None:
    began = time.monotonic()
    node, npm = _require_tools()
    _npm_ci(npm)
    installed = time.monotonic()
    base, headers, page_port = live

    created = httpx.post(
        f"{base}/v1/articles",
        headers=headers,
        json={"url": ARTICLE_URL, "title": "Riga port stays open", "text": TEXT, "annotations": ANNOTATIONS},
    )
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    native = {a["id"]: a for a in created.json()["annotations"]}
    assert len(native) == len(ANNOTATIONS)

    picks = _expected_reverse()
    fields = ("name", "quote", "occurrence", "document", "selectors")
    config = {
        "service": base,
        "key": headers["Authorization"].split()[-1],
        "articleId": article_id,
        "pagePort": page_port,
        "picks": [{field: pick[field] for field in fields} for pick in picks],
    }
    driven = subprocess.run(
        [node, str(BROWSER_DIR / "driver.mjs")],
        input=json.dumps(config),
        cwd=BROWSER_DIR,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert driven.returncode == 0, f"driver.mjs failed:\n{driven.stderr}\n{driven.stdout[:2000]}"
    report = json.loads(driven.stdout)
    if os.environ.get("FACTMARK_BROWSER_REPORT"):  # the whole report, for a closer look
        Path(os.environ["FACTMARK_BROWSER_REPORT"]).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    finished = time.monotonic()
    print(
        f"\nnpm ci {installed - began:.1f}s, browser run {finished - installed:.1f}s, driver timings (ms) "
        f"{report['timings']}, {report['userAgent']}, {report['textNodes']} text nodes"
    )

    assert "error" not in report, json.dumps(report, ensure_ascii=False, indent=1)[:4000]
    assert report["problems"] == [], report["problems"]
    assert report["textContentEqualsArticle"], "the page's text content differs from the article text"
    assert report["length"] == {"utf16": _utf16(TEXT), "codepoint": len(TEXT)}
    assert "AnnotationCollection" in report["collection"]["type"], report["collection"]
    assert report["collection"]["contentType"].startswith("application/ld+json"), report["collection"]

    failures = _check_forward(report["anchored"], native) + _check_reverse(report["created"], picks)
    assert not failures, "\n".join(failures)


def _check_forward(anchored: list[dict[str, Any]], native: dict[str, dict[str, Any]]) -> list[str]:
    """Each W3C annotation's two selectors, anchored by Annotator, select its quote at its code point span."""
    failures: list[str] = []
    assert sorted(a["canonical"].removeprefix("urn:uuid:") for a in anchored) == sorted(native), "not every annotation"
    assert {a["kind"] for a in anchored} == {"claim", "attribution", "denial", "figure"}
    for item in anchored:
        mine = native[item["canonical"].removeprefix("urn:uuid:")]
        start, end, quote = mine["start"], mine["end"], mine["quote"]
        utf16 = [_utf16(TEXT[:start]), _utf16(TEXT[:end])]
        where = f"{mine['kind']} {quote!r} [{start}, {end}) (UTF-16 [{utf16[0]}, {utf16[1]}))"
        selector, position = item["quoteSelector"], item["positionSelector"]
        context = {"prefix": mine["prefix"], "suffix": mine["suffix"]}
        if selector != {"type": "TextQuoteSelector", "exact": quote, **context}:
            failures.append(f"{where}: the service's TextQuoteSelector is {selector}")
        if position != {"type": "TextPositionSelector", "start": start, "end": end}:
            failures.append(f"{where}: the service's TextPositionSelector is {position}")
        matches = item["quoteMatches"]
        if [m["text"] for m in matches] != [quote]:
            failures.append(f"{where}: Annotator's TextQuoteSelector matches are {[m['text'] for m in matches]}")
        elif matches[0]["codepoint"] != [start, end] or matches[0]["described"] != position:
            failures.append(
                f"{where}: the TextQuoteSelector match lies at code points {matches[0]['codepoint']}, "
                f"which Annotator describes as {matches[0]['described']}; the TextPositionSelector says {position}"
            )
        found = item["positionMatches"]
        if [m["text"] for m in found] != [quote]:
            # The evidence a unit mismatch needs: what the same numbers select when read as UTF-16 code units.
            as_utf16 = TEXT.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le", "replace")
            failures.append(
                f"{where}: Annotator's TextPositionSelector range is {[m['text'] for m in found]} at "
                f"{[(m['codepoint'], m['utf16']) for m in found]} (code points, UTF-16); "
                f"[{start}, {end}) read as UTF-16 code units would be {as_utf16!r}"
            )
    if all(_utf16(TEXT[: native[a]["start"]]) == native[a]["start"] for a in native):
        failures.append("no annotation starts after an astral character: the test cannot tell the units apart")
    return failures


def _check_reverse(created: list[dict[str, Any]], picks: list[dict[str, Any]]) -> list[str]:
    """Selectors Annotator describes from a DOM Range are stored by the service as the same span."""
    failures: list[str] = []
    assert [c["name"] for c in created] == [p["name"] for p in picks]
    for result, pick in zip(created, picks, strict=True):
        where = pick["name"]
        if result["range"]["text"] != pick["quote"] or result["range"]["codepoint"] != pick["codepoint"]:
            failures.append(f"{where}: the page selected {result['range']}, not the intended span")
            continue
        described = result["positionSelector"]
        if [described["start"], described["end"]] != pick["codepoint"]:
            unit = "UTF-16 code units" if [described["start"], described["end"]] == pick["utf16"] else "unknown units"
            failures.append(
                f"{where}: Annotator's describeTextPosition gave {described}, in {unit}; code points are "
                f"{pick['codepoint']}, UTF-16 {pick['utf16']}"
            )
        if result["quoteSelector"]["exact"] != pick["quote"]:
            failures.append(f"{where}: Annotator's describeTextQuote gave {result['quoteSelector']}")
        posted, stored = result["posted"], result["stored"]
        if posted["status"] != 201:
            failures.append(
                f"{where}: POST {posted['url']} (Content-Type: application/ld+json) "
                f"{json.dumps(result['sent'], ensure_ascii=False)} -> {posted['status']} {posted['body']}"
            )
            continue
        if not posted["contentType"].startswith("application/ld+json"):
            failures.append(f"{where}: the 201 answer is {posted['contentType']}")
        body = stored["body"] if stored else None
        if stored is None or stored["status"] != 200 or not isinstance(body, dict):
            failures.append(f"{where}: reading the stored annotation back gave {stored}")
            continue
        if [body["start"], body["end"], body["quote"]] != [*pick["codepoint"], pick["quote"]]:
            failures.append(
                f"{where}: stored [{body['start']}, {body['end']}) {body['quote']!r}, "
                f"expected {pick['codepoint']} {pick['quote']!r}"
            )
        if result["sent"]["motivation"] == "identifying" and body["kind"] != "attribution":
            failures.append(f"{where}: an identifying annotation was stored as a {body['kind']}")
    return failures
