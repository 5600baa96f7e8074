"""The Web Annotation Protocol suite's server assertions from a browser: Chromium (as tests/test_browser_anchoring.py
drives it) runs tests/browser/protocol.js on another origin against a live `factmark serve`, with
XMLHttpRequest and getResponseHeader as the suite's own pages do, so every request is a CORS request and every
header the protocol needs must be exposed to the page. Missing tools fail the test, they never skip it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures import RIGA_URL, riga_article
from tests.live_server import create_key, free_port, live_server
from tests.test_browser_anchoring import BROWSER_DIR, _npm_ci, _require_tools


@pytest.fixture
def live(migrated: str) -> Iterator[tuple[str, str, int]]:
    key, page_port = create_key(migrated, "Protocol Browser Desk"), free_port()
    with live_server(migrated, cors_origins=f"http://127.0.0.1:{page_port}") as (base, _):
        yield base, key, page_port


def test_a_browser_client_meets_every_protocol_assertion_through_cors(live: tuple[str, str, int]) -> None:
    node, npm = _require_tools()
    _npm_ci(npm)
    base, key, page_port = live
    annotations = [{"kind": "claim", "start": i, "end": i + 12} for i in range(120)]  # more than one page
    created = httpx.post(
        f"{base}/v1/articles", json=riga_article(annotations=annotations), headers={"Authorization": f"Bearer {key}"}
    )
    assert created.status_code == 201, created.text
    article = created.json()
    container = f"{base}/w3c/articles/{article['id']}/"
    config = {
        "containerUrl": container,
        "annotationUrl": f"{container}{article['annotations'][0]['id']}",
        "key": key,
        "articleUrl": RIGA_URL,
        "pagePort": page_port,
    }
    driven = subprocess.run(
        [node, str(BROWSER_DIR / "protocol_driver.mjs")],
        input=json.dumps(config), cwd=BROWSER_DIR, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert driven.returncode == 0, f"protocol_driver.mjs failed:\n{driven.stderr}\n{driven.stdout[:2000]}"
    report = json.loads(driven.stdout)
    assert report["problems"] == []
    failed = [f"{r['assertion']} ({r['detail']})" for r in report["results"] if not r["passed"]]
    assert not failed, "\n".join(failed)
    assert len(report["results"]) >= 45
