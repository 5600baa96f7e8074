"""Tiny requests must not stall the server: quote search and re-anchoring run off the event loop within a work
budget, a request past it answers 422 work-budget-exceeded (storing nothing), and error bodies stay small."""

from __future__ import annotations

import asyncio

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings, SettingsError
from tests.fixtures import riga_article
from tests.live_server import live_server

MIB2 = 2 * 1024 * 1024
# Two million "a" with one "XaY" in the middle: the quote "a" with prefix "X" is found only by its context.
NEEDLE_TEXT = "a" * (MIB2 // 2) + "XaY" + "a" * (MIB2 // 2 - 3)


@pytest.fixture
async def budget_client(settings, tenant):
    """An app whose requests may spend 1 s of CPU on quote search and re-anchoring."""
    app = create_app(msgspec.structs.replace(settings, work_budget_ms=1000))
    async with AsyncTestClient(app=app) as client:
        client.headers.update(tenant.headers("write"))
        yield client


async def create(client, text, annotations=()):
    response = await client.post(
        "/v1/articles", json=riga_article(text=text, annotations=list(annotations), url=f"https://x.example/{id(text)}")
    )
    assert response.status_code == 201, response.text[:500]
    return response.json()


def quote_only(quote, **context):
    return {"kind": "claim", "quote": quote, **context}


async def test_an_ambiguous_one_letter_quote_answers_a_small_problem(client):
    article = await create(client, "ab" * (MIB2 // 2))
    response = await client.post(f"/v1/articles/{article['id']}/annotations", json=quote_only("a", prefix="b"))
    assert response.status_code == 422
    assert len(response.content) < 4096
    problem = response.json()
    assert problem["type"].endswith("/quote-ambiguous")
    assert problem["errors"][0]["pointer"] == "/quote"
    assert len(problem["errors"][0]["actual"]) == 20
    assert problem["occurrences"] == 1001 and problem["occurrences_counted"] is False


async def test_a_letter_placed_by_its_context_among_two_million_is_stored(client):
    article = await create(client, NEEDLE_TEXT)
    response = await client.post(
        f"/v1/articles/{article['id']}/annotations", json=quote_only("a", prefix="X", suffix="Y")
    )
    assert response.status_code == 201, response.text
    assert (response.json()["start"], response.json()["end"]) == (MIB2 // 2 + 1, MIB2 // 2 + 2)


async def test_errors_echo_a_bounded_part_of_long_texts(client):
    article = await create(client, NEEDLE_TEXT)
    path = f"/v1/articles/{article['id']}/annotations"
    mismatch = await client.post(path, json={"kind": "claim", "start": 0, "end": MIB2, "quote": "b" * MIB2})
    assert mismatch.status_code == 422 and len(mismatch.content) < 8192
    assert mismatch.json()["errors"][0]["actual"] == "a" * 1000 + "\u2026"
    missing = await client.post(path, json=quote_only("b" * MIB2))
    assert missing.status_code == 422 and len(missing.content) < 8192
    assert missing.json()["type"].endswith("/quote-not-found")


async def test_a_patch_to_a_one_letter_quote_is_bounded_too(client):
    article = await create(client, NEEDLE_TEXT, [{"kind": "claim", "start": 0, "end": 5}])
    annotation = article["annotations"][0]
    path = f"/v1/annotations/{annotation['id']}"
    ambiguous = await client.patch(path, json={"quote": "a"}, headers={"If-Match": '"1"'})
    assert ambiguous.status_code == 422 and len(ambiguous.content) < 4096
    assert ambiguous.json()["errors"][0]["pointer"] == "/quote"
    placed = await client.patch(path, json={"quote": "a", "prefix": "X"}, headers={"If-Match": '"1"'})
    assert placed.status_code == 200, placed.text[:500]
    assert placed.json()["start"] == MIB2 // 2 + 1


async def test_a_batch_past_the_work_budget_is_refused_and_stores_nothing(budget_client):
    article = await create(budget_client, NEEDLE_TEXT)
    batch = [quote_only("a", prefix="X", suffix="Y") for _ in range(5000)]
    response = await budget_client.post(f"/v1/articles/{article['id']}/annotations", json=batch)
    assert response.status_code == 422, response.text[:500]
    problem = response.json()
    assert problem["type"].endswith("/work-budget-exceeded")
    pointer = problem["errors"][0]["pointer"]
    assert pointer.startswith("/") and pointer.endswith("/quote")
    assert "1,000 ms work budget" in problem["detail"]
    listed = await budget_client.get(f"/v1/articles/{article['id']}/annotations")
    assert listed.json()["items"] == []


async def test_small_requests_answer_while_a_heavy_one_runs(migrated, tenant):
    # A real server: the in-process test client runs one request at a time, whatever the app does.
    with live_server(migrated, work_budget_ms="1000") as (base, _):
        async with httpx.AsyncClient(base_url=base, headers=tenant.headers("write"), timeout=60) as client:
            small = await create(client, "The ministry said the port would stay open.")
            article = await create(client, NEEDLE_TEXT)
            batch = [quote_only("a", prefix="X", suffix="Y") for _ in range(5000)]
            heavy = asyncio.create_task(client.post(f"/v1/articles/{article['id']}/annotations", json=batch))
            await asyncio.sleep(0.3)  # the heavy request is decoded and working by now (it needs >= 1 s of CPU)
            health = await client.get("/healthz")
            read = await client.get(f"/v1/articles/{small['id']}")
            assert not heavy.done()  # both answered while the heavy one still ran
            assert (health.status_code, read.status_code) == (200, 200)
            assert (await heavy).status_code == 422


async def test_re_anchoring_a_two_mib_word_after_a_one_letter_change_keeps_untouched_quotes(client):
    word = "".join(chr(97 + (i * 7919) % 26) for i in range(MIB2))
    annotations = [{"kind": "claim", "start": s, "end": s + 40} for s in (100, MIB2 - 200)]
    article = await create(client, word, annotations)
    changed = word[: MIB2 // 2] + "Z" + word[MIB2 // 2 + 1 :]
    response = await client.put(f"/v1/articles/{article['id']}/text", json={"text": changed})
    assert response.status_code == 200, response.text[:500]
    assert response.json()["counts"]["anchored"] == 2


def test_the_budget_and_the_threads_are_settings_from_the_environment():
    settings = Settings.from_env({"FACTMARK_WORK_BUDGET_MS": "250", "FACTMARK_COMPUTE_THREADS": "4"})
    assert (settings.work_budget_ms, settings.compute_threads) == (250, 4)
    assert Settings().work_budget_ms == 3000
    with pytest.raises(SettingsError, match="FACTMARK_WORK_BUDGET_MS"):
        Settings.from_env({"FACTMARK_WORK_BUDGET_MS": "0"})
