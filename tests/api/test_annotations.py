"""Annotations over HTTP: batches are all-or-nothing, offsets and quotes are checked against the text exactly,
lists filter and paginate stably, reads and writes honour ETags."""

import asyncio

import pytest

from tests.fixtures import RIGA, riga_article, span, utf16_span


@pytest.fixture
async def article(client):
    response = await client.post("/v1/articles", json=riga_article(annotations=[]))
    assert response.status_code == 201
    return response.json()


def claim_id_of(created):
    return next(a["id"] for a in created if a["kind"] == "claim")


async def post_annotations(client, article, body, **params):
    return await client.post(f"/v1/articles/{article['id']}/annotations", json=body, params=params)


async def test_one_annotation_is_created_with_location_and_etag(client, article):
    start, end = span(RIGA, "dismissed reports of a blockade")
    response = await post_annotations(client, article, {"kind": "claim", "start": start, "end": end})
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/annotations/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["quote"] == "dismissed reports of a blockade"
    assert body["statement"] == body["quote"]
    assert body["verdict"] == "unverified"
    assert body["prefix"] == RIGA[start - 32 : start] and body["suffix"] == RIGA[end : end + 32]


async def test_a_batch_with_one_bad_item_stores_nothing_and_names_the_field(client, article):
    start, end = span(RIGA, "about 4,500 tonnes")
    batch = [
        {"kind": "figure", "start": start, "end": end, "value": 4500},
        {"kind": "figure", "start": start, "end": end, "value": 4500, "quote": "about 4,800 tonnes"},
    ]
    response = await post_annotations(client, article, batch)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["pointer"] == "/1/quote"
    assert problem["errors"][0]["actual"] == "about 4,500 tonnes"
    listed = await client.get(f"/v1/articles/{article['id']}/annotations")
    assert listed.json()["items"] == []


async def test_article_creation_with_a_bad_annotation_stores_no_article(client):
    bad = riga_article()
    bad["annotations"][3]["end"] = len(RIGA) + 5
    response = await client.post("/v1/articles", json=bad)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/annotations/3/end"
    assert (await client.get("/v1/articles")).json()["items"] == []


async def test_quote_only_annotations_are_located_and_ambiguous_ones_rejected(client, article):
    found = await post_annotations(
        client, article, {"kind": "denial", "quote": "has denied this", "denier": "the owner"}
    )
    assert found.status_code == 201
    assert (found.json()["start"], found.json()["end"]) == span(RIGA, "has denied this")

    ambiguous = await post_annotations(client, article, {"kind": "denial", "quote": "The ministry", "denier": "x"})
    assert ambiguous.status_code == 422
    assert ambiguous.json()["errors"][0]["pointer"] == "/quote"
    assert "occurs 2 times" in ambiguous.json()["detail"]

    chosen = await post_annotations(
        client,
        article,
        {"kind": "attribution", "quote": "The ministry", "suffix": " said the port", "source": "ministry"},
    )
    assert chosen.status_code == 201
    assert chosen.json()["start"] == span(RIGA, "The ministry", occurrence=1)[0]

    absent = await post_annotations(client, article, {"kind": "claim", "quote": "the port was closed"})
    assert absent.status_code == 422
    assert absent.json()["type"].endswith("quote-not-found")


async def test_utf16_offsets_round_trip_past_emoji(client, article):
    quote = "Port traffic rose 12%\u00a0in\u00a0October"
    u_start, u_end = utf16_span(RIGA, quote)
    cp_start, cp_end = span(RIGA, quote)
    assert (u_start, u_end) != (cp_start, cp_end)  # the flag before it takes two extra UTF-16 units
    created = await post_annotations(
        client,
        article,
        {"kind": "figure", "start": u_start, "end": u_end, "value": 12, "unit": "%"},
        offset_unit="utf16",
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["start"], body["end"], body["quote"]) == (u_start, u_end, quote)
    plain = (await client.get(f"/v1/annotations/{body['id']}")).json()
    assert (plain["start"], plain["end"]) == (cp_start, cp_end)


async def test_a_utf16_offset_inside_an_emoji_is_rejected(client, article):
    flag_start = utf16_span(RIGA, "\U0001f1f1\U0001f1fb")[0]
    response = await post_annotations(
        client, article, {"kind": "claim", "start": flag_start + 1, "end": flag_start + 8}, offset_unit="utf16"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/start"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"kind": "claim", "start": 10, "end": 5}, "/end"),
        ({"kind": "claim", "start": 10}, "/end"),
        ({"kind": "claim", "start": -1, "end": 5}, "/start"),
        ({"kind": "claim", "start": 0, "end": 5, "verdict": "pants_on_fire"}, "/verdict"),
        ({"kind": "opinion", "start": 0, "end": 5}, "/kind"),
        ({"kind": "figure", "start": 0, "end": 5}, ""),
        ({"kind": "figure", "start": 0, "end": 5, "value": "4,500"}, "/value"),
        ({"kind": "attribution", "start": 0, "end": 5, "source": ""}, "/source"),
        ({"kind": "claim", "start": 0, "end": 5, "colour": "red"}, "/colour"),
        ({"kind": "claim", "start": 0, "end": 5, "tags": ["x" * 10_000]}, "/tags/0"),
        ({"kind": "claim", "start": 0, "end": 5, "note": "nul \u0000 byte"}, "/note"),
        ({"kind": "claim", "start": 0, "end": 5, "review_url": "javascript:alert(1)"}, "/review_url"),
        ({"kind": "claim", "start": 0, "end": 5, "confidence": 1.5}, "/confidence"),
        ({"kind": "claim"}, ""),
    ],
)
async def test_invalid_annotations_get_a_problem_naming_the_field(client, article, body, pointer):
    response = await post_annotations(client, article, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] and problem["detail"]
    assert problem["errors"][0]["pointer"] == pointer


async def test_links_must_name_a_claim_of_the_same_article(client, article):
    created = (await client.post("/v1/articles", json=riga_article(url="https://news.example.com/other"))).json()
    foreign_claim = claim_id_of(created["annotations"])
    figure_id = next(a["id"] for a in created["annotations"] if a["kind"] == "figure")
    for target in (foreign_claim, figure_id, "00000000-0000-4000-8000-000000000000"):
        response = await post_annotations(
            client, article, {"kind": "denial", "quote": "has denied this", "denier": "x", "target_id": target}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/target_id"


async def test_deleting_a_claim_clears_the_links_to_it(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    claim_id = claim_id_of(created["annotations"])
    attribution = next(a for a in created["annotations"] if a["kind"] == "attribution")
    assert attribution["claim_id"] == claim_id
    assert (await client.delete(f"/v1/annotations/{claim_id}")).status_code == 204
    after = (await client.get(f"/v1/annotations/{attribution['id']}")).json()
    assert after["claim_id"] is None
    assert after["version"] == attribution["version"] + 1


async def test_list_filters_by_kind_tag_and_overlap(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    base = f"/v1/articles/{created['id']}/annotations"
    kinds = lambda page: sorted(a["kind"] for a in page.json()["items"])  # noqa: E731
    assert kinds(await client.get(base, params={"kind": "figure"})) == ["figure"]
    assert kinds(await client.get(base, params={"kind": ["figure", "denial"]})) == ["denial", "figure"]
    assert kinds(await client.get(base, params={"tag": "grain"})) == ["claim"]
    start, end = span(RIGA, "Officials")
    assert kinds(await client.get(base, params={"start": start, "end": end})) == ["attribution"]
    start, end = span(RIGA, "4,500")
    assert kinds(await client.get(base, params={"start": start, "end": end})) == ["claim", "figure"]
    assert (await client.get(base, params={"kind": "opinion"})).status_code == 422
    assert (await client.get(base, params={"limit": 501})).status_code == 422


async def test_pagination_is_stable_while_annotations_are_inserted_and_deleted(client, article):
    words = [w for w in {RIGA.find(" ", i) for i in range(0, 250, 7)} if w > 0]
    batch = [{"kind": "claim", "start": s, "end": s + 5} for s in sorted(words)]
    created = (await post_annotations(client, article, batch)).json()["items"]
    base = f"/v1/articles/{article['id']}/annotations"
    first = (await client.get(base, params={"limit": 10})).json()
    seen = [a["id"] for a in first["items"]]
    # Meanwhile: delete one already seen and one not yet seen, insert one before and one after the cursor.
    await client.delete(f"/v1/annotations/{seen[0]}")
    unseen = [a for a in created if a["id"] not in seen]
    await client.delete(f"/v1/annotations/{unseen[-1]['id']}")
    await post_annotations(
        client,
        article,
        [
            {"kind": "figure", "start": 0, "end": 3, "value": 1},
            {"kind": "figure", "start": 300, "end": 303, "value": 2},
        ],
    )
    cursor = first["next_cursor"]
    while cursor:
        page = (await client.get(base, params={"limit": 10, "cursor": cursor})).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "an item was repeated"
    expected_rest = {a["id"] for a in unseen[:-1]}
    assert expected_rest <= set(seen), "an item was skipped"


async def test_a_bad_cursor_is_rejected(client, article):
    response = await client.get(f"/v1/articles/{article['id']}/annotations", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "cursor"


async def test_patch_revalidates_offsets_and_honours_if_match(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    figure = next(a for a in created["annotations"] if a["kind"] == "figure")
    url = f"/v1/annotations/{figure['id']}"
    start, end = span(RIGA, "300 tonnes")
    response = await client.patch(
        url, json={"start": start, "end": end, "value": 300, "qualifier": "including"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["quote"], response.json()["value"]) == ("300 tonnes", 300)
    assert response.json()["approximate"] is True  # untouched fields stay

    stale = await client.patch(url, json={"value": 1}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    mismatch = await client.patch(url, json={"start": start, "end": end, "quote": "400 tonnes"})
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["actual"] == "300 tonnes"
    wrong_kind = await client.patch(url, json={"verdict": "false"})
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"][0]["pointer"] == "/verdict"
    cleared = await client.patch(url, json={"subject": None, "tags": ["seed"]})
    assert cleared.json()["subject"] is None and cleared.json()["tags"] == ["seed"]
    assert (await client.get(url)).json() == cleared.json()


async def test_concurrent_patches_with_one_etag_let_exactly_one_win(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    claim = next(a for a in created["annotations"] if a["kind"] == "claim")
    url = f"/v1/annotations/{claim['id']}"
    verdicts = ["true", "false", "mixed", "misleading", "mostly_false"] * 4
    responses = await asyncio.gather(
        *(
            client.patch(url, json={"verdict": v, "note": f"editor {i}"}, headers={"If-Match": '"1"'})
            for i, v in enumerate(verdicts)
        )
    )
    winners = [(i, r) for i, r in enumerate(responses) if r.status_code == 200]
    assert len(winners) == 1
    assert sorted(r.status_code for r in responses) == [200] + [412] * (len(verdicts) - 1)
    stored = (await client.get(url)).json()
    assert stored == winners[0][1].json()
    assert stored["version"] == 2


async def test_delete_with_a_stale_etag_keeps_the_annotation(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    figure = next(a for a in created["annotations"] if a["kind"] == "figure")
    url = f"/v1/annotations/{figure['id']}"
    await client.patch(url, json={"unit": "t"})
    assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 412
    assert (await client.get(url)).status_code == 200
    assert (await client.delete(url, headers={"If-Match": '"2"'})).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_client_chosen_ids_link_inside_a_batch_and_duplicates_conflict(client, article):
    claim_id = "0d4b3c1e-8d6a-4f47-9d5c-3c1d2e9f7a10"
    start, end = span(RIGA, "the vessels were insured")
    batch = [
        {"kind": "attribution", "quote": "told reporters", "source": "A shipping agency", "claim_id": claim_id},
        {"kind": "claim", "id": claim_id, "start": start, "end": end},
    ]
    assert (await post_annotations(client, article, batch)).status_code == 201
    again = await post_annotations(client, article, batch[1])
    assert again.status_code == 409


async def test_a_repoll_with_the_list_etag_is_304_until_something_changes(client):
    created = (await client.post("/v1/articles", json=riga_article())).json()
    url = f"/v1/articles/{created['id']}/annotations"
    first = await client.get(url, params={"kind": "claim"})
    tag = first.headers["etag"]
    assert (await client.get(url, params={"kind": "claim"}, headers={"If-None-Match": tag})).status_code == 304
    assert (await client.get(url, params={"kind": "figure"}, headers={"If-None-Match": tag})).status_code == 200
    claim = first.json()["items"][0]
    await client.patch(f"/v1/annotations/{claim['id']}", json={"verdict": "false"})
    changed = await client.get(url, params={"kind": "claim"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert changed.json()["items"][0]["verdict"] == "false"
    tag = changed.headers["etag"]
    await client.post(url, json={"kind": "claim", "quote": "the vessels were insured"})
    assert (await client.get(url, params={"kind": "claim"}, headers={"If-None-Match": tag})).status_code == 200
    everything = await client.get(url)
    await client.delete(f"/v1/annotations/{everything.json()['items'][-1]['id']}")
    assert (await client.get(url, headers={"If-None-Match": everything.headers["etag"]})).status_code == 200
