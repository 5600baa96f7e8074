"""`python -m bench.extension [--paragraphs N] [--runs R]`: how long the reference extension takes to anchor and
highlight a long, formulaic article in Chromium, against the same page with no annotations (the same-run
baseline: the lookup and an empty render).

Needs `make extension` done, `npm ci` in tests/extension (the browser test does it) and Chromium
(FACTMARK_CHROMIUM, default /usr/bin/chromium). The article has N paragraphs, each with an attribution, a figure, a
claim on a phrase every paragraph repeats with the same context (decided by its order in the stored text) and a
denial; the page renders each paragraph in a <p> with a link inside. Prints one line per case: characters,
annotations, how many were highlighted, and the median time from the page's load to `data-factmark="annotated"`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bench.harness import ROOT, Database, service_server

DRIVER = Path(__file__).with_suffix(".mjs")


def article(paragraphs: int) -> tuple[str, list[dict[str, Any]]]:
    texts = [
        f"Paragraph {i}: officials in Riga said on day {i} that about {1000 + i} tonnes of grain had left the "
        f"port, and traders said the port is open \u201conly for now\u201d, while the ministry denied report {i}."
        for i in range(paragraphs)
    ]
    text = "\n\n".join(texts)
    annotations: list[dict[str, Any]] = []
    at = 0
    for i, paragraph in enumerate(texts):
        for quote, fields in (
            ("officials in Riga said", {"kind": "attribution", "source": "officials"}),
            (f"about {1000 + i} tonnes", {"kind": "figure", "value": 1000 + i}),
            ("the port is open", {"kind": "claim"}),
            (f"denied report {i}", {"kind": "denial", "denier": "the ministry"}),
        ):
            start = at + paragraph.index(quote)
            annotations.append({**fields, "start": start, "end": start + len(quote)})
        at += len(paragraph) + 2
    return text, annotations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=125)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text, annotations = article(args.paragraphs)
    pages = Path(tempfile.mkdtemp(prefix="factmark-bench-pages-"))
    body = "".join(f"<p>{p.replace('Riga', '<a href=#>Riga</a>')}</p>\n" for p in text.split("\n\n"))
    for name in ("annotated", "baseline"):
        canonical = f"https://news.example.com/bench/{name}"
        (pages / f"{name}.html").write_text(
            f'<!doctype html><html><head><meta charset="utf-8"><link rel="canonical" href="{canonical}">'
            f"</head><body><main>{body}</main></body></html>",
            encoding="utf-8",
        )
    web = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(pages)))
    web.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    threading.Thread(target=web.serve_forever, daemon=True).start()
    database = Database()
    server = service_server(database.url).start(Path(tempfile.mkdtemp(prefix="factmark-bench-logs-")))
    try:
        key, _ = database.create_key("Extension bench")
        headers = {"Authorization": f"Bearer {key}"}
        for name, stored in (("annotated", annotations), ("baseline", [])):
            answer = httpx.post(
                f"{server.base}/v1/articles",
                headers=headers,
                json={"url": f"https://news.example.com/bench/{name}", "text": text, "annotations": stored},
                timeout=120,
            )
            answer.raise_for_status()
        origin = f"http://127.0.0.1:{web.server_address[1]}"
        config = {
            "chromium": os.environ.get("FACTMARK_CHROMIUM", "/usr/bin/chromium"),
            "extension": str(ROOT / "build" / "extension"),
            "service": server.base,
            "key": key,
            "pages": {name: f"{origin}/{name}.html" for name in ("baseline", "annotated")},
            "runs": args.runs,
        }
        ran = subprocess.run(
            ["node", str(DRIVER)], input=json.dumps(config), capture_output=True, text=True, timeout=900, check=False
        )
        if ran.returncode != 0:
            raise SystemExit(f"bench/extension.mjs failed:\n{ran.stderr}")
        for name, runs in json.loads(ran.stdout).items():
            count = len(annotations) if name == "annotated" else 0
            median = statistics.median(run["ms"] for run in runs)
            shown = runs[-1]["highlighted"]
            print(f"{name:10} {len(text):7} characters {count:5} annotations {shown:5} highlighted  {median:7.0f} ms")
    finally:
        server.stop()
        web.shutdown()
        database.close()


if __name__ == "__main__":
    main()
