"""Claims across articles over HTTP: search, matches, same-claim groups, suggested verdicts, ClaimReview across
articles, tenant isolation and pagination."""

from __future__ import annotations

import uuid

from tests.api.claim_stories import FRIDAY, FRIDAY_CLAIMS, THURSDAY, THURSDAY_CLAIMS, store, two_stories
from tests.conftest import make_tenant


async def search(client, expect: int = 200, **params):
    response = await client.get("/v1/claims", params=params)
    assert response.status_code == expect, response.text
    return response.json()


def ids(page) -> list[str]:
    return [hit["claim"]["id"] for hit in page["items"]]


# ---------------------------------------------------------------- search


async def test_a_search_for_12000_troops_finds_both_stories_first(client):
    thursday, t_claims, friday, f_claims = await two_stories(client)
    page = await search(client, q="12,000 troops")
    assert set(ids(page)[:2]) == {t_claims[0]["id"], f_claims[0]["id"]}
    first = page["items"][0]
    assert first["article"]["id"] in {thursday["id"], friday["id"]}
    assert set(first["article"]) == {"id", "url", "title", "published_at"}
    assert "<mark>" in first["snippet"]
    ranks = [hit["rank"] for hit in page["items"]]
    assert ranks == sorted(ranks, reverse=True)


async def test_a_number_in_words_finds_the_figure_written_in_digits(client):
    _, t_claims, _, f_claims = await two_stories(client)
    for q in ("twelve thousand", "12k", "12 000"):
        assert set(ids(await search(client, q=q))) == {t_claims[0]["id"], f_claims[0]["id"]}, q


async def test_claims_with_more_of_the_words_rank_first(client):
    _, t_claims, _, f_claims = await two_stories(client)
    page = await search(client, q="grain Riga March port tonnes troops")
    # Both grain claims have five of the words; the troop claims one.
    assert set(ids(page)[:2]) == {t_claims[2]["id"], f_claims[2]["id"]}
    assert ids(page)[2:] and all(hit["rank"] < page["items"][1]["rank"] for hit in page["items"][2:])


async def test_a_quoted_phrase_is_required_and_a_minus_word_excluded(client):
    _, t_claims, _, f_claims = await two_stories(client)
    assert ids(await search(client, q='"polish airspace"')) == [t_claims[1]["id"]]
    either = await search(client, q='"polish airspace" or "russian drones"')
    assert set(ids(either)) == {t_claims[1]["id"], f_claims[1]["id"]}
    found = ids(await search(client, q="troops -belarus"))
    assert f_claims[3]["id"] not in found and t_claims[0]["id"] in found


async def test_html_in_a_claim_is_escaped_in_the_snippet(client):
    text = "The mayor said <script>alert(1)</script> bridges & tunnels will reopen."
    await store(client, "https://news.example.com/html", text, (text,), "2026-11-01T00:00:00Z")
    [hit] = (await search(client, q="bridges"))["items"]
    assert "<script" not in hit["snippet"]  # ts_headline drops tags; whatever is left is escaped
    assert "<mark>bridges</mark>" in hit["snippet"] and "&amp;" in hit["snippet"]


async def test_without_q_every_claim_is_listed(client):
    await two_stories(client)
    assert len((await search(client))["items"]) == 7


async def test_filters_verdict_reviewed_claimant_dates_and_article(client):
    _, t_claims, friday, f_claims = await two_stories(client)
    patched = await client.patch(
        f"/v1/annotations/{t_claims[0]['id']}",
        json={"verdict": "mostly_true", "claimant": "Seoul's spy agency", "review_url": "https://check.example/1"},
    )
    assert patched.status_code == 200, patched.text
    troops = {t_claims[0]["id"], f_claims[0]["id"]}
    assert ids(await search(client, q="troops", verdict="mostly_true")) == [t_claims[0]["id"]]
    assert ids(await search(client, q="troops", verdict=["false", "mostly_true"])) == [t_claims[0]["id"]]
    assert ids(await search(client, q="troops", reviewed="true")) == [t_claims[0]["id"]]
    assert t_claims[0]["id"] not in ids(await search(client, q="troops", reviewed="false"))
    assert ids(await search(client, q="troops", claimant="SEOUL'S SPY AGENCY")) == [t_claims[0]["id"]]
    after = set(ids(await search(client, q="12,000", published_after="2026-11-27T00:00:00Z")))
    assert after == {f_claims[0]["id"]}
    before = set(ids(await search(client, q="12,000", published_before="2026-11-27T00:00:00Z")))
    assert before == {t_claims[0]["id"]}
    assert set(ids(await search(client, q="12,000", article_id=friday["id"]))) == {f_claims[0]["id"]}
    assert set(ids(await search(client, q="12,000"))) == troops


async def test_bad_filters_are_422_naming_the_parameter(client):
    for params, name in (
        ({"verdict": "plausible"}, "verdict"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"published_after": "2026-11-27T00:00:00"}, "published_after"),
        ({"published_before": "0.5"}, "published_before"),
        ({"published_before": "2026-13-27T00:00:00Z"}, "published_before"),
        ({"article_id": "nope"}, "article_id"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "!!"}, "cursor"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ):
        response = await client.get("/v1/claims", params=params)
        assert response.status_code == 422, (params, response.text)
        assert name in response.text, (params, response.text)


async def test_pages_walk_every_hit_once_while_claims_are_added(client):
    await two_stories(client)
    q = "troops soldiers grain drones airspace 12,000"
    existing = set(ids(await search(client, q=q, limit=100)))
    assert len(existing) >= 5
    seen: list[str] = []
    page = await search(client, q=q, limit=2)
    added = 0
    while True:
        seen += ids(page)
        if added < 3:  # a new story lands between pages and ranks anywhere, above or below the cursor
            added += 1
            words = " ".join(["troops", "soldiers", "grain", "drones", "airspace"][: added * 2 - 1])
            text = f"Story {added}: about 12,000 {words}."
            await store(client, f"https://late.example.com/{added}", text, (text,), "2026-11-28T00:00:00Z")
        if not page["next_cursor"]:
            break
        page = await search(client, q=q, limit=2, cursor=page["next_cursor"])
    assert len(seen) == len(set(seen)), "a hit was repeated"
    assert existing <= set(seen), "a hit that existed throughout was skipped"


async def test_a_cursor_of_another_search_is_rejected(client):
    await two_stories(client)
    page = await search(client, q="troops", limit=1)
    assert page["next_cursor"]
    other = await client.get("/v1/claims", params={"q": "grain", "cursor": page["next_cursor"]})
    assert other.status_code == 422 and "cursor" in other.text


async def test_search_needs_a_key_and_allows_the_read_scope(client, tenant):
    await two_stories(client)
    client.headers.clear()
    assert (await client.get("/v1/claims", params={"q": "troops"})).status_code == 401
    client.headers.update(tenant.headers("read"))
    assert (await client.get("/v1/claims", params={"q": "troops"})).status_code == 200


# ---------------------------------------------------------------- matches


async def matches(client, claim_id: str, expect: int = 200, **params):
    response = await client.get(f"/v1/annotations/{claim_id}/matches", params=params)
    assert response.status_code == expect, response.text
    return response.json()


async def test_the_counterpart_in_the_other_story_is_the_first_match_with_reasons(client):
    _, t_claims, friday, f_claims = await two_stories(client)
    for mine, theirs in zip(t_claims, f_claims[:3]):
        result = await matches(client, mine["id"])
        assert result["items"], mine["quote"]
        best = result["items"][0]
        assert best["claim_id"] == theirs["id"], (mine["quote"], result["items"])
        assert best["level"] == "match" and best["score"] >= result["match_threshold"]
        assert best["article"]["id"] == friday["id"]
        kinds = {reason["kind"] for reason in best["reasons"]}
        assert "wording" in kinds
        points = sum(r.get("points", 0) for r in best["reasons"])
        factor = 1.0
        for reason in best["reasons"]:
            factor *= reason.get("factor", 1.0)
        assert abs(points * factor - best["score"]) < 0.001


async def test_matches_explain_shared_figures_and_names(client):
    _, t_claims, _, _ = await two_stories(client)
    best = (await matches(client, t_claims[0]["id"]))["items"][0]
    details = " ".join(reason["detail"] for reason in best["reasons"])
    assert "12,000 = twelve thousand" in details and "Russia" in details


async def test_a_negated_claim_in_another_place_is_not_a_match(client):
    _, t_claims, _, f_claims = await two_stories(client)
    result = await matches(client, t_claims[0]["id"])
    assert f_claims[3]["id"] not in [m["claim_id"] for m in result["items"] if m["level"] == "match"]


async def test_matches_come_only_from_other_articles(client):
    thursday, t_claims, _, _ = await two_stories(client)
    result = await matches(client, t_claims[0]["id"], limit=50)
    assert all(m["article"]["id"] != thursday["id"] for m in result["items"])


async def test_matches_of_an_unknown_or_non_claim_annotation_are_404(client):
    await two_stories(client)
    await matches(client, str(uuid.uuid4()), expect=404)
    created = await client.post(
        "/v1/articles",
        json={"url": "https://news.example.com/fig", "text": THURSDAY,
              "annotations": [{"kind": "figure", "quote": "4,500 tonnes", "value": 4500}]},
    )  # fmt: skip
    figure = created.json()["annotations"][0]
    await matches(client, figure["id"], expect=404)
    assert (await client.get(f"/v1/claims/{figure['id']}/group")).status_code == 404
    assert (
        await client.post(f"/v1/claims/{figure['id']}/same-as", json={"claim_id": str(uuid.uuid4())})
    ).status_code == 404
    response = await client.get(f"/v1/annotations/{figure['id']}/matches", params={"limit": "500"})
    assert response.status_code == 422


# ---------------------------------------------------------------- groups and verdicts


async def link(client, a: str, b: str, expect: int = 200):
    response = await client.post(f"/v1/claims/{a}/same-as", json={"claim_id": b})
    assert response.status_code == expect, response.text
    return response.json()


async def group_ids(client, claim_id: str) -> set[str]:
    response = await client.get(f"/v1/claims/{claim_id}/group")
    assert response.status_code == 200, response.text
    return {member["claim_id"] for member in response.json()["items"]}


async def test_confirming_two_claims_groups_them_and_matches_say_so(client):
    _, t_claims, _, f_claims = await two_stories(client)
    group = await link(client, t_claims[0]["id"], f_claims[0]["id"])
    assert {m["claim_id"] for m in group["items"]} == {t_claims[0]["id"], f_claims[0]["id"]}
    assert await group_ids(client, f_claims[0]["id"]) == {t_claims[0]["id"], f_claims[0]["id"]}
    again = await link(client, f_claims[0]["id"], t_claims[0]["id"])  # the same link again changes nothing
    assert len(again["items"]) == 2
    best = (await matches(client, t_claims[0]["id"]))["items"][0]
    assert best["claim_id"] == f_claims[0]["id"] and best["same_group"] is True


async def test_groups_are_transitive_and_undoing_a_link_splits_them(client):
    _, t_claims, _, f_claims = await two_stories(client)
    a, b = t_claims[0]["id"], f_claims[0]["id"]
    _, [c] = await store(client, "https://third.example.com/x", THURSDAY, (THURSDAY_CLAIMS[0],), "2026-11-29T00:00:00Z")
    c = c["id"]
    await link(client, a, b)
    await link(client, b, c)
    assert await group_ids(client, a) == {a, b, c}
    response = await client.delete(f"/v1/claims/{b}/same-as/{a}")
    assert response.status_code == 204
    assert await group_ids(client, a) == {a}
    assert await group_ids(client, c) == {b, c}
    assert (await client.delete(f"/v1/claims/{b}/same-as/{a}")).status_code == 404


async def test_same_as_rejects_itself_unknown_claims_and_other_kinds(client):
    _, t_claims, _, _ = await two_stories(client)
    a = t_claims[0]["id"]
    assert "/claim_id" in (await link(client, a, a, expect=422))["errors"][0]["pointer"]
    assert (await link(client, a, str(uuid.uuid4()), expect=422))["errors"][0]["pointer"] == "/claim_id"
    await link(client, str(uuid.uuid4()), a, expect=404)
    response = await client.post(f"/v1/claims/{a}/same-as", json={"claim_id": a, "extra": 1})
    assert response.status_code in (400, 422)
    response = await client.post(f"/v1/claims/{a}/same-as", json={"claim_id": "not-a-uuid"})
    assert response.status_code in (400, 422)
    assert (await client.get(f"/v1/claims/{uuid.uuid4()}/group")).status_code == 404


async def test_same_as_needs_the_write_scope(client, tenant):
    _, t_claims, _, f_claims = await two_stories(client)
    client.headers.clear()
    client.headers.update(tenant.headers("read"))
    response = await client.post(f"/v1/claims/{t_claims[0]['id']}/same-as", json={"claim_id": f_claims[0]["id"]})
    assert response.status_code == 403


async def test_a_verdict_on_one_claim_is_suggested_to_its_group_never_copied(client):
    thursday, t_claims, _, f_claims = await two_stories(client)
    a, b = t_claims[0]["id"], f_claims[0]["id"]
    await link(client, a, b)
    review = {
        "verdict": "mostly_true",
        "review_url": "https://check.example/troops",
        "reviewed_at": "2026-11-28T10:00:00Z",
    }
    assert (await client.patch(f"/v1/annotations/{a}", json=review)).status_code == 200
    other = (await client.get(f"/v1/annotations/{b}")).json()
    assert other["verdict"] == "unverified"  # never copied
    members = {m["claim_id"]: m for m in (await client.get(f"/v1/claims/{b}/group")).json()["items"]}
    suggested = members[b]["suggested_verdict"]
    assert suggested["verdict"] == "mostly_true" and suggested["claim_id"] == a
    assert suggested["review_url"] == "https://check.example/troops" and suggested["article_id"] == thursday["id"]
    assert members[a]["suggested_verdict"] is None
    [hit] = [h for h in (await search(client, q="soldiers"))["items"] if h["claim"]["id"] == b]
    assert hit["suggested_verdict"]["claim_id"] == a
    best = (await matches(client, a))["items"][0]
    assert best["claim_id"] == b and best["suggested_verdict"]["verdict"] == "mostly_true"


async def test_claimreview_of_a_reviewed_claim_lists_every_article_of_its_group(client):
    thursday, t_claims, friday, f_claims = await two_stories(client)
    await link(client, t_claims[0]["id"], f_claims[0]["id"])
    await client.patch(
        f"/v1/annotations/{t_claims[0]['id']}",
        json={"verdict": "mostly_true", "review_url": "https://check.example/troops"},
    )
    reviews = (await client.get(f"/v1/articles/{thursday['id']}/claimreview")).json()["reviews"]
    [review] = reviews
    appearance = review["itemReviewed"]["appearance"]
    assert [a["url"] for a in appearance] == [thursday["url"], friday["url"]]


# ---------------------------------------------------------------- tenants


async def test_another_tenants_claims_never_appear(client, app_client, db, tenant):
    _, t_claims, _, f_claims = await two_stories(client)
    other = await make_tenant(db, "Tallinn Post")
    client.headers.clear()
    client.headers.update(other.headers("write"))
    _, [their_claim] = await store(
        client, "https://tallinn.example.com/t", FRIDAY, (FRIDAY_CLAIMS[0],), "2026-11-27T00:00:00Z"
    )
    assert ids(await search(client, q="12,000 troops")) == [their_claim["id"]]
    assert (await matches(client, their_claim["id"]))["items"] == []
    await matches(client, t_claims[0]["id"], expect=404)
    assert (await client.get(f"/v1/claims/{t_claims[0]['id']}/group")).status_code == 404
    await link(client, t_claims[0]["id"], their_claim["id"], expect=404)
    await link(client, their_claim["id"], t_claims[0]["id"], expect=422)
    assert (await client.delete(f"/v1/claims/{t_claims[0]['id']}/same-as/{f_claims[0]['id']}")).status_code == 404
    client.headers.clear()
    client.headers.update(tenant.headers("write"))
    assert their_claim["id"] not in ids(await search(client, q="12,000 troops"))
    assert their_claim["id"] not in [m["claim_id"] for m in (await matches(client, t_claims[0]["id"]))["items"]]


# ---------------------------------------------------------------- languages and edge queries


async def test_the_articles_language_chooses_the_stemmer_and_follows_a_change(client):
    text = "Die Regierung sagte, dass 12.000 Soldaten an der Grenze stehen."
    article, [claim] = await store(client, "https://zeitung.example.de/a", text, (text,), "2026-11-01T00:00:00Z")
    patched = await client.patch(f"/v1/articles/{article['id']}", json={"language": "de"})
    assert patched.status_code == 200, patched.text
    assert ids(await search(client, q="Soldat")) == [claim["id"]]  # German stemming: Soldaten -> soldat
    await client.patch(f"/v1/articles/{article['id']}", json={"language": None})
    assert ids(await search(client, q="Soldat")) == []  # `simple`: no stemming
    assert ids(await search(client, q="Soldaten")) == [claim["id"]]


async def test_a_query_of_only_stop_words_matches_nothing(client):
    await two_stories(client)
    assert ids(await search(client, q="the of and")) == []
    assert ids(await search(client, q='"the"')) == []


async def test_without_q_pages_walk_every_claim_newest_id_first(client):
    await two_stories(client)
    seen, cursor = [], None
    while True:
        page = await search(client, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += ids(page)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and seen == sorted(seen, reverse=True)


async def test_only_excluded_words_lists_every_other_claim(client):
    _, _, _, f_claims = await two_stories(client)
    found = ids(await search(client, q="-belarus"))
    assert len(found) == 6 and f_claims[3]["id"] not in found


async def test_deleting_a_claim_removes_it_from_its_group(client):
    _, t_claims, _, f_claims = await two_stories(client)
    a, b = t_claims[0]["id"], f_claims[0]["id"]
    await link(client, a, b)
    assert (await client.delete(f"/v1/annotations/{b}")).status_code == 204
    assert await group_ids(client, a) == {a}
    assert (await client.get(f"/v1/claims/{b}/group")).status_code == 404
