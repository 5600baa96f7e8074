"""What the service shows to whom: only allowed Host headers reach the links it writes, and `/metrics` answers only
to the scraper's token."""

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.api.hosts import host_of
from service.app import create_app
from tests.conftest import METRICS_TOKEN, TEST_HOST
from tests.fixtures import riga_article

W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture
async def article(client):
    body = riga_article(annotations=[{"kind": "claim", "start": 0, "end": 9}])
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", f"{TEST_HOST}.evil.example", "[::2]", f"x{TEST_HOST}", ""]
)
async def test_a_foreign_host_is_refused_before_it_can_reach_a_link(client, article, host):
    for path, headers in (
        (f"/v1/articles/{article['id']}/annotations", {"Accept": W3C}),
        (f"/v1/articles/{article['id']}", {}),
        ("/v1/articles", {}),
    ):
        response = await client.get(path, headers={**headers, "Host": host})
        assert response.status_code == 400, (path, host, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "FACTMARK_ALLOWED_HOSTS" in response.json()["detail"] and "evil" not in response.headers.get(
            "location", ""
        )


@pytest.mark.parametrize("host", [TEST_HOST, f"{TEST_HOST}:8000", TEST_HOST.upper()])
async def test_an_allowed_host_with_or_without_a_port_is_served_and_used(client, article, host):
    response = await client.get(f"/v1/articles/{article['id']}/annotations", headers={"Accept": W3C, "Host": host})
    assert response.status_code == 200, response.text
    assert TEST_HOST in response.json()["id"].lower()


async def test_probes_answer_whatever_the_host(client):
    assert (await client.get("/healthz", headers={"Host": "10.0.0.7:8000"})).status_code == 200


def settings_with(settings, **changes):
    return msgspec.structs.replace(settings, **changes)


async def test_the_public_url_host_and_subdomain_patterns_are_allowed(settings, tenant):
    configured = settings_with(
        settings, public_url="https://factmark.newsroom.example", allowed_hosts=("*.replicas.example",)
    )
    async with AsyncTestClient(app=create_app(configured)) as client:
        for host, status in (
            ("factmark.newsroom.example", 200),
            ("eu-1.replicas.example:8000", 200),
            ("replicas.example", 400),
            (TEST_HOST, 400),
        ):
            response = await client.get("/v1/articles", headers={**tenant.headers("read"), "Host": host})
            assert response.status_code == status, host


async def test_a_star_allows_any_host(settings, tenant):
    async with AsyncTestClient(app=create_app(settings_with(settings, allowed_hosts=("*",)))) as client:
        response = await client.get("/v1/articles", headers={**tenant.headers("read"), "Host": "anything.example"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "host"),
    [("Example.ORG:443", "example.org"), ("[::1]:8000", "[::1]"), ("[::1]", "[::1]"), ("localhost", "localhost")],
)
def test_the_host_is_compared_without_its_port(header, host):
    assert host_of(header) == host


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Basic {METRICS_TOKEN}", f"Bearer {METRICS_TOKEN}x", "Bearer "]
)
async def test_metrics_need_the_token(client, authorization):
    client.headers.clear()
    response = await client.get("/metrics", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 401 and "factmark_request" not in response.text


async def test_metrics_answer_the_token(client):
    client.headers.clear()
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200 and "factmark_requests_total" in response.text


async def test_metrics_are_off_without_a_token(settings):
    async with AsyncTestClient(app=create_app(settings_with(settings, metrics_token=None))) as client:
        response = await client.get("/metrics")
        assert response.status_code == 404 and "FACTMARK_METRICS_TOKEN" in response.json()["detail"]
