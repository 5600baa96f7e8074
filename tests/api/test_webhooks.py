"""Webhook endpoints over HTTP: admin scope, a secret shown once, SSRF targets refused, rotation, and the
foreign tenant's endpoints invisible."""

import pytest
from standardwebhooks.webhooks import Webhook


async def register(client, tenant, **body):
    return await client.post(
        "/v1/webhooks", json={"url": "https://93.184.215.14/hooks", **body}, headers=tenant.headers("admin")
    )


async def test_an_endpoint_is_registered_with_a_secret_shown_once(client, tenant):
    created = await register(client, tenant, event_types=["annotation.updated"], description="CMS plugin")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # the Standard Webhooks library accepts it as it is
    assert created.headers["location"] == f"/v1/webhooks/{body['id']}"
    read = (await client.get(f"/v1/webhooks/{body['id']}", headers=tenant.headers("admin"))).json()
    assert "secret" not in read and read["event_types"] == ["annotation.updated"] and read["enabled"] is True
    listed = (await client.get("/v1/webhooks", headers=tenant.headers("admin"))).json()
    assert [w["id"] for w in listed["items"]] == [body["id"]]


async def test_webhooks_need_the_admin_scope(client, tenant):
    answer = await client.post("/v1/webhooks", json={"url": "https://93.184.215.14/hooks"}, headers=tenant.headers())
    assert answer.status_code == 403
    assert (await client.get("/v1/webhooks", headers=tenant.headers("read"))).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "https://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[fd00:ec2::254]/hooks",
        "http://100.100.100.200/hooks",
        "http://0.0.0.0/hooks",
        "ftp://example.com/hooks",
        "https://user:pw@example.com/hooks",
    ],
)
async def test_private_loopback_link_local_and_metadata_targets_are_refused(client, tenant, url):
    answer = await client.post("/v1/webhooks", json={"url": url}, headers=tenant.headers("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/url"


async def test_a_patch_to_a_private_url_is_refused_and_changes_nothing(client, tenant):
    created = (await register(client, tenant)).json()
    path = f"/v1/webhooks/{created['id']}"
    answer = await client.patch(path, json={"url": "http://10.0.0.7/x"}, headers=tenant.headers("admin"))
    assert answer.status_code == 422
    changed = await client.patch(
        path, json={"description": "newsroom", "enabled": False}, headers={**tenant.headers("admin"), "If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.json()["url"] == "https://93.184.215.14/hooks"
    assert changed.json()["enabled"] is False and changed.headers["etag"] == '"2"'
    stale = await client.patch(path, json={"enabled": True}, headers={**tenant.headers("admin"), "If-Match": '"1"'})
    assert stale.status_code == 412


async def test_rotation_shows_a_new_secret_and_keeps_the_old_one_for_the_overlap(client, tenant):
    created = (await register(client, tenant)).json()
    rotated = await client.post(
        f"/v1/webhooks/{created['id']}/rotate-secret", json={"overlap_seconds": 3600}, headers=tenant.headers("admin")
    )
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created["secret"] and rotated.json()["previous_secret_until"]


async def test_a_foreign_tenants_webhooks_are_not_found(client, tenant, other_tenant):
    created = (await register(client, tenant)).json()
    for method in ("GET", "PATCH", "DELETE"):
        answer = await client.request(
            method, f"/v1/webhooks/{created['id']}", json={} if method == "PATCH" else None,
            headers=other_tenant.headers("admin"),
        )  # fmt: skip
        assert answer.status_code == 404
    assert (await client.get("/v1/webhooks", headers=other_tenant.headers("admin"))).json()["items"] == []
    deliveries = await client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=other_tenant.headers("admin"))
    assert deliveries.status_code == 404


async def test_a_deleted_endpoint_is_gone(client, tenant):
    created = (await register(client, tenant)).json()
    path = f"/v1/webhooks/{created['id']}"
    assert (await client.delete(path, headers=tenant.headers("admin"))).status_code == 204
    assert (await client.get(path, headers=tenant.headers("admin"))).status_code == 404


async def test_unknown_event_types_are_refused(client, tenant):
    answer = await register(client, tenant, event_types=["article.exploded"])
    assert answer.status_code == 422 or answer.status_code == 400


async def test_a_retried_registration_with_an_idempotency_key_registers_once(client, tenant):
    headers = {**tenant.headers("admin"), "Idempotency-Key": "register-cms-hook"}
    body = {"url": "https://93.184.215.14/hooks"}
    first = await client.post("/v1/webhooks", json=body, headers=headers)
    again = await client.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len((await client.get("/v1/webhooks", headers=tenant.headers("admin"))).json()["items"]) == 1


async def test_a_disabled_endpoint_cannot_be_tested(client, tenant):
    created = (await register(client, tenant, enabled=False)).json()
    answer = await client.post(f"/v1/webhooks/{created['id']}/test", headers=tenant.headers("admin"))
    assert answer.status_code == 409
