"""W3C Web Annotation Protocol on the annotation endpoints, and schema.org ClaimReview, as their consumers read them."""

import pytest

from tests.fixtures import RIGA, RIGA_URL, riga_article, span
from tests.w3c_suite import load_suite

W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture
async def article(client):
    response = await client.post("/v1/articles", json=riga_article())
    assert response.status_code == 201
    return response.json()


@pytest.fixture(scope="module")
def suite():
    return load_suite()


def selectors(document):
    return {s["type"]: s for s in document["target"]["selector"]}


async def test_an_annotation_reads_as_a_w3c_annotation_with_protocol_headers(client, article, suite):
    figure = next(a for a in article["annotations"] if a["kind"] == "figure")
    response = await client.get(
        f"/v1/annotations/{figure['id']}", headers={"Accept": W3C}, params={"offset_unit": "utf16"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == W3C
    assert response.headers["link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert response.headers["etag"] == '"1"' and "PATCH" in response.headers["allow"]
    assert "accept" in response.headers["vary"].lower()
    document = response.json()
    assert document["type"] == "Annotation" and document["target"]["source"] == RIGA_URL
    assert selectors(document)["TextQuoteSelector"]["exact"] == "about 4,500 tonnes"
    start, end = span(RIGA, "about 4,500 tonnes")  # code points, whatever offset_unit says
    assert (
        selectors(document)["TextPositionSelector"]["start"],
        selectors(document)["TextPositionSelector"]["end"],
    ) == (start, end)
    assert suite.failures("annotations/annotationMusts.test", document, {"must"}) == []
    assert suite.failures("bodiesTargets/3.2-model.test", document, {"must"}) == []


async def test_plain_json_stays_the_default_and_says_it_varies(client, article):
    response = await client.get(f"/v1/annotations/{article['annotations'][0]['id']}")
    assert response.headers["content-type"].startswith("application/json")
    assert "accept" in response.headers["vary"].lower()
    assert response.json()["kind"] in {"claim", "attribution", "denial", "figure"}


async def test_the_annotation_list_is_a_collection_whose_pages_link_onwards(client, article, suite):
    url = f"/v1/articles/{article['id']}/annotations"
    response = await client.get(url, params={"limit": 3}, headers={"Accept": W3C})
    assert response.status_code == 200
    assert "ldp#BasicContainer" in response.headers["link"] and "POST" in response.headers["allow"]
    collection = response.json()
    assert "AnnotationCollection" in collection["type"] and collection["total"] == 4
    first = collection["first"]
    assert first["type"] == "AnnotationPage" and len(first["items"]) == 3
    assert first["id"] != collection["id"]
    for item in first["items"]:
        assert (
            suite.failures("annotations/annotationMusts.test", {"@context": collection["@context"], **item}, {"must"})
            == []
        )
    second = await client.get(first["next"], headers={"Accept": W3C})
    page = second.json()
    assert page["type"] == "AnnotationPage" and len(page["items"]) == 1 and "next" not in page
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in page["items"]}
    assert len(ids) == 4


async def test_a_w3c_annotation_with_only_a_quote_selector_is_located_and_stored(client, article):
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "highlighting",
        "body": {"type": "TextualBody", "value": "Check against port records", "purpose": "commenting"},
        "target": {
            "source": RIGA_URL,
            "selector": {"type": "TextQuoteSelector", "exact": "Port traffic rose 12%\u00a0in\u00a0October"},
        },
    }
    response = await client.post(
        f"/v1/articles/{article['id']}/annotations", json=document, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == W3C
    created = response.json()
    native = (await client.get(response.headers["location"])).json()
    assert native["kind"] == "claim" and native["note"] == "Check against port records"
    assert (native["start"], native["end"]) == span(RIGA, "Port traffic rose 12%\u00a0in\u00a0October")
    assert selectors(created)["TextPositionSelector"]["start"] == native["start"]


async def test_an_unreadable_w3c_annotation_is_a_problem_naming_the_field(client, article):
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "highlighting",
        "target": {"source": RIGA_URL, "selector": {"type": "TextPositionSelector", "start": -4, "end": 2}},
    }
    response = await client.post(
        f"/v1/articles/{article['id']}/annotations", json=document, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"].startswith("/target/selector")


async def test_claimreview_lists_reviewed_claims_and_reports_unpublishable_ones(client, article):
    claim = next(a for a in article["annotations"] if a["kind"] == "claim")
    await client.patch(
        f"/v1/annotations/{claim['id']}",
        json={"reviewed_at": "2026-11-24T10:00:00Z", "verdict_explanation": "Port records show 4,380 t."},
    )
    unreviewed = await client.post(
        f"/v1/articles/{article['id']}/annotations",
        json={"kind": "claim", "quote": "the vessels were insured", "verdict": "false"},
    )
    await client.post(
        f"/v1/articles/{article['id']}/annotations", json={"kind": "claim", "quote": "the port would stay open"}
    )
    response = await client.get(f"/v1/articles/{article['id']}/claimreview")
    assert response.status_code == 200
    body = response.json()
    [review] = body["reviews"]
    assert review["@type"] == "ClaimReview" and review["url"] == claim["review_url"]
    assert review["claimReviewed"] == claim["statement"]
    assert review["reviewRating"]["alternateName"] == "Mostly true"
    assert {"ratingValue", "bestRating", "worstRating"} <= review["reviewRating"].keys()
    assert review["itemReviewed"]["author"]["name"] == "Officials in Riga"  # from the attribution
    assert review["itemReviewed"]["appearance"]["url"] == RIGA_URL
    assert review["author"] == {"@type": "Organization", "name": "Baltic Times"}
    assert review["datePublished"].startswith("2026-11-24")
    assert [s["id"] for s in body["skipped"]] == [unreviewed.json()["id"]]


async def test_w3c_positions_count_code_points_even_when_offset_unit_says_utf16(client, article):
    start, end = span(RIGA, "Port traffic rose 12%")  # after the flag, where the two units differ
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "highlighting",
        "target": {"source": RIGA_URL, "selector": {"type": "TextPositionSelector", "start": start, "end": end}},
    }
    response = await client.post(
        f"/v1/articles/{article['id']}/annotations",
        json=document,
        params={"offset_unit": "utf16"},
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 201, response.text
    native = (await client.get(response.headers["location"])).json()
    assert native["quote"] == "Port traffic rose 12%"
