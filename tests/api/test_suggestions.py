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
    assert all(a["origin"] == "machine" for a in stored.json()["items"])


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
