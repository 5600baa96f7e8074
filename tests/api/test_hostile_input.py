"""What hostile and careless clients send: every answer is a 4xx problem naming what is wrong, never a 500,
and no body is read before the caller is known."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.api.test_errors import assert_problem
from tests.fixtures import RIGA, riga_article, span

W3C_ANNOTATION = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "type": "Annotation",
    "motivation": "highlighting",
    "target": {"source": "https://news.example.com/x", "selector": {"type": "TextQuoteSelector", "exact": "Riga"}},
}


@pytest.fixture
async def article(client):
    response = await client.post("/v1/articles", json=riga_article())
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(W3C_ANNOTATION).encode(),
        b"not json at all",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"type": "Annotation", "target": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"a": "' + b"x" * 5_000_000 + b'"}',
    ],
    ids=["valid", "garbage", "deeply-nested", "nested-target", "5-MB"],
)
@pytest.mark.parametrize("authorization", [None, "Bearer fmk_0000000000000000_unknownunknownunknownunknownunknownunk"])
async def test_a_w3c_post_without_a_valid_key_is_401_whatever_its_body(app_client, article, body, authorization):
    app_client.headers.clear()
    headers = {"Content-Type": "application/ld+json"} | ({"Authorization": authorization} if authorization else {})
    response = await app_client.post(f"/v1/articles/{article['id']}/annotations", content=body, headers=headers)
    assert_problem(response, 401)


@pytest.mark.parametrize("depth", [200, 2_000, 50_000])
async def test_deeply_nested_w3c_json_ld_is_400_not_a_crash(client, article, depth):
    nested = "[" * depth + "]" * depth
    body = json.dumps(W3C_ANNOTATION)[:-1] + f', "body": {nested}}}'
    response = await client.post(
        f"/v1/articles/{article['id']}/annotations", content=body, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "text/json"])
async def test_a_body_that_is_not_declared_json_is_415_naming_the_header(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/v1/articles", content=json.dumps(riga_article()).encode(), headers=headers)
    problem = assert_problem(response, 415)
    assert problem["errors"][0]["parameter"] == "Content-Type"
    assert (await client.get("/v1/articles")).json()["items"] == []


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"url": "https://x.example/a", "text": "lone \\ud800 surrogate"}', "surrogate"),
        (b'{"url": "https://x.example/a", "text": "a"', "truncated"),
        (b"{x", "JSON is malformed"),
        (b"", "empty"),
    ],
)
async def test_malformed_json_is_explained_once_and_plainly(client, raw, says):
    response = await client.post("/v1/articles", content=raw, headers={"Content-Type": "application/json"})
    detail = assert_problem(response, 400)["detail"]
    assert says in detail
    assert detail.count("JSON is malformed") <= 1
    assert "Input data was truncated" not in detail


@pytest.mark.parametrize(
    "url",
    [
        "https://news.exa\x00mple.com/a",
        "https://news.example.com\x00/a",
        "https://[::1\x00]/a",
        "https://exa mple.com/a",
        "https://[not-an-ip]/a",
        "https://ex<ample>.com/",
    ],
)
async def test_a_lookup_url_with_a_forbidden_host_is_422(client, url):
    problem = assert_problem(await client.get("/v1/articles", params={"url": url}), 422)
    assert problem["errors"][0]["parameter"] == "url"


def _cursor(values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "values",
    [
        [2**31, 0, str(uuid.uuid4())],
        [0, 2**63, str(uuid.uuid4())],
        [-1, 5, str(uuid.uuid4())],
        [10**30, 10**30, str(uuid.uuid4())],
        [0, 0, "not-a-uuid"],
        [1.5, 2, str(uuid.uuid4())],
    ],
)
async def test_a_forged_annotation_cursor_is_422_on_the_cursor(client, article, values):
    response = await client.get(f"/v1/articles/{article['id']}/annotations", params={"cursor": _cursor(values)})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["parameter"] == "cursor"


async def test_two_concurrent_batches_with_one_client_chosen_id_store_one_and_answer_409(client, article):
    chosen = str(uuid.uuid4())
    start, end = span(RIGA, "The ministry dismissed reports")

    async def post(note: str):
        batch = [{"kind": "claim", "id": chosen, "start": start, "end": end, "note": note}]
        return await client.post(f"/v1/articles/{article['id']}/annotations", json=batch)

    for _ in range(5):
        answers = await asyncio.gather(*(post(f"writer {i}") for i in range(6)))
        statuses = sorted(r.status_code for r in answers)
        assert statuses.count(201) <= 1 and set(statuses) <= {201, 409}, [r.text for r in answers]
        for answer in answers:
            if answer.status_code == 409:
                assert_problem(answer, 409)
    stored = (await client.get(f"/v1/annotations/{chosen}")).json()
    assert stored["id"] == chosen


async def test_annotation_json_is_compact(client, article):
    response = await client.get(f"/v1/articles/{article['id']}/annotations")
    assert b'" : ' not in response.content and b'"kind":"' in response.content
    whole = await client.get(f"/v1/articles/{article['id']}", params={"include": "annotations"})
    assert b'" : ' not in whole.content and b"}, \n" not in whole.content


async def test_unknown_keys_from_one_address_are_refused_before_any_lookup_past_the_limit(settings, tenant):

    limited = msgspec.structs.replace(settings, failed_auth_per_minute=3)
    async with AsyncTestClient(app=create_app(limited)) as client:
        unknown = {"Authorization": "Bearer fmk_0123456789abcdef_" + "x" * 43}
        statuses = [(await client.get("/v1/articles", headers=unknown)).status_code for _ in range(5)]
        assert statuses[:3] == [401, 401, 401]
        refused = await client.get("/v1/articles", headers=unknown)
        problem = assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert "failed authentications" in problem["detail"]
