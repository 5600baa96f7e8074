"""Two `factmark serve` replicas on one database (the second through PgBouncer, with its direct connection for
notifications): a write through one is read through the other at once, and a revoked key is refused by both."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import METRICS_TOKEN
from tests.fixtures import RIGA, riga_article, span
from tests.live_server import create_key, factmark, live_server


@pytest.fixture(scope="module")
def replicas(migrated: str, pgbouncer_url: str) -> Iterator[tuple[str, str]]:
    with (
        live_server(migrated) as (first, _),
        live_server(pgbouncer_url, pgbouncer="true", direct_database_url=migrated, metrics_token=METRICS_TOKEN) as (
            second,
            _,
        ),
    ):
        yield first, second


class Caller:
    def __init__(self, key: str) -> None:
        self.headers = {"Authorization": f"Bearer {key}"}

    def __call__(self, method: str, url: str, body: Any = None, **headers: str) -> httpx.Response:
        return httpx.request(method, url, json=body, headers={**self.headers, **headers}, timeout=10)


def _quotes(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["quote"] for item in answer.json()["items"]]


def test_a_write_through_one_replica_is_read_through_the_other_at_once(
    replicas: tuple[str, str], migrated: str, db: asyncpg.Connection
) -> None:
    first, second = replicas
    call = Caller(create_key(migrated, f"Replica Times {uuid.uuid4()}"))
    created = call("POST", f"{first}/v1/articles", riga_article())
    assert created.status_code == 201, created.text
    article = created.json()["id"]
    listing = f"/v1/articles/{article}/annotations"
    for _ in range(2):  # the second read is answered from the second replica's memory
        assert len(_quotes(call("GET", second + listing))) == 4

    start, end = span(RIGA, "The ministry said the port would stay open")
    added = call("POST", first + listing, {"kind": "claim", "start": start, "end": end})
    assert added.status_code == 201, added.text
    assert "The ministry said the port would stay open" in _quotes(call("GET", second + listing))

    annotation = added.json()["id"]
    patched = call("PATCH", f"{first}/v1/annotations/{annotation}", {"verdict": "false"})
    assert patched.status_code == 200, patched.text
    items = call("GET", second + listing).json()["items"]
    assert [i["verdict"] for i in items if i["id"] == annotation] == ["false"]

    assert call("DELETE", f"{first}/v1/annotations/{annotation}").status_code == 204
    assert len(_quotes(call("GET", second + listing))) == 4

    text = RIGA.replace("Officials in Riga said", "Officials in Riga told reporters")
    replaced = call("PUT", f"{first}/v1/articles/{article}/text", {"text": text})
    assert replaced.status_code == 200, replaced.text
    with_annotations = call("GET", f"{second}/v1/articles/{article}?include=annotations")
    assert with_annotations.json()["revision"] == 2

    assert call("DELETE", f"{first}/v1/articles/{article}").status_code == 204
    assert call("GET", second + listing).status_code == 404
    assert call("GET", f"{second}/v1/articles/{article}?include=annotations").status_code == 404


def test_revoking_a_key_reaches_every_replica_within_a_second(
    replicas: tuple[str, str], migrated: str, db: asyncpg.Connection
) -> None:
    key = create_key(migrated, f"Revoked Desk {uuid.uuid4()}")
    call = Caller(key)
    for base in replicas:  # both replicas now hold the key in memory
        for _ in range(2):
            assert call("GET", f"{base}/v1/articles").status_code == 200
    revoked = factmark(migrated, "keys", "revoke", key)
    assert revoked.returncode == 0, revoked.stderr
    began = time.monotonic()
    refused: dict[str, float] = {}
    while len(refused) < len(replicas) and time.monotonic() - began < 1.0:
        for base in replicas:
            if base not in refused and call("GET", f"{base}/v1/articles").status_code == 401:
                refused[base] = time.monotonic() - began
    assert set(refused) == set(replicas), f"still accepted after 1 s by {set(replicas) - set(refused)}"


def test_cache_hits_and_misses_are_counted_on_metrics(
    replicas: tuple[str, str], migrated: str, db: asyncpg.Connection
) -> None:
    first, second = replicas
    call = Caller(create_key(migrated, f"Metrics Desk {uuid.uuid4()}"))
    article = call("POST", f"{first}/v1/articles", riga_article()).json()["id"]

    def counted(name: str) -> float:
        metrics = httpx.get(f"{second}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
        line = next(
            line for line in metrics.splitlines() if line.startswith(f'factmark_cache_{name}_total{{cache="pages"}}')
        )
        return float(line.split()[-1])

    hits, misses = counted("hits"), counted("misses")
    for _ in range(3):
        call("GET", f"{second}/v1/articles/{article}/annotations")
    assert counted("misses") == misses + 1
    assert counted("hits") == hits + 2
