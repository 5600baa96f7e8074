"""Probes for orchestrators: liveness needs nothing, readiness asks the database."""


async def test_health_and_readiness_need_no_key(app_client):
    app_client.headers.clear()
    assert (await app_client.get("/healthz")).json() == {"status": "ok"}
    ready = await app_client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


async def test_interactive_docs_are_served(app_client):
    app_client.headers.clear()
    assert (await app_client.get("/docs/")).status_code == 200
    assert (await app_client.get("/docs/openapi.json")).json()["info"]["title"] == "Factmark"
