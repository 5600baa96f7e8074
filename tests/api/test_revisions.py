"""Edits to an article's text: every annotation is re-anchored in the same transaction and the report says
what happened to each; earlier revisions stay readable, and annotations can be read as they were."""

import asyncio

import pytest

from tests.fixtures import RIGA, riga_article

LEAD = "UPDATED 14:05 \U0001f6a8 Latvia's transport ministry has since confirmed the figures.\r\n\r\n"


@pytest.fixture
async def article(client):
    response = await client.post("/v1/articles", json=riga_article())
    assert response.status_code == 201
    return response.json()


async def put_text(client, article_id, text, **headers):
    return await client.put(f"/v1/articles/{article_id}/text", json={"text": text}, headers=headers)


async def annotations_of(client, article_id, **params):
    page = await client.get(f"/v1/articles/{article_id}/annotations", params={"limit": 500, **params})
    assert page.status_code == 200, page.text
    return {a["id"]: a for a in page.json()["items"]}


def assert_in_place(annotations, text):
    for annotation in annotations.values():
        if annotation["anchor"]["status"] != "orphaned":
            assert text[annotation["start"] : annotation["end"]] == annotation["quote"], annotation


async def test_an_inserted_lead_moves_every_annotation_exactly(client, article):
    text = LEAD + RIGA
    response = await put_text(client, article["id"], text, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["revision"] == 2 and response.headers["etag"] == f'"{report["version"]}"'
    assert report["counts"] == {"anchored": 0, "relocated": 4, "relocated_approximately": 0, "orphaned": 0}
    after = await annotations_of(client, article["id"])
    for before in article["annotations"]:
        moved = after[before["id"]]
        assert moved["start"] == before["start"] + len(LEAD)
        assert moved["quote"] == before["quote"]
        assert moved["anchor"] == {"status": "relocated", "revision": 2, "confidence": 1.0, "approximate": False}
        assert moved["version"] == before["version"] + 1


async def test_a_stale_if_match_is_412_and_nothing_moves(client, article):
    await client.patch(f"/v1/articles/{article['id']}", json={"title": "New title"})
    response = await put_text(client, article["id"], LEAD + RIGA, **{"If-Match": '"1"'})
    assert response.status_code == 412
    assert (await client.get(f"/v1/articles/{article['id']}")).json()["revision"] == 1


async def test_a_repeated_put_of_the_same_text_creates_no_revision(client, article):
    first = (await put_text(client, article["id"], LEAD + RIGA)).json()
    again = (await put_text(client, article["id"], LEAD + RIGA)).json()
    assert again["revision"] == first["revision"] == 2
    revisions = (await client.get(f"/v1/articles/{article['id']}/revisions")).json()["items"]
    assert [r["revision"] for r in revisions] == [1, 2]


async def test_a_deleted_sentence_orphans_its_annotations_and_keeps_their_last_offsets(client, article):
    sentence = "A shipping agency told reporters the vessels were insured; the owner has denied this. "
    report = (await put_text(client, article["id"], RIGA.replace(sentence, ""))).json()
    denial = next(a for a in article["annotations"] if a["kind"] == "denial")
    assert report["orphaned_ids"] == [denial["id"]]
    assert report["counts"]["orphaned"] == 1
    orphan = (await client.get(f"/v1/annotations/{denial['id']}")).json()
    assert orphan["anchor"]["status"] == "orphaned"
    assert orphan["anchor"]["revision"] == 1  # its offsets still refer to revision 1
    assert (orphan["start"], orphan["end"], orphan["quote"]) == (denial["start"], denial["end"], denial["quote"])
    orphans = await annotations_of(client, article["id"], status="orphaned")
    assert list(orphans) == [denial["id"]]


async def test_five_edits_in_a_row_keep_every_annotation_honest_and_every_revision_readable(client, article):
    texts = [RIGA]
    edits = [
        lambda t: LEAD + t,  # a new lead paragraph
        lambda t: t.replace("about 4,500 tonnes of grain", "about 4,800 tonnes of grain"),  # a corrected figure
        lambda t: t.replace("12%\u00a0in\u00a0October.\r\n", "12%\u00a0in\u00a0October \U0001f4c8.\r\n"),  # emoji
        lambda t: t.replace(" the owner has denied this.", " the owner has denied this \u2014 twice."),
        lambda t: t.replace("A shipping agency told reporters the vessels were insured; ", ""),  # a cut
    ]
    for n, edit in enumerate(edits, start=2):
        texts.append(edit(texts[-1]))
        assert texts[-1] != texts[-2]
        response = await put_text(client, article["id"], texts[-1])
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["revision"] == n
        assert sum(report["counts"].values()) == 4  # nothing is lost
        current = await annotations_of(client, article["id"])
        assert_in_place(current, texts[-1])
        if n == 3:  # the corrected figure was found approximately, with its new quote
            figure = next(a for a in current.values() if a["kind"] == "figure")
            assert figure["id"] in report["approximate_ids"]
            assert figure["anchor"]["status"] == "relocated" and figure["quote"] == "about 4,800 tonnes"
            assert 0 < figure["anchor"]["confidence"] < 1

    revisions = (await client.get(f"/v1/articles/{article['id']}/revisions")).json()["items"]
    assert [r["text"] for r in revisions] == texts
    for n, text in enumerate(texts, start=1):
        one = (await client.get(f"/v1/articles/{article['id']}/revisions/{n}")).json()
        assert one["text"] == text
        then = await annotations_of(client, article["id"], revision=n)
        assert len(then) == 4
        assert_in_place(then, text)
    original = await annotations_of(client, article["id"], revision=1)
    assert {i: (a["start"], a["end"]) for i, a in original.items()} == {
        a["id"]: (a["start"], a["end"]) for a in article["annotations"]
    }
    figure = next(a for a in article["annotations"] if a["kind"] == "figure")
    assert (await client.get(f"/v1/annotations/{figure['id']}")).json()["quote"] == "about 4,800 tonnes"
    assert (await client.get(f"/v1/annotations/{figure['id']}", params={"revision": 1})).json()["quote"] == (
        "about 4,500 tonnes"
    )
    assert (await client.get(f"/v1/articles/{article['id']}/revisions/9")).status_code == 404
    assert (await client.get(f"/v1/articles/{article['id']}/annotations", params={"revision": 9})).status_code == 404


async def test_annotations_created_after_a_revision_do_not_exist_at_it(client, article):
    await put_text(client, article["id"], LEAD + RIGA)
    created = await client.post(
        f"/v1/articles/{article['id']}/annotations", json={"kind": "claim", "quote": "has since confirmed the figures"}
    )
    assert created.status_code == 201
    assert created.json()["id"] not in await annotations_of(client, article["id"], revision=1)
    missing = await client.get(f"/v1/annotations/{created.json()['id']}", params={"revision": 1})
    assert missing.status_code == 404


async def test_concurrent_batches_and_text_revisions_never_interleave(client):
    created = (await client.post("/v1/articles", json=riga_article(annotations=[]))).json()
    url = f"/v1/articles/{created['id']}/annotations"
    batch = [{"kind": "claim", "quote": "had left the port"}, {"kind": "figure", "quote": "300 tonnes", "value": 300}]
    texts = [f"UPDATE {n}: " * n + RIGA for n in range(1, 4)]
    results = await asyncio.gather(
        *(client.post(url, json=batch) for _ in range(6)),
        *(put_text(client, created["id"], text) for text in texts),
    )
    assert all(r.status_code in (200, 201) for r in results), [r.text for r in results if r.status_code >= 300]
    article = (await client.get(f"/v1/articles/{created['id']}")).json()
    annotations = await annotations_of(client, created["id"])
    assert len(annotations) == 12
    for annotation in annotations.values():
        assert annotation["anchor"]["revision"] == article["revision"], annotation  # nothing left on an old text
        assert article["text"][annotation["start"] : annotation["end"]] == annotation["quote"]


# ---------------------------------------------------------------- a rating belongs to the words it was given for

REVIEWED = {"verdict": "mostly_true", "review_url": "https://factcheck.example.org/riga-grain"}


async def reviewed_article(client, claim_fields=REVIEWED):
    body = riga_article()
    body["annotations"][0] |= claim_fields
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 201, response.text
    by_kind = {a["kind"]: a for a in response.json()["annotations"]}
    return response.json(), by_kind


async def test_an_edit_to_rated_words_flags_the_claim_and_the_figure_for_review(client):
    article, by_kind = await reviewed_article(client)
    claim, figure = by_kind["claim"], by_kind["figure"]
    edited = RIGA.replace("about 4,500 tonnes", "about 4,800 tonnes")
    report = (await put_text(client, article["id"], edited)).json()
    assert sorted(report["needs_review_ids"]) == sorted([claim["id"], figure["id"]])

    stored = await annotations_of(client, article["id"])
    for flagged in (stored[claim["id"]], stored[figure["id"]]):
        assert flagged["needs_review"] is True
        assert flagged["anchor"]["approximate"] is True and flagged["anchor"]["status"] == "relocated"
        assert "4,800" in flagged["quote"] and "4,500" in flagged["previous_quote"]
    assert stored[figure["id"]]["value"] == 4500  # kept, but flagged: the new words say otherwise
    assert stored[by_kind["denial"]["id"]]["needs_review"] is False

    reviews = (await client.get(f"/v1/articles/{article['id']}/claimreview")).json()
    assert reviews["reviews"] == []
    assert [s["id"] for s in reviews["skipped"]] == [claim["id"]]
    assert "rated words" in reviews["skipped"][0]["reason"]


async def test_a_person_confirming_or_re_rating_clears_the_flag(client):
    article, by_kind = await reviewed_article(client)
    claim, figure = by_kind["claim"], by_kind["figure"]
    await put_text(client, article["id"], RIGA.replace("about 4,500 tonnes", "about 4,800 tonnes"))

    confirmed = await client.patch(f"/v1/annotations/{claim['id']}", json={"needs_review": False})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["needs_review"] is False and confirmed.json()["previous_quote"] is None
    reviews = (await client.get(f"/v1/articles/{article['id']}/claimreview")).json()
    assert [r["claimReviewed"] for r in reviews["reviews"]] == [confirmed.json()["statement"]]

    revalued = await client.patch(f"/v1/annotations/{figure['id']}", json={"value": 4800})
    assert revalued.json()["needs_review"] is False and revalued.json()["value"] == 4800
    refused = await client.patch(f"/v1/annotations/{figure['id']}", json={"needs_review": True})
    assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "/needs_review"


async def test_exact_moves_and_unrated_claims_need_no_review(client):
    article, by_kind = await reviewed_article(client, {"verdict": "unverified", "review_url": None})
    report = (await put_text(client, article["id"], LEAD + RIGA)).json()
    assert report["needs_review_ids"] == []
    stored = await annotations_of(client, article["id"])
    assert all(a["anchor"]["approximate"] is False for a in stored.values())

    report = (await put_text(client, article["id"], (LEAD + RIGA).replace("about 4,500", "about 4,800"))).json()
    assert report["needs_review_ids"] == [by_kind["figure"]["id"]]  # the unverified claim is not flagged
