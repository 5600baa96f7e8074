"""Whatever arrives, the answer is a problem+json 4xx, never a 500, and nothing stored is lost."""

import json

import pytest

from tests.fixtures import riga_article


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://") and problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"not json",
        b"\xff\xfe",
        b'{"url": "https://x.example/a", "text": "a" ',
        b'{"url": "https://x.example/a", "text": "lone \\ud800 surrogate"}',
    ],
)
async def test_malformed_json_is_400(client, raw):
    response = await client.post("/v1/articles", content=raw, headers={"Content-Type": "application/json"})
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ([], ""),
        ({"text": "x"}, ""),
        ({"url": "https://x.example/a", "text": ""}, "/text"),
        ({"url": "https://x.example/a", "text": "ok", "extra": 1}, "/extra"),
        ({"url": "mailto:desk@example.com", "text": "ok"}, "/url"),
        (
            {"url": "https://x.example/a", "text": "ok", "alternate_urls": ["https://x.example/b", "ftp://x"]},
            "/alternate_urls/1",
        ),
        ({"url": "https://x.example/a", "text": "ok", "published_at": "yesterday"}, "/published_at"),
        ({"url": "https://x.example/a", "text": "ok", "published_at": "2026-11-23T08:30:00"}, "/published_at"),
        ({"url": "https://x.example/a", "text": "nul \u0000 here"}, "/text"),
        ({"url": "https://x.example/a", "text": "ok", "language": "english please"}, "/language"),
        ({"url": "https://x.example/a", "text": "ok", "published_at": 0}, "/published_at"),
        (
            {"url": "https://x.example/a", "text": "ok", "annotations": [{"kind": "claim", "start": "0", "end": 2}]},
            "/annotations/0/start",
        ),
        (
            '{"url": "https://x.example/a", "text": "ok", "annotations": [{"kind": "figure", "start": 0, "end": 2, '
            '"value": 1e999}]}',
            "/annotations/0/value",
        ),
        (
            {"url": "https://x.example/a", "text": "ok", "annotations": [{"kind": "claim", "start": 0, "end": 2**40}]},
            "/annotations/0/end",
        ),
    ],
)
async def test_invalid_articles_are_422_naming_the_field(client, body, pointer):
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = await client.post("/v1/articles", content=raw, headers={"Content-Type": "application/json"})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["pointer"] == pointer


async def test_text_over_the_limit_is_rejected(client):
    from service.wire import MAX_TEXT_LENGTH

    body = {"url": "https://x.example/long", "text": "a" * (MAX_TEXT_LENGTH + 1)}
    problem = assert_problem(await client.post("/v1/articles", json=body), 422)
    assert problem["errors"][0]["pointer"] == "/text"


async def test_a_batch_over_the_limit_is_rejected(client):
    from service.wire import MAX_BATCH

    body = riga_article(annotations=[{"kind": "claim", "start": 0, "end": 1}] * (MAX_BATCH + 1))
    problem = assert_problem(await client.post("/v1/articles", json=body), 422)
    assert problem["errors"][0]["pointer"] == "/annotations"


async def test_a_body_over_the_request_cap_is_413_before_parsing(client, settings):
    raw = b'{"url": "https://x.example/a", "text": "' + b"a" * (settings.max_body_bytes + 10) + b'"}'
    assert_problem(await client.post("/v1/articles", content=raw, headers={"Content-Type": "application/json"}), 413)


async def test_unknown_routes_and_methods_are_problems(client):
    assert_problem(await client.get("/v1/nothing"), 404)
    assert_problem(await client.put("/v1/articles"), 405)
    assert_problem(await client.get("/v1/articles/not-a-uuid"), 404)


async def test_a_stale_write_changes_nothing_stored(client):
    article = (await client.post("/v1/articles", json=riga_article())).json()
    before = (await client.get(f"/v1/articles/{article['id']}", params={"include": "annotations"})).json()
    await client.patch(f"/v1/articles/{article['id']}", json={"title": None, "published_at": "garbage"})
    await client.post(f"/v1/articles/{article['id']}/annotations", json=[{"kind": "claim", "start": 0, "end": 99999}])
    after = (await client.get(f"/v1/articles/{article['id']}", params={"include": "annotations"})).json()
    assert after == before


async def test_deeply_nested_json_is_refused_without_a_crash(client):
    raw = b'{"url": "https://x.example/a", "text": "ok", "annotations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = await client.post("/v1/articles", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_nul_in_a_query_parameter_is_a_4xx(client):
    article = (await client.post("/v1/articles", json=riga_article())).json()
    response = await client.get(f"/v1/articles/{article['id']}/annotations", params={"tag": "port\x00"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
