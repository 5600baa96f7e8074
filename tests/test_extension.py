"""The reference browser extension (extension/) in a real Chromium, against a live `factmark serve`.

Builds the extension (`npm ci` when needed, then extension/build.mjs into build/extension), stores an article with
one annotation of every kind (and an orphan, and one whose paragraph the page leaves out), serves a page that
renders that article the way news sites do (links and emphasis across annotation boundaries, a byline, an
advertisement between paragraphs, NBSP where the text has spaces and spaces where it has NBSP, curly quotes where it
has straight ones, `<link rel=canonical>` to the stored URL with a tracking parameter), and drives Debian's Chromium
with the extension loaded (tests/extension/driver.mjs, puppeteer-core). The service runs without any CORS origin:
the extension's service worker calls it under its host permissions. Node, npm and Chromium missing fail the test;
they never skip it. The screenshot is written to build/extension-highlights.png.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.extension_stream import StreamingProxy
from tests.fixtures import span
from tests.live_server import create_key, live_server

ROOT = Path(__file__).resolve().parents[1]
EXTENSION_SRC = ROOT / "extension"
EXTENSION_OUT = ROOT / "build" / "extension"
DRIVER_DIR = Path(__file__).resolve().parent / "extension"
SCREENSHOT = ROOT / "build" / "extension-highlights.png"
CHROMIUM = os.environ.get("FACTMARK_CHROMIUM", "/usr/bin/chromium")
ARTICLE_URL = "https://news.example.com/2026/12/riga-port-stays-open"

PARAGRAPHS = [
    "Officials in Riga said on Monday that about 4,500 tonnes of grain, including 300 tonnes of seed, had left "
    "the port \U0001f6a2 since the weekend.",
    'The ministry dismissed reports of a blockade as "rumours". "The port is open," said J\u0101nis '
    "B\u0113rzi\u0146\u0161, the harbour master.",
    "A shipping agency told reporters the vessels were insured; the owner, Baltic Grain, has denied this "
    '\U0001f645. Traders said the port is open "only for now".',
    "Prices rose 12%\u00a0in October, and the port is open to grain ships only, the ministry added.",
    # A formulaic update repeated four times: the middle two occurrences have the same 64 characters around them.
    " ".join(["Update: the ministry said again that the port is open to all ships, including tankers, today."] * 4),
    "Correction: an earlier version of this story gave the tonnage as 5,400.",
]
TEXT = "\n\n".join(PARAGRAPHS)
# The first revision said 11% (the rated claim's words changed: its verdict waits for review) and had a last
# paragraph the newsroom then removed (its annotation is orphaned).
REMOVED = "Lloyd's agents later confirmed the vessels were insured until March."
FIRST_TEXT = TEXT.replace("rose 12%", "rose 11%") + "\n\n" + REMOVED

CLAIM_GRAIN = str(uuid.uuid4())
CLAIM_INSURED = str(uuid.uuid4())


def _at(quote: str, occurrence: int = 0, text: str = TEXT) -> dict[str, int]:
    start, end = span(text, quote, occurrence)
    return {"start": start, "end": end}


ANNOTATIONS: list[dict[str, Any]] = [
    {
        "kind": "claim",
        "id": CLAIM_GRAIN,
        **_at("about 4,500 tonnes of grain, including 300 tonnes of seed, had left the port"),
        "verdict": "mostly_true",
        "verdict_explanation": "Port records show 4,350 tonnes.",
        "review_url": "https://factcheck.example.org/riga-grain",
    },
    {
        "kind": "attribution",
        **_at("Officials in Riga said"),
        "source": "Officials in Riga",
        "source_type": "government",
        "cue": "said",
        "claim_id": CLAIM_GRAIN,
    },
    {
        "kind": "figure",
        **_at("about 4,500 tonnes"),
        "value": 4500,
        "unit": "tonnes",
        "approximate": True,
        "qualifier": "about",
        "subject": "grain",
    },
    {
        "kind": "figure",
        **_at("300 tonnes"),
        "value": 300,
        "unit": "tonnes",
        "qualifier": "including",
        "subject": "seed",
    },
    # Straight quotes in the text, curly ones on the page.
    {
        "kind": "denial",
        **_at('dismissed reports of a blockade as "rumours"'),
        "denier": "The ministry",
        "cue": "dismissed",
    },
    {"kind": "claim", "id": CLAIM_INSURED, **_at("the vessels were insured"), "verdict": "unverified"},
    {
        "kind": "attribution",
        **_at("A shipping agency told reporters"),
        "source": "A shipping agency",
        "source_type": "organization",
        "cue": "told",
        "claim_id": CLAIM_INSURED,
    },
    {
        "kind": "denial",
        **_at("has denied this \U0001f645"),
        "denier": "Baltic Grain",
        "cue": "denied",
        "target_id": CLAIM_INSURED,
    },
    # NBSP in the text, a plain space on the page.
    {"kind": "claim", **_at("Prices rose 12%\u00a0in October"), "verdict": "false"},
    # The repeated phrase, its second occurrence.
    {"kind": "claim", **_at("the port is open", 1), "verdict": "misleading", "note": "Only for grain ships."},
    # Same context as the second occurrence: which one it is, the stored text's order says.
    {"kind": "claim", **_at("the port is open to all ships", 2), "verdict": "true"},
    # In the paragraph the page does not show.
    {"kind": "figure", **_at("5,400"), "value": 5400, "unit": "tonnes"},
]
ORPHAN = {"kind": "claim", **_at("the vessels were insured until March", 0, FIRST_TEXT), "verdict": "unverified"}
NOT_IN_PAGE = "5,400"

# What a reader selects on the page and marks: (name, page quote, occurrence on the page, kind, how, stored quote,
# occurrence in the text, fields expected to be stored).
CREATIONS: list[dict[str, Any]] = [
    {
        "name": "figure by context menu, value and unit from the selection, after two emoji",
        "quote": "12%",
        "occurrence": 0,
        "kind": "figure",
        "via": "menu",
        "stored": ("12%", 0),
        "fields": {"value": 12, "unit": "percent"},
    },
    {
        "name": "attribution by context menu, the source asked for",
        "quote": "said J\u0101nis B\u0113rzi\u0146\u0161",
        "occurrence": 0,
        "kind": "attribution",
        "via": "menu",
        "prompt": "J\u0101nis B\u0113rzi\u0146\u0161",
        "stored": ("said J\u0101nis B\u0113rzi\u0146\u0161", 0),
        "fields": {"source": "J\u0101nis B\u0113rzi\u0146\u0161", "cue": "said"},
    },
    {
        "name": "claim by side panel, the first of a repeated phrase",
        "quote": "the port is open",
        "occurrence": 0,
        "kind": "claim",
        "via": "panel",
        "stored": ("the port is open", 0),
        "fields": {"verdict": "unverified"},
    },
    {
        "name": "figure by side panel across emphasis and an NBSP the page added",
        "quote": "300\u00a0tonnes of seed",
        "occurrence": 0,
        "kind": "figure",
        "via": "panel",
        "fields_typed": {"value": "300"},
        "stored": ("300 tonnes of seed", 0),
        "fields": {"value": 300, "unit": "tonnes", "subject": "seed"},
    },
]
FAILURES: list[dict[str, Any]] = [
    {
        "name": "the API's problem detail is shown (a source over 500 characters)",
        "quote": "Traders said",
        "occurrence": 0,
        "kind": "attribution",
        "via": "panel",
        "fields_typed": {"source": "T" * 501},
        "expect": "length <= 500",
    },
    {
        "name": "text that is not the article's (the advertisement) cannot be marked",
        "quote": "Subscribe",
        "occurrence": 0,
        "kind": "claim",
        "via": "menu",
        "expect": "is not in the article text Factmark has for this page",
    },
]


def render_page(text: str) -> str:
    """The stored text as a news site renders it (each substitution below is a difference the extension must
    tolerate)."""
    paragraphs = text.split("\n\n")[:5]  # the correction is not shown on this page
    html = [escape(p, quote=False) for p in paragraphs]
    html[0] = (
        html[0]
        .replace("Officials in Riga", '<a href="/officials">Officials</a> in <a href="/riga">Riga</a>')
        .replace("about 4,500 tonnes", "<em>about 4,500</em>&nbsp;tonnes")
        .replace("300 tonnes", "300&nbsp;<b>tonnes</b>")
    )
    html[1] = (
        html[1]
        .replace('"rumours"', "\u201crumours\u201d")
        .replace('"The port is open,"', "\u201cThe port is open,\u201d")
        .replace("J\u0101nis B\u0113rzi\u0146\u0161", "<strong>J\u0101nis B\u0113rzi\u0146\u0161</strong>")
    )
    html[2] = (
        html[2]
        .replace("Baltic Grain", '<a href="/baltic-grain">Baltic Grain</a>')
        .replace('"only for now"', "\u201conly for now\u201d")
    )
    html[3] = html[3].replace("12%\u00a0in", "12% in").replace("grain ships", "grain\n      ships")
    body = (
        f"<p>{html[0]}</p><p>{html[1]}</p>"
        '\n<aside class="ad" data-extra>Advertisement \u2014 Subscribe to the Baltic Ledger '
        "for \u20ac1 a week</aside>\n"
        f"<p>{html[2]}</p>\n<p>{html[3]}</p>\n<p>{html[4]}</p>"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Riga port stays open, officials say \u2014 The Baltic Ledger</title>
<link rel="icon" href="data:,">
<link rel="canonical" href="{ARTICLE_URL}?utm_source=feed">
<style>
  body {{ font: 18px/1.6 Georgia, serif; margin: 24px auto; max-width: 760px; color: #222; }}
  .byline {{ color: #666; font: 14px system-ui, sans-serif; }}
  .ad {{ margin: 16px 0; padding: 12px; background: #eee; font: 13px system-ui, sans-serif; color: #555; }}
</style>
</head>
<body>
<main id="article">
<h1 data-extra>Riga port stays open, officials say</h1>
<p class="byline" data-extra>By <a href="/anna">Anna Ozola</a>, Riga \u00b7 2 December 2026</p>
{body}
</main>
</body>
</html>
"""


PLAIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather</title>
<link rel="icon" href="data:,"></head><body><p>Sunny in Riga, 4 degrees.</p></body></html>"""


def compact(text: str) -> str:
    """As the driver compares page text: no whitespace, straight quotes, no invisible characters."""
    straight = text.translate(str.maketrans("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f", "''''\"\"\"\""))
    return "".join(c for c in straight if not c.isspace() and c not in "\u00ad\u200b\u2060\ufeff")


def _require_tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = []
    if node is None or npm is None:
        missing.append("node and npm (Node.js >= 20.19; Debian: apt-get install -y nodejs npm)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (Debian: apt-get install -y chromium; or set FACTMARK_CHROMIUM)")
    if missing:
        pytest.fail("the extension test needs " + " and ".join(missing), pytrace=False)
    assert node is not None and npm is not None
    return node, npm


def _npm_ci(npm: str, where: Path) -> None:
    """`npm ci` when node_modules is missing or older than package-lock.json (what `make extension` always runs)."""
    installed = where / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= (where / "package-lock.json").stat().st_mtime:
        return
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(f"npm ci in {where} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)


def _build(node: str, npm: str) -> None:
    """`make extension`'s steps, skipped when build/extension is newer than everything it is built from."""
    _npm_ci(npm, EXTENSION_SRC)
    _npm_ci(npm, DRIVER_DIR)
    sources = [ROOT / "openapi" / "openapi.json", *EXTENSION_SRC.glob("*.*"), *(EXTENSION_SRC / "static").rglob("*")]
    sources += [p for p in (EXTENSION_SRC / "src").rglob("*.ts") if "generated" not in p.parts]
    manifest = EXTENSION_OUT / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime > max(p.stat().st_mtime for p in sources):
        return
    built = subprocess.run([node, "build.mjs"], cwd=EXTENSION_SRC, capture_output=True, text=True, timeout=180)
    if built.returncode != 0:
        pytest.fail(f"building the extension failed:\n{built.stdout}\n{built.stderr}", pytrace=False)


@pytest.fixture
def pages() -> Iterator[str]:
    """A local web server for the article page (/riga.html) and a page Factmark does not know (/weather.html)."""
    root = ROOT / "build" / "extension-test-pages"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "riga.html").write_text(render_page(TEXT), encoding="utf-8")
    (root / "weather.html").write_text(PLAIN_PAGE, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _store(base: str, headers: dict[str, str]) -> tuple[str, dict[str, dict[str, Any]], str]:
    """The article (first revision with the paragraph later removed), its annotations by id, the orphan's id."""
    created = httpx.post(
        f"{base}/v1/articles",
        headers=headers,
        json={
            "url": ARTICLE_URL,
            "title": "Riga port stays open, officials say",
            "text": FIRST_TEXT,
            "annotations": [*ANNOTATIONS, ORPHAN],
        },
    )
    assert created.status_code == 201, created.text
    article = created.json()
    orphan_id = next(a["id"] for a in article["annotations"] if a["quote"] == ORPHAN_QUOTE)
    replaced = httpx.put(
        f"{base}/v1/articles/{article['id']}/text",
        headers={**headers, "If-Match": created.headers["ETag"]},
        json={"text": TEXT},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["orphaned_ids"] == [orphan_id], replaced.json()
    listed = httpx.get(f"{base}/v1/articles/{article['id']}/annotations", headers=headers, params={"limit": 500})
    by_id = {a["id"]: a for a in listed.json()["items"]}
    return article["id"], by_id, orphan_id


ORPHAN_QUOTE = FIRST_TEXT[ORPHAN["start"] : ORPHAN["end"]]


def test_the_extension_shows_creates_and_lists_annotations_in_chromium(migrated: str, pages: str) -> None:
    began = time.monotonic()
    node, npm = _require_tools()
    _build(node, npm)
    built = time.monotonic()
    key = create_key(migrated, f"Extension Desk {uuid.uuid4().hex[:8]}")
    headers = {"Authorization": f"Bearer {key}"}
    has_stream = "/v1/events/stream" in json.loads((ROOT / "openapi" / "openapi.json").read_text())["paths"]
    # No FACTMARK_CORS_ORIGINS: the extension needs none.
    with live_server(migrated) as (base, _), StreamingProxy(base) as proxy:
        service = base if has_stream else proxy.url
        article_id, stored, orphan_id = _store(base, headers)
        by_quote = {a["quote"]: a for a in stored.values()}
        hover = {
            "claim": CLAIM_GRAIN,
            "attribution": by_quote["A shipping agency told reporters"]["id"],
            "denial": by_quote["has denied this \U0001f645"]["id"],
            "figure": by_quote["about 4,500 tonnes"]["id"],
            "review": by_quote["Prices rose 12%\u00a0in October"]["id"],
        }
        assert by_quote["Prices rose 12%\u00a0in October"]["needs_review"], by_quote["Prices rose 12%\u00a0in October"]
        config = {
            "chromium": CHROMIUM,
            "extensionDir": str(EXTENSION_OUT),
            "serviceUrl": service,
            "key": key,
            "pageUrl": f"{pages}/riga.html",
            "plainUrl": f"{pages}/weather.html",
            "screenshot": str(SCREENSHOT),
            "panelScreenshot": str(SCREENSHOT.with_name("extension-sidepanel.png")),
            "hover": hover,
            "screenshotHover": next(a["id"] for a in stored.values() if a.get("note") == "Only for grain ships."),
            "creations": [_for_driver(c) for c in CREATIONS + FAILURES],
            "live": {
                "enableStream": None if has_stream else f"{proxy.url}/__stream-on",
                "articleId": article_id,
                "add": {"kind": "claim", "quote": "the harbour master", "verdict": "unverified"},
                "change": CLAIM_INSURED,
                "patch": {"verdict": "false", "verdict_explanation": "No insurer confirmed it."},
                "expectText": "No insurer confirmed it.",
                "remove": by_quote["Prices rose 12%\u00a0in October"]["id"],
            },
        }
        driven = subprocess.run(
            [node, str(DRIVER_DIR / "driver.mjs")],
            input=json.dumps(config),
            cwd=DRIVER_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert driven.returncode == 0, f"driver.mjs failed:\n{driven.stderr[-6000:]}"
        report = json.loads(driven.stdout)
        if os.environ.get("FACTMARK_EXTENSION_REPORT"):
            Path(os.environ["FACTMARK_EXTENSION_REPORT"]).write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"\nbuild {built - began:.1f}s, browser {time.monotonic() - built:.1f}s: {report['timings']}")

        assert report["problems"] == [], report["problems"]
        _check_options(report, service, key)
        _check_highlights(report["marks"], stored, orphan_id)
        _check_panel(report["panel"], stored, orphan_id, has_stream)
        _check_live(report["live"])
        _check_cards(report, hover, stored)
        _check_created(report, base, headers, article_id)
        assert report["layoutWith"] == report["layoutWithout"], "highlighting moved the page's text"
        assert report["plain"] == {"state": "not-stored", "marks": 0}, report["plain"]
        assert SCREENSHOT.stat().st_size > 10_000


def _for_driver(creation: dict[str, Any]) -> dict[str, Any]:
    picked = {k: creation[k] for k in ("name", "quote", "occurrence", "kind", "via") if k in creation}
    if "prompt" in creation:
        picked["prompt"] = creation["prompt"]
    if "fields_typed" in creation:
        picked["fields"] = creation["fields_typed"]
    return picked


def _check_options(report: dict[str, Any], base: str, key: str) -> None:
    options = report["options"]
    assert options["state"] == "ok", options
    assert "answered and the key works" in options["status"], options
    assert options["stored"] == {"serviceUrl": base, "apiKey": key}
    assert "refused the key" in options["wrongKey"] and "API key" in options["wrongKey"], options["wrongKey"]


def _check_highlights(marks: dict[str, Any], stored: dict[str, dict[str, Any]], orphan_id: str) -> None:
    """Every annotation the page shows is highlighted once, at exactly its text and place; the others nowhere."""
    failures = []
    for annotation_id, annotation in stored.items():
        shown = marks.get(annotation_id)
        quote = annotation["quote"]
        if annotation_id == orphan_id or quote == NOT_IN_PAGE:
            if shown is not None:
                failures.append(f"{annotation['kind']} {quote!r} ({annotation['anchor']['status']}) is highlighted")
            continue
        if shown is None:
            failures.append(f"{annotation['kind']} {quote!r} is not highlighted")
            continue
        expected_offset = len(compact(TEXT[: annotation["start"]]))
        if compact(shown["text"]) != compact(quote) or shown["offset"] != expected_offset:
            failures.append(
                f"{annotation['kind']} {quote!r} at [{annotation['start']}, {annotation['end']}): highlighted "
                f"{shown['text']!r} at compact offset {shown['offset']} (expected {expected_offset})"
            )
        if shown["kind"] != annotation["kind"] or shown["tabStops"] != 1 or shown["inExtra"]:
            failures.append(f"{annotation['kind']} {quote!r}: {shown}")
    assert not failures, "\n".join(failures)
    assert {m["kind"] for m in marks.values()} == {"claim", "attribution", "denial", "figure"}


def _check_panel(panel: dict[str, Any], stored: dict[str, dict[str, Any]], orphan_id: str, has_stream: bool) -> None:
    orphans = {o["id"]: o for o in panel["orphans"]}
    missing = next(a for a in stored.values() if a["quote"] == NOT_IN_PAGE)
    assert set(orphans) == {orphan_id, missing["id"]}, panel
    assert orphans[orphan_id]["quote"] == ORPHAN_QUOTE and "orphaned" in orphans[orphan_id]["reason"]
    assert orphans[missing["id"]]["quote"] == NOT_IN_PAGE and "not in this page" in orphans[missing["id"]]["reason"]
    shown = [a for a in stored.values() if a["id"] not in orphans]
    assert panel["counts"] == {
        k: sum(a["kind"] == k for a in shown) for k in ("claim", "attribution", "denial", "figure")
    }
    assert panel["page"] == "Riga port stays open, officials say"
    if has_stream:
        assert panel["live"].startswith("Live:"), panel["live"]
    else:  # the stream is not offered (404): feature-detected, and said so
        assert "no event stream" in panel["live"], panel["live"]


def _check_live(live: dict[str, Any]) -> None:
    """Edits made elsewhere reach the open page through the event stream, without a reload."""
    assert live["connected"], f"the extension did not connect to the event stream: {live}"
    assert live["appeared"], f"an annotation added elsewhere was not highlighted: {live}"
    assert live["patchStatus"] == 200 and live["changed"], f"a changed verdict did not reach the card: {live}"
    assert live["deleteStatus"] == 204 and live["disappeared"], f"a deleted annotation stayed highlighted: {live}"
    assert live["panel"].startswith("Live:"), live


def _check_cards(report: dict[str, Any], hover: dict[str, str], stored: dict[str, dict[str, Any]]) -> None:
    cards = report["cards"]
    claim = cards["claim"]["text"]
    assert "Mostly true" in claim and "Port records show 4,350 tonnes." in claim and "Read the fact-check" in claim
    attribution = cards["attribution"]
    assert "A shipping agency (organisation)" in attribution["text"] and "told" in attribution["text"]
    assert "the vessels were insured" in attribution["text"]
    assert attribution["related"] == [CLAIM_INSURED], "the attributed claim is not highlighted on hover"
    denial = cards["denial"]["text"]
    assert "Baltic Grain" in denial and "denied" in denial and "the vessels were insured" in denial
    review = cards["review"]["text"]
    assert "False" in review and "Awaiting review" in review and "Prices rose 11%" in review, review
    figure = cards["figure"]["text"]
    assert "4,500 tonnes" in figure and "about" in figure and "grain" in figure
    # Keyboard: Tab reaches the highlights in page order (links in between are the page's), each shows its card.
    reached = [f for f in report["focus"] if f["tag"] == "MARK"]
    assert reached, report["focus"]
    assert all(f["card"] == f["id"] for f in reached), report["focus"]
    assert report["cardAfterEscape"] is None


def _check_created(report: dict[str, Any], base: str, headers: dict[str, str], article_id: str) -> None:
    results = {r["name"]: r for r in report["created"]}
    failures = []
    for creation in CREATIONS:
        result = results[creation["name"]]
        answer = result["answer"]
        if not answer.get("ok") or not answer.get("id"):
            failures.append(f"{creation['name']}: {answer} (toast {result['toast']})")
            continue
        read = httpx.get(f"{base}/v1/annotations/{answer['id']}", headers=headers).json()
        quote, occurrence = creation["stored"]
        start, end = span(TEXT, quote, occurrence)
        got = {"kind": read["kind"], "start": read["start"], "end": read["end"], "quote": read["quote"]}
        want = {"kind": creation["kind"], "start": start, "end": end, "quote": quote}
        wrong = {k: read.get(k) for k, v in creation["fields"].items() if read.get(k) != v}
        if got != want or wrong or read["article_id"] != article_id:
            failures.append(f"{creation['name']}: stored {got} {wrong}, expected {want} {creation['fields']}")
        shown = report["marksAfter"].get(answer["id"])
        if shown is None or compact(shown["text"]) != compact(quote):
            failures.append(f"{creation['name']}: highlighted as {shown}")
    assert "Who is the statement attributed to" in " ".join(
        results[CREATIONS[1]["name"]]["answer"].get("dialogs", [])
    ), results[CREATIONS[1]["name"]]
    for failure in FAILURES:
        result = results[failure["name"]]
        said = result["answer"].get("text") or result["answer"].get("error") or ""
        toast = (result["toast"] or {}).get("text", "")
        if result["answer"].get("ok") or failure["expect"] not in said or failure["expect"] not in toast:
            failures.append(f"{failure['name']}: answer {result['answer']}, toast {result['toast']}")
    assert not failures, "\n".join(failures)
    counted = httpx.get(f"{base}/v1/articles/{article_id}/annotations", headers=headers, params={"limit": 500})
    assert len(counted.json()["items"]) == len(ANNOTATIONS) + 1 + len(CREATIONS), "a failed creation stored something"


def test_the_extensions_text_logic_passes_its_unit_tests() -> None:
    """extension/test/*.test.ts: tolerant comparison (with a property over random awkward text) and field prefill."""
    node, npm = _require_tools()
    _npm_ci(npm, EXTENSION_SRC)
    ran = subprocess.run([node, "test/run.mjs"], cwd=EXTENSION_SRC, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, f"extension unit tests failed:\n{ran.stdout[-6000:]}\n{ran.stderr[-2000:]}"
