"""Suggestions over HTTP: the stateless endpoint proposes linked annotation inputs that can be posted back as
they are, in either offset unit, and stores nothing."""

from tests.fixtures import RIGA, riga_article

STORY = (
    "KYIV, Nov 4 (Wire) - Ukraine\u2019s military intelligence service said on Monday that around 12,000 North "
    "Korean troops had arrived in Russia \U0001f1f7\U0001f1fa.\r\n"
    "Pyongyang has denied this. \u201cWe are seeing more than 50 trains a week,\u201d said Colonel Andriy Yusov, "
    "a spokesman for the service. The government did not deny that 3 generals were there."
)


async def suggest(client, text, **params):
    return await client.post("/v1/suggestions", json={"text": text, "language": "en"}, params=params)


def of_kind(items, kind):
    return [item for item in items if item["kind"] == kind]


async def test_a_story_gets_linked_claims_attributions_denials_and_figures(client, tenant):
    response = await client.post(
        "/v1/suggestions", json={"text": STORY, "language": "en"}, headers=tenant.headers("read")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["engine"]["name"] and body["engine"]["version"]
    items = body["items"]
    for item in items:
        assert item["quote"] == STORY[item["start"] : item["end"]]
        assert item["origin"] == "machine" and 0 <= item["confidence"] <= 1
    claims = {item["id"]: item for item in of_kind(items, "claim")}
    attribution = next(a for a in of_kind(items, "attribution") if a["source"].startswith("Ukraine"))
    assert attribution["quote"] == "Ukraine\u2019s military intelligence service said"
    assert attribution["source_type"] == "government"
    assert claims[attribution["claim_id"]]["quote"].startswith("around 12,000 North Korean troops")
    quoted = next(a for a in of_kind(items, "attribution") if a["source"] == "Colonel Andriy Yusov")
    assert claims[quoted["claim_id"]]["quote"] == "We are seeing more than 50 trains a week"
    (denial,) = of_kind(items, "denial")  # "did not deny" is no denial
    assert denial["quote"] == "has denied this" and denial["denier"] == "Pyongyang"
    assert claims[denial["target_id"]]["claimant"] == "Ukraine\u2019s military intelligence service"
    figures = {f["quote"]: f for f in of_kind(items, "figure")}
    assert figures["around 12,000 North Korean troops"]["value"] == 12000
    assert figures["around 12,000 North Korean troops"]["approximate"] is True
    assert "4" not in {f["quote"] for f in figures.values()}  # the dateline's date is not a figure


async def test_suggestions_posted_back_unchanged_are_stored(client):
    article = (await client.post("/v1/articles", json=riga_article(text=STORY, annotations=[]))).json()
    items = (await suggest(client, STORY)).json()["items"]
    assert len(items) >= 8
    stored = await client.post(f"/v1/articles/{article['id']}/annotations", json=items)
    assert stored.status_code == 201, stored.text
    assert [a["id"] for a in stored.json()["items"]] == [i["id"] for i in items]
    assert all(a["origin"] == "machine" and a["review"] == "pending" for a in stored.json()["items"])


async def test_an_annotation_may_be_created_with_its_review_decided(client):
    article = (await client.post("/v1/articles", json=riga_article(text=STORY, annotations=[]))).json()
    items = (await suggest(client, STORY)).json()["items"]
    figure = next(i for i in items if i["kind"] == "figure") | {"review": "accepted"}
    stored = await client.post(f"/v1/articles/{article['id']}/annotations", json=figure)
    assert stored.status_code == 201 and stored.json()["review"] == "accepted"
    human = {"kind": "claim", "quote": "Pyongyang has denied this"}
    assert (await client.post(f"/v1/articles/{article['id']}/annotations", json=human)).json()["review"] == "accepted"


async def test_utf16_offsets_count_the_flag_as_four_units(client):
    codepoint = (await suggest(client, STORY)).json()["items"]
    utf16 = (await suggest(client, STORY, offset_unit="utf16")).json()["items"]
    encoded = STORY.encode("utf-16-le")
    for cp, u16 in zip(codepoint, utf16, strict=True):
        assert encoded[u16["start"] * 2 : u16["end"] * 2].decode("utf-16-le") == u16["quote"] == cp["quote"]
    after_flag = [pair for pair in zip(codepoint, utf16) if pair[0]["start"] > STORY.index("\U0001f1f7")]
    assert after_flag and all(u["start"] == c["start"] + 2 for c, u in after_flag)


async def test_an_unsupported_language_is_rejected_naming_the_supported_ones(client):
    response = await client.post("/v1/suggestions", json={"text": RIGA, "language": "fr"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["pointer"] == "/language" and "en" in error["detail"]


async def test_suggesting_stores_nothing(client):
    await suggest(client, STORY)
    listed = await client.get("/v1/articles")
    assert listed.json()["items"] == []


async def test_an_empty_or_oversized_text_is_rejected(client):
    assert (await client.post("/v1/suggestions", json={"text": ""})).status_code == 422
    assert (await client.post("/v1/suggestions", json={"language": "en"})).status_code == 422


async def test_suggestions_need_an_api_key(app_client):
    app_client.headers.clear()
    assert (await app_client.post("/v1/suggestions", json={"text": RIGA})).status_code == 401


REVIEWED = (
    "Officials in Riga said on Monday that about 4,500 tonnes of grain had left the port. "
    "The ministry has denied this. Port traffic rose 12% in October, according to the port authority."
)
W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


async def stored_article(client, text=REVIEWED, **overrides):
    response = await client.post("/v1/articles", json=riga_article(text=text, annotations=[], **overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def store_suggestions(client, article, **params):
    return await client.post(f"/v1/articles/{article['id']}/suggestions", params=params)


async def test_stored_suggestions_are_pending_machine_annotations_and_a_second_call_adds_nothing(client):
    article = await stored_article(client)
    first = await store_suggestions(client, article)
    assert first.status_code == 201, first.text
    added = first.json()["items"]
    assert {a["kind"] for a in added} == {"claim", "attribution", "denial", "figure"}
    assert all(a["origin"] == "machine" and a["review"] == "pending" and a["confidence"] > 0 for a in added)
    denial = next(a for a in added if a["kind"] == "denial")
    claims = {a["id"]: a for a in added if a["kind"] == "claim"}
    assert claims[denial["target_id"]]["quote"] == "about 4,500 tonnes of grain had left the port"
    second = await store_suggestions(client, article)
    assert second.status_code == 200 and second.json()["items"] == []
    listed = (await client.get(f"/v1/articles/{article['id']}/annotations")).json()["items"]
    assert len(listed) == len(added)


async def test_a_suggestion_overlapping_a_human_annotation_of_its_kind_is_skipped_and_links_to_it(client):
    article = await stored_article(client)
    human_claim = "4,500 tonnes of grain had left the port"
    start = REVIEWED.index(human_claim)
    created = await client.post(
        f"/v1/articles/{article['id']}/annotations",
        json={"kind": "claim", "start": start, "end": start + len(human_claim)},
    )
    assert created.json()["review"] == "accepted" and created.json()["origin"] == "human"
    added = (await store_suggestions(client, article)).json()["items"]
    assert not any(a["kind"] == "claim" and a["start"] < start + len(human_claim) and a["end"] > start for a in added)
    attribution = next(a for a in added if a["kind"] == "attribution" and a["source"] == "Officials in Riga")
    assert attribution["claim_id"] == created.json()["id"]
    assert any(a["kind"] == "figure" and a["quote"] == "about 4,500 tonnes of grain" for a in added)


async def test_review_decides_what_lists_w3c_and_claimreview_show(client):
    article = await stored_article(client)
    added = (await store_suggestions(client, article)).json()["items"]
    claims = [a for a in added if a["kind"] == "claim"]
    figure = next(a for a in added if a["kind"] == "figure")
    accepted, rejected = claims[0], figure
    patch = {"review": "accepted", "verdict": "true", "review_url": "https://factcheck.example.org/riga"}
    response = await client.patch(f"/v1/annotations/{accepted['id']}", json=patch)
    assert response.status_code == 200 and response.json()["review"] == "accepted", response.text
    await client.patch(
        f"/v1/annotations/{claims[1]['id']}", json={"verdict": "false", "review_url": patch["review_url"]}
    )
    assert (await client.patch(f"/v1/annotations/{rejected['id']}", json={"review": "rejected"})).status_code == 200
    url = f"/v1/articles/{article['id']}/annotations"
    default = {a["id"] for a in (await client.get(url)).json()["items"]}
    assert rejected["id"] not in default and accepted["id"] in default and len(default) == len(added) - 1
    only_rejected = (await client.get(url, params={"review": "rejected"})).json()["items"]
    assert [a["id"] for a in only_rejected] == [rejected["id"]]
    pending = (await client.get(url, params={"review": "pending"})).json()["items"]
    assert len(pending) == len(added) - 2
    w3c = (await client.get(url, headers={"Accept": W3C})).json()
    assert [item["id"].rsplit("/", 1)[-1] for item in w3c["first"]["items"]] == [accepted["id"]]
    one = await client.get(f"/v1/annotations/{accepted['id']}", headers={"Accept": W3C})
    assert one.status_code == 200 and one.json()["type"] == "Annotation"
    for unpublished in (rejected, claims[1]):  # read one by one too, W3C shows accepted ones only
        refused = await client.get(f"/v1/annotations/{unpublished['id']}", headers={"Accept": W3C})
        assert refused.status_code == 404 and "accepted annotations only" in refused.json()["detail"]
        assert (await client.get(f"/v1/annotations/{unpublished['id']}")).status_code == 200  # native JSON reads it
        mount = await client.get(f"/w3c/articles/{article['id']}/{unpublished['id']}")
        assert mount.status_code == 404
    reviews = (await client.get(f"/v1/articles/{article['id']}/claimreview")).json()
    assert len(reviews["reviews"]) == 1
    assert reviews["reviews"][0]["claimReviewed"] == accepted["quote"]
    assert [s["id"] for s in reviews["skipped"]] == [claims[1]["id"]]  # rated but still pending


async def test_an_invalid_review_is_rejected_naming_the_field(client):
    article = await stored_article(client)
    added = (await store_suggestions(client, article)).json()["items"]
    response = await client.patch(f"/v1/annotations/{added[0]['id']}", json={"review": "maybe"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/review"


async def test_stored_suggestions_follow_the_text_when_it_is_revised(client):
    article = await stored_article(client)
    added = (await store_suggestions(client, article)).json()["items"]
    revised = "UPDATE: " + REVIEWED
    response = await client.put(
        f"/v1/articles/{article['id']}/text", json={"text": revised}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["relocated"] == len(added)
    again = await store_suggestions(client, article)
    assert again.status_code == 200 and again.json()["items"] == []


async def test_storing_suggestions_needs_the_write_scope_and_an_article(client, tenant):
    article = await stored_article(client)
    read_only = await client.post(f"/v1/articles/{article['id']}/suggestions", headers=tenant.headers("read"))
    assert read_only.status_code == 403
    missing = await client.post("/v1/articles/00000000-0000-4000-8000-000000000000/suggestions")
    assert missing.status_code == 404


async def test_an_article_in_an_unsupported_language_gets_no_suggestions(client):
    article = await stored_article(client, language="fr")
    response = await store_suggestions(client, article)
    assert response.status_code == 422
    assert "en" in response.json()["errors"][0]["detail"]
