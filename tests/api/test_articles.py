"""Articles over HTTP: create with annotations in one go, read, look up by messy URL, change metadata, list, delete."""

import asyncio

from tests.fixtures import RIGA, RIGA_URL, riga_article


async def create(client, **overrides):
    response = await client.post("/v1/articles", json=riga_article(**overrides))
    assert response.status_code == 201, response.text
    return response


async def test_create_returns_the_article_with_location_etag_and_every_annotation(client):
    response = await create(client)
    article = response.json()
    assert response.headers["location"] == f"/v1/articles/{article['id']}"
    assert response.headers["etag"] == '"1"'
    assert article["text"] == RIGA
    assert article["canonical_url"] == RIGA_URL
    assert sorted(a["kind"] for a in article["annotations"]) == ["attribution", "claim", "denial", "figure"]
    for annotation in article["annotations"]:
        assert RIGA[annotation["start"] : annotation["end"]] == annotation["quote"]
        assert annotation["anchor"] == {"status": "anchored", "revision": 1, "confidence": 1.0, "approximate": False}

    again = await client.get(article["id"] and f"/v1/articles/{article['id']}", params={"include": "annotations"})
    assert again.status_code == 200
    assert again.json() == article


async def test_read_without_include_has_no_annotations(client):
    article = (await create(client)).json()
    body = (await client.get(f"/v1/articles/{article['id']}")).json()
    assert "annotations" not in body
    assert body["text"] == RIGA


async def test_lookup_by_a_messy_copy_of_the_url_finds_the_article_and_its_annotations(client):
    article = (await create(client, alternate_urls=["https://amp.news.example.com/riga-grain-port"])).json()
    messy = "HTTP://News.Example.com:80/2026/11/riga-grain-port/?utm_source=twitter&fbclid=abc#comments"
    found = await client.get("/v1/articles", params={"url": messy, "include": "annotations"})
    assert found.status_code == 200
    [item] = found.json()["items"]
    assert item["id"] == article["id"]
    assert len(item["annotations"]) == 4
    by_alternate = await client.get(
        "/v1/articles", params={"url": "http://amp.news.example.com/riga-grain-port?utm_medium=x"}
    )
    assert [a["id"] for a in by_alternate.json()["items"]] == [article["id"]]


async def test_lookup_of_an_unknown_url_is_an_empty_page(client):
    found = await client.get("/v1/articles", params={"url": "https://news.example.com/nothing-here"})
    assert found.status_code == 200
    assert found.json() == {"items": [], "next_cursor": None}


async def test_lookup_with_an_invalid_url_names_the_parameter(client):
    found = await client.get("/v1/articles", params={"url": "not a url"})
    assert found.status_code == 422
    assert found.json()["errors"][0]["parameter"] == "url"


async def test_a_second_article_with_the_same_canonical_url_is_a_conflict_naming_the_first(client):
    first = (await create(client)).json()
    second = await client.post("/v1/articles", json=riga_article(url=RIGA_URL + "?utm_source=rss", annotations=[]))
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["existing_article_id"] == first["id"]
    via_alternate = await client.post(
        "/v1/articles", json=riga_article(url="https://other.example.com/a", alternate_urls=[RIGA_URL], annotations=[])
    )
    assert via_alternate.status_code == 409
    assert len((await client.get("/v1/articles")).json()["items"]) == 1


async def test_concurrent_creates_of_one_url_store_exactly_one_article(client):
    responses = await asyncio.gather(*(client.post("/v1/articles", json=riga_article()) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert len((await client.get("/v1/articles")).json()["items"]) == 1


async def test_patch_changes_metadata_and_urls_but_not_annotations(client):
    article = (await create(client)).json()
    response = await client.patch(
        f"/v1/articles/{article['id']}",
        json={"title": "Grain leaves Riga", "alternate_urls": ["https://syndicate.example.net/riga"]},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.json()["title"] == "Grain leaves Riga"
    found = await client.get(
        "/v1/articles", params={"url": "https://syndicate.example.net/riga/", "include": "annotations"}
    )
    [item] = found.json()["items"]
    assert item["annotations"] == article["annotations"]


async def test_patch_moving_the_url_frees_the_old_one(client):
    article = (await create(client)).json()
    moved = await client.patch(f"/v1/articles/{article['id']}", json={"url": "https://news.example.com/riga-moved"})
    assert moved.json()["canonical_url"] == "https://news.example.com/riga-moved"
    assert (await client.get("/v1/articles", params={"url": RIGA_URL})).json()["items"] == []
    assert (await client.post("/v1/articles", json=riga_article(annotations=[]))).status_code == 201


async def test_patch_with_a_stale_etag_is_412_and_changes_nothing(client):
    article = (await create(client)).json()
    await client.patch(f"/v1/articles/{article['id']}", json={"title": "First edit"})
    stale = await client.patch(
        f"/v1/articles/{article['id']}", json={"title": "Lost edit"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await client.get(f"/v1/articles/{article['id']}")).json()["title"] == "First edit"


async def test_patch_to_a_url_of_another_article_is_a_conflict(client):
    first = (await create(client)).json()
    second = (await create(client, url="https://news.example.com/other", annotations=[])).json()
    response = await client.patch(f"/v1/articles/{second['id']}", json={"alternate_urls": [RIGA_URL]})
    assert response.status_code == 409
    assert response.json()["existing_article_id"] == first["id"]


async def test_listing_pages_through_every_article_once(client):
    ids = set()
    for n in range(7):
        ids.add((await create(client, url=f"https://news.example.com/story-{n}", annotations=[])).json()["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/articles", params=params)).json()
        assert len(page["items"]) <= 3
        assert all("text" not in item for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(ids) and set(seen) == ids


async def test_delete_removes_the_article_and_its_annotations(client):
    article = (await create(client)).json()
    claim_id = next(a["id"] for a in article["annotations"] if a["kind"] == "claim")
    assert (await client.delete(f"/v1/articles/{article['id']}")).status_code == 204
    assert (await client.get(f"/v1/articles/{article['id']}")).status_code == 404
    assert (await client.get(f"/v1/annotations/{claim_id}")).status_code == 404
    assert (await client.delete(f"/v1/articles/{article['id']}")).status_code == 404


async def test_utf16_offsets_count_like_javascript(client):
    article = (await create(client)).json()
    read = (
        await client.get(f"/v1/articles/{article['id']}", params={"offset_unit": "utf16", "include": "annotations"})
    ).json()
    assert read["text_length"] == len(RIGA.encode("utf-16-le")) // 2
    # Spans before the flag keep their offsets; the text length grows by one unit per astral character.
    assert {a["id"]: (a["start"], a["end"]) for a in read["annotations"]} == {
        a["id"]: (a["start"], a["end"]) for a in article["annotations"]
    }


async def test_listing_with_annotations_gives_each_article_its_own(client):
    first = (await create(client)).json()
    second = (
        await create(client, url="https://news.example.com/second", annotations=riga_article()["annotations"][2:])
    ).json()
    page = (await client.get("/v1/articles", params={"include": "annotations"})).json()
    by_id = {item["id"]: item for item in page["items"]}
    assert by_id[first["id"]]["annotations"] == first["annotations"]
    assert by_id[second["id"]]["annotations"] == second["annotations"]
    assert len(by_id[second["id"]]["annotations"]) == 2
