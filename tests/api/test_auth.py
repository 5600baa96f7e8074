"""Bearer keys with scopes; one tenant never sees another's data; CORS for browser extensions."""

import pytest

from tests.fixtures import riga_article

ENDPOINTS = [
    ("GET", "/v1/articles"),
    ("POST", "/v1/articles"),
    ("GET", "/v1/articles/{article}"),
    ("PATCH", "/v1/articles/{article}"),
    ("DELETE", "/v1/articles/{article}"),
    ("GET", "/v1/articles/{article}/annotations"),
    ("POST", "/v1/articles/{article}/annotations"),
    ("GET", "/v1/annotations/{annotation}"),
    ("PATCH", "/v1/annotations/{annotation}"),
    ("DELETE", "/v1/annotations/{annotation}"),
    ("PUT", "/v1/articles/{article}/text"),
    ("GET", "/v1/articles/{article}/revisions"),
    ("GET", "/v1/articles/{article}/revisions/1"),
    ("GET", "/v1/articles/{article}/claimreview"),
]
WRITES = {"POST", "PATCH", "DELETE", "PUT"}


@pytest.fixture
async def stored(client):
    article = (await client.post("/v1/articles", json=riga_article())).json()
    return {"article": article["id"], "annotation": article["annotations"][0]["id"]}


def body_for(method, path):
    if method == "PUT":
        return {"text": "A new text."}
    if method == "PATCH":
        return {"note": "x"} if "annotations" in path else {"title": "x"}
    if method == "POST":
        return (
            {"kind": "claim", "start": 0, "end": 8}
            if "annotations" in path
            else riga_article(url="https://x.example/x")
        )
    return None


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer fmk_0000000000000000_nope", "Bearer not-a-key"],
)
async def test_without_a_valid_key_every_endpoint_is_401(app_client, stored, method, path, authorization):
    app_client.headers.clear()
    headers = {"Authorization": authorization} if authorization else {}
    response = await app_client.request(method, path.format(**stored), headers=headers, json=body_for(method, path))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert_no_leak(response, authorization)


def assert_no_leak(response, authorization):
    """Error bodies never echo a key's secret, nor SQL or driver internals."""
    token = (authorization or "").split()[-1] if authorization else ""
    if token.startswith("fmk_") and token.count("_") >= 2:
        assert token.split("_", 2)[2] not in response.text
    for internal in ("SELECT", "INSERT", "asyncpg", "Traceback", "secret_hash"):
        assert internal not in response.text


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_a_revoked_key_is_401_on_every_endpoint(app_client, tenant, stored, db, method, path):
    await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", tenant.write.split("_")[1])
    app_client.headers.clear()
    headers = tenant.headers("write")
    response = await app_client.request(method, path.format(**stored), headers=headers, json=body_for(method, path))
    assert response.status_code == 401
    assert_no_leak(response, headers["Authorization"])


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_a_read_key_reads_but_cannot_write(app_client, tenant, stored, method, path):
    app_client.headers.clear()
    response = await app_client.request(
        method, path.format(**stored), headers=tenant.headers("read"), json=body_for(method, path)
    )
    if method in WRITES:
        assert response.status_code == 403
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if "{" in e[1]])
async def test_another_tenants_ids_are_404(app_client, other_tenant, stored, method, path):
    app_client.headers.clear()
    response = await app_client.request(
        method, path.format(**stored), headers=other_tenant.headers("write"), json=body_for(method, path)
    )
    assert response.status_code == 404


async def test_another_tenant_sees_no_article_by_url_or_list(app_client, other_tenant, stored):
    app_client.headers.clear()
    headers = other_tenant.headers("read")
    assert (await app_client.get("/v1/articles", headers=headers)).json()["items"] == []
    lookup = await app_client.get("/v1/articles", params={"url": riga_article()["url"]}, headers=headers)
    assert lookup.json()["items"] == []


async def test_two_tenants_may_annotate_the_same_url(app_client, other_tenant, stored):
    app_client.headers.clear()
    response = await app_client.post("/v1/articles", json=riga_article(), headers=other_tenant.headers("write"))
    assert response.status_code == 201


async def test_a_revoked_key_is_refused_at_once(app_client, tenant, db):
    app_client.headers.clear()
    headers = tenant.headers("read")
    assert (await app_client.get("/v1/articles", headers=headers)).status_code == 200
    await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", tenant.read.split("_")[1])
    assert (await app_client.get("/v1/articles", headers=headers)).status_code == 401


async def test_cors_preflight_allows_configured_origins_only(app_client):
    app_client.headers.clear()
    allowed = await app_client.options(
        "/v1/articles",
        headers={
            "Origin": "https://reader.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "https://reader.example"
    denied = await app_client.options(
        "/v1/articles", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in denied.headers
