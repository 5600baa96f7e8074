"""GET /v1/export: every article of the tenant, with text and annotations, one JSON object a line."""

import json
from datetime import datetime, timedelta

from tests.conftest import METRICS_TOKEN
from tests.fixtures import riga_article


async def test_the_export_streams_each_article_as_get_answers_it(client, other_tenant):
    first = (await client.post("/v1/articles", json=riga_article())).json()
    second = (
        await client.post("/v1/articles", json=riga_article(url="https://news.example.com/b", annotations=[]))
    ).json()
    await client.post(
        "/v1/articles", json=riga_article(url="https://news.example.com/c"), headers=other_tenant.headers()
    )
    answer = await client.get("/v1/export")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert [line["id"] for line in lines] == [first["id"], second["id"]]
    expected = (await client.get(f"/v1/articles/{first['id']}", params={"include": "annotations"})).json()
    for name in ("url", "title", "text", "text_length", "revision", "version", "alternate_urls"):
        assert lines[0][name] == expected[name]
    assert [a["id"] for a in lines[0]["annotations"]] == [a["id"] for a in expected["annotations"]]
    assert lines[0]["annotations"] == expected["annotations"]
    assert datetime.fromisoformat(lines[0]["published_at"]) == datetime.fromisoformat(expected["published_at"])


async def test_since_and_until_select_by_the_last_change(client):
    old = (await client.post("/v1/articles", json=riga_article(annotations=[]))).json()
    cut = datetime.fromisoformat(old["created_at"]) + timedelta(microseconds=1)
    new = (
        await client.post("/v1/articles", json=riga_article(url="https://news.example.com/n", annotations=[]))
    ).json()
    since = (await client.get("/v1/export", params={"since": cut.isoformat()})).text.splitlines()
    assert [json.loads(line)["id"] for line in since] == [new["id"]]
    until = (await client.get("/v1/export", params={"until": cut.isoformat()})).text.splitlines()
    assert [json.loads(line)["id"] for line in until] == [old["id"]]
    bad = await client.get("/v1/export", params={"since": cut.isoformat(), "until": cut.isoformat()})
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "until"


async def test_metrics_count_events_written(client):
    await client.post("/v1/articles", json=riga_article(url="https://news.example.com/m", annotations=[]))
    metrics = (await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text
    assert 'factmark_events_written_total{type="article.created"}' in metrics
    for name in ("factmark_webhook_attempts", "factmark_webhook_delivery_lag_seconds", "factmark_webhook_queue_depth"):
        assert name in metrics
