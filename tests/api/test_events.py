"""The change feed over HTTP: every write leaves one event per changed resource in its own transaction, the
feed answers in commit order with a cursor that never skips or repeats, long-polls, and keeps tenants apart."""

from tests.fixtures import RIGA, riga_article, span


def article_body(n: int, annotations=None):
    return riga_article(url=f"https://news.example.com/2026/11/riga-{n}", annotations=annotations or [])


async def read_all(client, after=None, **params):
    """Follow next_cursor until a page comes back empty; returns (items, last cursor)."""
    items = []
    while True:
        query = {**params, **({"after": after} if after else {})}
        page = (await client.get("/v1/events", params=query)).json()
        assert "next_cursor" in page
        items += page["items"]
        if not page["items"]:
            return items, page["next_cursor"]
        after = page["next_cursor"]


async def test_a_created_article_leaves_events_whose_data_is_what_get_answers(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    items, _ = await read_all(client)
    types = [item["type"] for item in items]
    assert types == ["article.created"] + ["annotation.created"] * len(created["annotations"])
    article_event = items[0]
    assert article_event["article_id"] == created["id"] and article_event["revision"] == 1
    assert article_event["data"] == (await client.get(f"/v1/articles/{created['id']}")).json()
    # In the order the request listed them (the article answers them in text order): the claim comes first.
    assert items[1]["annotation_id"] == riga_article()["annotations"][0]["id"]
    for event in items[1:]:
        assert event["data"] == (await client.get(f"/v1/annotations/{event['annotation_id']}")).json()
    assert {e["annotation_id"] for e in items[1:]} == {a["id"] for a in created["annotations"]}
    assert len({item["id"] for item in items}) == len(items)


async def test_updates_deletes_and_revisions_are_events(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    _, cursor = await read_all(client)
    claim = next(a for a in created["annotations"] if a["kind"] == "claim")
    await client.patch(f"/v1/annotations/{claim['id']}", json={"verdict": "false"})
    await client.patch(f"/v1/articles/{created['id']}", json={"title": "Grain still leaves Riga"})
    await client.put(f"/v1/articles/{created['id']}/text", json={"text": "Breaking: " + RIGA})
    items, cursor = await read_all(client, cursor)
    assert [i["type"] for i in items[:3]] == ["annotation.updated", "article.updated", "article.text_revised"]
    assert items[0]["data"]["verdict"] == "false"
    assert items[1]["data"]["title"] == "Grain still leaves Riga"
    assert items[2]["revision"] == 2 and items[2]["data"]["text"].startswith("Breaking: ")
    reanchored = items[3:]
    assert {i["annotation_id"] for i in reanchored} == {a["id"] for a in created["annotations"]}
    assert all(i["type"] == "annotation.updated" and i["data"]["anchor"]["revision"] == 2 for i in reanchored)

    await client.delete(f"/v1/articles/{created['id']}")
    items, _ = await read_all(client, cursor)
    assert [i["type"] for i in items] == ["annotation.deleted"] * len(created["annotations"]) + ["article.deleted"]
    assert items[-1]["data"] == {"id": created["id"]}
    assert items[0]["data"] == {"id": items[0]["annotation_id"], "article_id": created["id"]}


async def test_deleting_a_claim_is_an_update_of_the_annotations_that_linked_to_it(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    _, cursor = await read_all(client)
    claim = next(a for a in created["annotations"] if a["kind"] == "claim")
    linked = {a["id"] for a in created["annotations"] if claim["id"] in (a.get("claim_id"), a.get("target_id"))}
    assert linked
    await client.delete(f"/v1/annotations/{claim['id']}")
    items, _ = await read_all(client, cursor)
    assert {i["annotation_id"] for i in items if i["type"] == "annotation.updated"} == linked
    assert items[-1]["type"] == "annotation.deleted" and items[-1]["annotation_id"] == claim["id"]


async def test_a_rejected_write_leaves_no_event(client):
    bad = article_body(1, [{"kind": "claim", "start": 0, "end": len(RIGA) + 5}])
    assert (await client.post("/v1/articles", json=bad)).status_code == 422
    page = (await client.get("/v1/events")).json()
    assert page["items"] == [] and page["next_cursor"]


async def test_a_batch_of_500_annotations_is_500_events_in_order(client):
    article = (await client.post("/v1/articles", json=article_body(2))).json()
    _, cursor = await read_all(client)
    start, end = span(RIGA, "about 4,500 tonnes")
    batch = [{"kind": "figure", "start": start, "end": end, "value": 4500, "note": str(n)} for n in range(500)]
    created = (await client.post(f"/v1/articles/{article['id']}/annotations", json=batch)).json()
    items, _ = await read_all(client, cursor, limit=500)
    assert [i["annotation_id"] for i in items] == [a["id"] for a in created["items"]]


async def test_next_cursor_resumes_without_repeating_and_filters_apply(client):
    first = (await client.post("/v1/articles", json=article_body(3))).json()
    page = (await client.get("/v1/events", params={"limit": 1})).json()
    assert len(page["items"]) == 1
    again = (await client.get("/v1/events", params={"after": page["next_cursor"]})).json()
    assert again["items"] == [] and again["next_cursor"] == page["next_cursor"]
    second = (await client.post("/v1/articles", json=article_body(4))).json()
    only_second = (await client.get("/v1/events", params={"article_id": second["id"]})).json()
    assert [i["article_id"] for i in only_second["items"]] == [second["id"]]
    updates = (await client.get("/v1/events", params={"types": "article.updated"})).json()
    assert updates["items"] == []
    bad = await client.get("/v1/events", params={"types": "article.exploded"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "types"
    assert first["id"] != second["id"]


async def test_a_foreign_tenants_events_never_appear(client, other_tenant):
    await client.post("/v1/articles", json=article_body(5))
    theirs = await client.get("/v1/events", headers=other_tenant.headers("read"))
    assert theirs.status_code == 200 and theirs.json()["items"] == []


async def test_a_cursor_older_than_retention_is_gone(client, db):
    await client.post("/v1/articles", json=article_body(6))
    await db.execute("UPDATE events SET occurred_at = now() - interval '31 days'")
    page = (await client.get("/v1/events")).json()
    answer = await client.get("/v1/events", params={"after": page["next_cursor"]})
    assert answer.status_code == 410
    assert "retention" in answer.json()["detail"]


async def test_stored_suggestions_and_their_review_are_events(client):
    article = (await client.post("/v1/articles", json=article_body(8))).json()
    _, cursor = await read_all(client)
    stored = (await client.post(f"/v1/articles/{article['id']}/suggestions")).json()["items"]
    assert stored
    items, cursor = await read_all(client, cursor)
    assert [i["type"] for i in items] == ["annotation.created"] * len(stored)
    assert {i["annotation_id"] for i in items} == {a["id"] for a in stored}
    assert all(i["data"]["origin"] == "machine" for i in items)
    reviewed = await client.patch(f"/v1/annotations/{stored[0]['id']}", json={"review": "accepted"})
    assert reviewed.status_code == 200, reviewed.text
    items, _ = await read_all(client, cursor)
    assert [(i["type"], i["data"]["review"]) for i in items] == [("annotation.updated", "accepted")]


async def test_writes_through_the_w3c_protocol_mount_are_events_too(client):
    created = (await client.post("/v1/articles", json=article_body(90))).json()
    _, cursor = await read_all(client)
    container = f"/w3c/articles/{created['id']}/"
    target = {"source": created["url"], "selector": {"type": "TextQuoteSelector", "exact": "has denied this"}}
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "target": target,
        "body": {"type": "TextualBody", "value": "Checked", "purpose": "commenting"},
    }  # fmt: skip
    made = await client.post(container, json=document)
    assert made.status_code == 201, made.text
    path = made.json()["id"].removeprefix("http://testserver.local")
    annotation_id = path.rstrip("/").rsplit("/", 1)[1]
    selector = {"type": "TextQuoteSelector", "exact": "left the port"}
    replaced = {**made.json(), "target": {**target, "selector": selector}}
    assert (await client.put(path, json=replaced, headers={"If-Match": made.headers["etag"]})).status_code == 200
    assert (await client.delete(path)).status_code == 204
    items, _ = await read_all(client, cursor)
    assert [i["type"] for i in items] == ["annotation.created", "annotation.updated", "annotation.deleted"]
    assert {i["annotation_id"] for i in items} == {annotation_id}
    assert items[1]["data"]["quote"] == "left the port"
