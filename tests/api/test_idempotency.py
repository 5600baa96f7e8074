"""CMS plugins retry on every timeout: with an Idempotency-Key a retry gets the first answer, never a duplicate."""

import asyncio

from tests.fixtures import RIGA, riga_article


async def count(db, table):
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def test_a_retry_with_the_same_key_and_body_returns_the_first_answer(client, db):
    headers = {"Idempotency-Key": "cms-7f3a-article-1"}
    first = await client.post("/v1/articles", json=riga_article(), headers=headers)
    retry = await client.post("/v1/articles", json=riga_article(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert await count(db, "articles") == 1 and await count(db, "annotations") == 4


async def test_the_same_key_with_another_body_is_422(client, db):
    headers = {"Idempotency-Key": "cms-7f3a-article-2"}
    assert (await client.post("/v1/articles", json=riga_article(), headers=headers)).status_code == 201
    other = await client.post("/v1/articles", json=riga_article(title="Another"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["parameter"] == "Idempotency-Key"
    assert await count(db, "articles") == 1


async def test_concurrent_retries_of_one_key_create_exactly_one_article(client, db):
    headers = {"Idempotency-Key": "cms-7f3a-article-3"}
    responses = await asyncio.gather(
        *(client.post("/v1/articles", json=riga_article(), headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(db, "articles") == 1


async def test_a_failed_request_does_not_burn_its_key(client):
    headers = {"Idempotency-Key": "cms-7f3a-article-4"}
    bad = riga_article()
    bad["annotations"][0]["end"] = len(RIGA) + 1
    assert (await client.post("/v1/articles", json=bad, headers=headers)).status_code == 422
    assert (await client.post("/v1/articles", json=riga_article(), headers=headers)).status_code == 201


async def test_annotation_batches_are_idempotent_and_keys_are_per_tenant(client, other_tenant, db):
    article = (await client.post("/v1/articles", json=riga_article(annotations=[]))).json()
    url = f"/v1/articles/{article['id']}/annotations"
    headers = {"Idempotency-Key": "batch-1"}
    batch = [{"kind": "claim", "quote": "had left the port"}, {"kind": "figure", "quote": "300 tonnes", "value": 300}]
    first = await client.post(url, json=batch, headers=headers)
    retry = await client.post(url, json=batch, headers=headers)
    assert first.status_code == retry.status_code == 201 and first.json() == retry.json()
    assert await count(db, "annotations") == 2
    theirs = await client.post(
        "/v1/articles", json=riga_article(), headers={**headers, **other_tenant.headers("write")}
    )
    assert theirs.status_code == 201


async def test_expired_keys_are_claimed_afresh(client, db):
    headers = {"Idempotency-Key": "cms-expiring"}
    first = (await client.post("/v1/articles", json=riga_article(), headers=headers)).json()
    await client.delete(f"/v1/articles/{first['id']}")
    await db.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
    second = await client.post("/v1/articles", json=riga_article(), headers=headers)
    assert second.status_code == 201 and second.json()["id"] != first["id"]


async def test_expired_answers_are_purged(client, db):
    from service.api.idempotency import purge_expired_keys

    for key, url in (("old", "https://news.example.com/a"), ("new", "https://news.example.com/b")):
        body = riga_article(url=url, annotations=[])
        response = await client.post("/v1/articles", json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.text
    await db.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'")
    purge = asyncio.create_task(purge_expired_keys(client.app.state.pool, every_seconds=0.01))
    await asyncio.sleep(0.2)
    purge.cancel()
    assert [row["key"] for row in await db.fetch("SELECT key FROM idempotency_keys")] == ["new"]
