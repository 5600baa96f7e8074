"""The W3C Web Annotation Protocol mount, as a generic protocol client uses it: an article's container at
/w3c/articles/{id}/, JSON-LD by default, annotations created, replaced and deleted under it."""

import uuid

import pytest

from tests.fixtures import RIGA, RIGA_URL, riga_article, span

LDP_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
OA_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
OA_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"


@pytest.fixture
async def article(client):
    response = await client.post("/v1/articles", json=riga_article())
    assert response.status_code == 201
    return response.json()


def container_path(article):
    return f"/w3c/articles/{article['id']}/"


def plain_annotation(quote, comment="Checked against the port authority's log", **extra):
    """What a client that knows only the W3C model sends: a comment on a quoted passage."""
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": comment, "purpose": "commenting"},
        "target": {"source": RIGA_URL, "selector": {"type": "TextQuoteSelector", "exact": quote}},
        **extra,
    }


def selectors(document):
    return {s["type"]: s for s in document["target"]["selector"]}


async def test_the_container_answers_json_ld_by_default_with_the_protocol_headers(client, article):
    response = await client.get(container_path(article))
    assert response.status_code == 200
    assert response.headers["content-type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    document = response.json()
    assert set(document["type"]) == {"BasicContainer", "AnnotationCollection"}
    assert response.headers["content-location"] == document["id"] == f"http://testserver.local{container_path(article)}"
    assert document["total"] == 4 and document["label"] == riga_article()["title"]
    assert "ldp#BasicContainer" in response.headers["link"] and "ldp#constrainedBy" in response.headers["link"]
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "application/ld+json" in response.headers["accept-post"]
    assert {"Accept", "Prefer"} <= set(response.headers["vary"].split(", "))
    first = document["first"]  # embedded with full descriptions: the default preference
    assert first["type"] == "AnnotationPage" and len(first["items"]) == 4
    assert all(item["id"].startswith(document["id"]) for item in first["items"])


async def test_head_and_options_answer_200_with_the_get_headers(client, article):
    get = await client.get(container_path(article))
    head = await client.head(container_path(article))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"] and head.headers["link"] == get.headers["link"]
    options = await client.options(container_path(article))
    assert options.status_code == 200
    assert "HEAD" in options.headers["allow"] and "application/ld+json" in options.headers["accept-post"]
    annotation = get.json()["first"]["items"][0]["id"].removeprefix("http://testserver.local")
    options = await client.options(annotation)
    assert options.status_code == 200 and "PUT" in options.headers["allow"]
    assert options.headers["link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'


async def test_prefer_minimal_container_embeds_nothing_and_says_so(client, article):
    prefer = f'return=representation;include="{LDP_MINIMAL}"'
    response = await client.get(container_path(article), headers={"Prefer": prefer})
    document = response.json()
    assert "items" not in document and "ldp:contains" not in document and "contains" not in document
    assert isinstance(document["first"], str) and isinstance(document["last"], str)
    assert response.headers["preference-applied"] == f'return=representation; include="{LDP_MINIMAL}"'
    assert "prefer" not in response.headers
    page = (await client.get(document["first"])).json()
    assert all(item["@context"] == "http://www.w3.org/ns/anno.jsonld" for item in page["items"])


async def test_prefer_contained_iris_lists_iris_in_its_own_representation(client, article):
    response = await client.get(
        container_path(article), headers={"Prefer": f'return=representation; include="{OA_IRIS}"'}
    )
    document = response.json()
    assert document["id"].endswith("/?iris=1") and response.headers["content-location"] == document["id"]
    page = (await client.get(document["first"])).json()
    assert page["partOf"]["id"] == document["id"]
    assert all(isinstance(item, str) and item.startswith(document["id"].split("?")[0]) for item in page["items"])
    described = await client.get(
        container_path(article), headers={"Prefer": f'return=representation; include="{OA_DESCRIPTIONS}"'}
    )
    assert isinstance(described.json()["first"]["items"][0], dict)
    assert described.headers["etag"] != response.headers["etag"]


async def test_pages_walk_forwards_and_backwards_without_skipping_or_repeating(client, article):
    url = container_path(article)
    container = (await client.get(url, params={"limit": 3, "iris": "1"})).json()
    page = (await client.get(container["first"])).json()
    assert page["startIndex"] == 0 and "prev" not in page and page["partOf"] == {"id": container["id"], "total": 4}
    forwards = list(page["items"])
    while "next" in page:
        page = (await client.get(page["next"])).json()
        assert "prev" in page
        forwards += page["items"]
    page = (await client.get(container["last"])).json()
    assert page["startIndex"] == 4 - len(page["items"]) and "next" not in page
    backwards = list(page["items"])
    while "prev" in page:
        page = (await client.get(page["prev"])).json()
        backwards = page["items"] + backwards
    assert forwards == backwards and len(set(forwards)) == 4


async def test_a_page_token_not_handed_out_is_refused_naming_the_parameter(client, article):
    response = await client.get(container_path(article), params={"page": "after.bm9wZQ"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "page"


async def test_a_generic_client_creates_reads_replaces_and_deletes_an_annotation(client, article):
    canonical = f"urn:uuid:{uuid.uuid4()}"
    created = await client.post(
        container_path(article),
        json=plain_annotation(
            "dismissed reports of a blockade", canonical=canonical, id="https://elsewhere.example/a/9"
        ),
        headers={"Content-Type": "application/ld+json"},
    )
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["id"].startswith(f"http://testserver.local{container_path(article)}")
    assert created.headers["location"] == document["id"]
    assert document["canonical"] == canonical and document["via"] == "https://elsewhere.example/a/9"
    assert selectors(document)["TextPositionSelector"]["start"] == span(RIGA, "dismissed reports of a blockade")[0]
    path = document["id"].removeprefix("http://testserver.local")

    read = await client.get(path)
    assert read.status_code == 200 and read.json() == document
    assert read.headers["link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"' and read.headers["etag"] == '"1"'
    assert (await client.get(f"/v1/annotations/{path.rsplit('/', 1)[1]}")).json()["note"] == (
        "Checked against the port authority's log"
    )  # the same row, in /v1's own JSON

    document["target"] = {"source": RIGA_URL, "selector": {"type": "TextQuoteSelector", "exact": "has denied this"}}
    replaced = await client.put(path, json=document, headers={"If-Match": read.headers["etag"]})
    assert replaced.status_code == 200, replaced.text
    assert selectors(replaced.json())["TextQuoteSelector"]["exact"] == "has denied this"
    assert replaced.json()["canonical"] == canonical and replaced.headers["etag"] == '"2"'

    stale = await client.put(path, json=document, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(path)).status_code == 204
    assert (await client.get(path)).status_code == 404


async def test_a_canonical_iri_of_any_scheme_is_kept_and_never_changes(client, article):
    created = await client.post(
        container_path(article), json=plain_annotation("has denied this", canonical="https://desk.example/annos/17")
    )
    assert created.status_code == 201 and created.json()["canonical"] == "https://desk.example/annos/17"
    path = created.json()["id"].removeprefix("http://testserver.local")
    changed = {**created.json(), "canonical": "https://desk.example/annos/18"}
    response = await client.put(path, json=changed, headers={"If-Match": created.headers["etag"]})
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/canonical"


async def test_a_replacement_needs_if_match(client, article):
    created = await client.post(container_path(article), json=plain_annotation("has denied this"))
    path = created.json()["id"].removeprefix("http://testserver.local")
    response = await client.put(path, json=created.json())
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_replacement_is_checked_against_the_text_as_a_creation_is(client, article):
    created = await client.post(container_path(article), json=plain_annotation("has denied this"))
    path = created.json()["id"].removeprefix("http://testserver.local")
    moved = {
        **created.json(),
        "target": {"source": RIGA_URL, "selector": {"type": "TextQuoteSelector", "exact": "no such words"}},
    }
    response = await client.put(path, json=moved, headers={"If-Match": created.headers["etag"]})
    assert response.status_code == 422 and response.json()["type"].endswith("quote-not-found")
    assert selectors((await client.get(path)).json())["TextQuoteSelector"]["exact"] == "has denied this"


async def test_an_annotation_must_target_the_containers_article(client, article):
    response = await client.post(
        container_path(article),
        json={
            **plain_annotation("has denied this"),
            "target": {
                "source": "http://www.example.com/index.html",
                "selector": {"type": "TextQuoteSelector", "exact": "has denied this"},
            },
        },
    )
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/target/source"
    whole_page = {**plain_annotation("x"), "target": "http://www.example.com/index.html"}
    assert (await client.post(container_path(article), json=whole_page)).status_code == 422


async def test_an_annotation_of_another_container_or_tenant_is_not_found(client, article, other_tenant):
    other = (
        await client.post("/v1/articles", json=riga_article(url="https://news.example.com/other", annotations=[]))
    ).json()
    annotation_id = article["annotations"][0]["id"]
    assert (await client.get(f"/w3c/articles/{other['id']}/{annotation_id}")).status_code == 404
    assert (await client.delete(f"/w3c/articles/{other['id']}/{annotation_id}")).status_code == 404
    foreign = await client.get(container_path(article), headers=other_tenant.headers("read"))
    assert foreign.status_code == 404


async def test_a_container_copy_still_current_answers_304(client, article):
    first = await client.get(container_path(article))
    again = await client.get(container_path(article), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    await client.post(container_path(article), json=plain_annotation("has denied this"))
    changed = await client.get(container_path(article), headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["total"] == 5


async def test_a_container_of_no_article_is_not_found_whatever_the_body_targets(client):
    missing = "/w3c/articles/6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01/"
    assert (await client.get(missing)).status_code == 404
    assert (await client.post(missing, json=plain_annotation("has denied this"))).status_code == 404


async def test_a_body_that_is_not_an_annotation_is_refused_naming_the_field(client, article):
    not_json = await client.post(
        container_path(article), content=b"<Annotation/>", headers={"Content-Type": "application/xml"}
    )
    assert not_json.status_code == 415
    nul = plain_annotation("has denied this", comment="bad\x00text")
    response = await client.post(container_path(article), json=nul)
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/body/value"
    untyped = await client.post(container_path(article), json={**plain_annotation("has denied this"), "type": "Note"})
    assert untyped.status_code == 422 and untyped.json()["errors"][0]["pointer"] == "/type"


async def test_a_replacement_keeps_what_w3c_documents_do_not_say(client, article):
    """A machine suggestion's review is not in its W3C document: a client that PUTs the document back keeps it."""
    suggestion = {
        "kind": "claim",
        "quote": "has denied this",
        "origin": "machine",
        "confidence": 0.7,
        "review": "accepted",
    }
    created = await client.post(f"/v1/articles/{article['id']}/annotations", json=suggestion)
    assert created.status_code == 201, created.text
    path = f"{container_path(article)}{created.json()['id']}"
    document = await client.get(path)
    replaced = await client.put(path, json=document.json(), headers={"If-Match": document.headers["etag"]})
    assert replaced.status_code == 200, replaced.text
    native = (await client.get(f"/v1/annotations/{created.json()['id']}")).json()
    assert native["review"] == "accepted" and native["origin"] == "machine" and native["confidence"] == 0.7
