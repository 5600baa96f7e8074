"""CORS as a browser client meets it: preflights answered, and the response's own headers kept intact."""

from tests.fixtures import riga_article

ORIGIN = "https://reader.example"  # allowed by the test settings


async def test_a_cross_origin_read_keeps_its_vary_and_exposes_the_protocol_headers(client):
    article = (await client.post("/v1/articles", json=riga_article())).json()
    response = await client.get(f"/w3c/articles/{article['id']}/", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert [v.strip() for v in response.headers["vary"].split(",")] == ["Accept", "Prefer", "Origin"]
    exposed = response.headers["access-control-expose-headers"]
    assert all(name in exposed for name in ("Allow", "Content-Location", "ETag", "Link", "Location", "Vary"))


async def test_a_real_options_request_from_a_page_reaches_the_route(client):
    article = (await client.post("/v1/articles", json=riga_article())).json()
    response = await client.options(f"/w3c/articles/{article['id']}/", headers={"Origin": ORIGIN})
    assert response.status_code == 200 and "POST" in response.headers["allow"]
    assert response.headers["access-control-allow-origin"] == ORIGIN


async def test_a_preflight_for_the_protocols_headers_is_allowed(client):
    response = await client.options(
        "/w3c/articles/6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01/",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "accept, authorization, content-type, if-match, prefer",
        },
    )
    assert response.status_code == 204
    assert (
        response.headers["access-control-allow-origin"] == ORIGIN
        and "PUT" in response.headers["access-control-allow-methods"]
    )


async def test_a_preflight_asking_for_an_unlisted_header_or_from_elsewhere_is_refused(client):
    path = "/v1/articles"
    unlisted = await client.options(
        path,
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-other"},
    )
    assert unlisted.status_code == 400 and "access-control-allow-origin" not in unlisted.headers
    elsewhere = await client.get(path, headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 200 and "access-control-allow-origin" not in elsewhere.headers
