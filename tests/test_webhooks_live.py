"""Webhook delivery by live `factmark serve` processes to a real HTTP receiver in the test process, which
verifies every signature with the secret Factmark showed (standardwebhooks): retries, per-article order, 410,
redirects, Retry-After, disabling, rotation, two replicas sharing the queue, and a SIGKILL mid-delivery."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.conftest import make_tenant
from tests.fixtures import riga_article
from tests.live_events import read_feed, receiver
from tests.live_server import free_port, live_server

FAST = {
    "webhook_allow_private": "true",
    "webhook_retry_schedule": ",".join(["0.25"] * 24),
    "webhook_timeout_seconds": "3",
    "webhook_poll_seconds": "0.1",
    "webhook_disable_after_seconds": "4",
}


KILLABLE = {**FAST, "webhook_timeout_seconds": "2"}


@pytest.fixture(scope="module")
def server(migrated: str) -> Iterator[str]:
    with live_server(migrated, **FAST) as (base, _):
        yield base


def register(base: str, admin: str, url: str, **body: object) -> dict:
    answer = httpx.post(f"{base}/v1/webhooks", json={"url": url, **body}, headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def write(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    answer = httpx.request(method, f"{base}{path}", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else {}


def new_article(base: str, token: str, n: int, annotated: bool = False) -> dict:
    body = riga_article(url=f"https://news.example.com/w/{n}")
    if not annotated:
        body["annotations"] = []
    return write(base, token, "POST", "/v1/articles", body)


def attempts(base: str, admin: str, webhook_id: str) -> list[dict]:
    page = httpx.get(f"{base}/v1/webhooks/{webhook_id}/deliveries", headers={"Authorization": f"Bearer {admin}"})
    return list(reversed(page.json()["items"]))  # oldest first


async def test_a_process_killed_during_a_delivery_delivers_it_after_restart(migrated, db):
    """First in this module: no other server runs yet, so the killed process is the one delivering."""
    tenant = await make_tenant(db, "Baltic Times")
    with receiver(answer=lambda n: 200, hold_seconds=1.0) as hooks:
        with live_server(migrated, **KILLABLE) as (base, process):
            webhook = register(base, tenant.admin, hooks.url, event_types=["article.created"])
            hooks.secrets = [webhook["secret"]]
            new_article(base, tenant.write, 20)
            assert hooks.arrived.wait(10)
            os.kill(process.pid, signal.SIGKILL)  # mid-delivery: the answer never reaches the database
            process.wait(timeout=10)
        time.sleep(1.2)  # the held request finishes; its answer reaches no one
        hooks.accepted.clear()
        hooks.hold_seconds = 0
        with live_server(migrated, **KILLABLE):
            (delivery,) = hooks.wait_for(1, timeout=30)
    assert delivery.event["type"] == "article.created"
    assert [d.headers["webhook-id"] for d in hooks.requests] == [delivery.headers["webhook-id"]] * 2


async def test_an_edit_arrives_signed_and_verifies_with_the_shown_secret(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver() as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["annotation.updated"])
        hooks.secrets = [webhook["secret"]]
        article = new_article(server, tenant.write, 1, annotated=True)
        claim = next(a for a in article["annotations"] if a["kind"] == "claim")
        write(server, tenant.write, "PATCH", f"/v1/annotations/{claim['id']}", {"verdict": "mostly_false"})
        (delivery,) = hooks.wait_for(1)
    assert hooks.bad_signatures == 0
    assert delivery.event["type"] == "annotation.updated" and delivery.event["data"]["verdict"] == "mostly_false"
    assert delivery.headers["webhook-id"] == delivery.event["id"]
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 10
    assert delivery.headers["webhook-signature"].startswith("v1,")
    feed, _ = read_feed(server, tenant.read, types="annotation.updated")
    assert [e["id"] for e in feed] == [delivery.event["id"]]


async def test_three_failures_then_success_is_one_delivery_and_four_logged_attempts(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver(answer=lambda n: 500 if n <= 3 else 204) as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["article.created"])
        hooks.secrets = [webhook["secret"]]
        new_article(server, tenant.write, 2)
        hooks.wait_for(1)
        time.sleep(0.5)
    assert len(hooks.accepted) == 1 and len(hooks.requests) == 4 and hooks.bad_signatures == 0
    assert len({d.headers["webhook-id"] for d in hooks.requests}) == 1
    logged = attempts(server, tenant.admin, webhook["id"])
    assert [a["status_code"] for a in logged] == [500, 500, 500, 204]
    assert [a["attempt"] for a in logged] == [1, 2, 3, 4]
    assert all(a["state"] == "delivered" for a in logged)
    assert logged[0]["error"] == "answered 500" and logged[0]["next_attempt_at"] is not None
    assert logged[-1]["error"] is None and logged[-1]["next_attempt_at"] is None and logged[-1]["duration_ms"] > 0


async def test_a_receiver_down_for_a_while_gets_every_edit_in_order_when_it_is_back(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    port = free_port()
    webhook = register(server, tenant.admin, f"http://127.0.0.1:{port}/hooks", event_types=["article.updated"])
    article = new_article(server, tenant.write, 3)
    for title in ("first edit", "second edit", "third edit"):
        write(server, tenant.write, "PATCH", f"/v1/articles/{article['id']}", {"title": title})
    time.sleep(1.2)  # nothing listens: connection refused, retried
    refused = attempts(server, tenant.admin, webhook["id"])
    assert refused and all(a["status_code"] is None and a["error"] for a in refused)
    with receiver(port) as hooks:  # back, on the webhook's port
        hooks.secrets = [webhook["secret"]]
        received = hooks.wait_for(3)
    assert [d.event["data"]["title"] for d in received] == ["first edit", "second edit", "third edit"]
    assert hooks.bad_signatures == 0


async def test_gone_disables_the_endpoint_and_records_webhook_disabled(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver(answer=lambda n: 410) as hooks:
        webhook = register(server, tenant.admin, hooks.url)
        new_article(server, tenant.write, 4)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not read_feed(server, tenant.read, types="webhook.disabled")[0]:
            time.sleep(0.1)
    (disabled,) = read_feed(server, tenant.read, types="webhook.disabled")[0]
    assert disabled["data"]["id"] == webhook["id"] and disabled["data"]["enabled"] is False
    state = httpx.get(f"{server}/v1/webhooks/{webhook['id']}", headers=tenant.headers("admin")).json()
    assert state["enabled"] is False and "410" in state["disabled_reason"]
    assert len(hooks.requests) == 1  # nothing more after the 410


async def test_a_redirect_is_a_failure_and_retry_after_is_honoured(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    answers = {1: (302, {"Location": "http://127.0.0.1:9/elsewhere"}), 2: (429, {"Retry-After": "2"})}
    with receiver(answer=lambda n: answers.get(n, 200)) as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["article.created"])
        new_article(server, tenant.write, 5)
        hooks.wait_for(1)
    logged = attempts(server, tenant.admin, webhook["id"])
    assert [a["status_code"] for a in logged] == [302, 429, 200]
    assert "redirect" in logged[0]["error"]
    asked = datetime.fromisoformat(logged[1]["next_attempt_at"]) - datetime.fromisoformat(logged[1]["attempted_at"])
    assert asked.total_seconds() >= 1.9
    third = datetime.fromisoformat(logged[2]["attempted_at"]) - datetime.fromisoformat(logged[1]["attempted_at"])
    assert third.total_seconds() >= 1.9


async def test_an_endpoint_failing_for_longer_than_the_limit_is_disabled(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver(answer=lambda n: 503) as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["article.created"])
        new_article(server, tenant.write, 6)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not read_feed(server, tenant.read, types="webhook.disabled")[0]:
            time.sleep(0.2)
    state = httpx.get(f"{server}/v1/webhooks/{webhook['id']}", headers=tenant.headers("admin")).json()
    assert state["enabled"] is False and "failed since" in state["disabled_reason"]
    assert len(hooks.requests) >= 3


async def test_during_a_rotation_both_secrets_verify(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver() as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["article.created"])
        rotated = httpx.post(
            f"{server}/v1/webhooks/{webhook['id']}/rotate-secret", json={"overlap_seconds": 600},
            headers=tenant.headers("admin"),
        ).json()  # fmt: skip
        hooks.secrets = [webhook["secret"], rotated["secret"]]  # each must verify alone
        new_article(server, tenant.write, 7)
        (delivery,) = hooks.wait_for(1)
    assert hooks.bad_signatures == 0 and len(delivery.headers["webhook-signature"].split(" ")) == 2


async def test_the_test_endpoint_sends_a_webhook_test(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver() as hooks:
        webhook = register(server, tenant.admin, hooks.url, event_types=["article.deleted"])
        hooks.secrets = [webhook["secret"]]
        sent = httpx.post(f"{server}/v1/webhooks/{webhook['id']}/test", headers=tenant.headers("admin"))
        assert sent.status_code == 202
        (delivery,) = hooks.wait_for(1)
    assert delivery.event["type"] == "webhook.test" and delivery.headers["webhook-id"] == sent.json()["event_id"]


async def test_a_foreign_tenants_events_are_never_delivered(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    other = await make_tenant(db, "Riga Herald")
    with receiver() as hooks:
        webhook = register(server, tenant.admin, hooks.url)
        hooks.secrets = [webhook["secret"]]
        new_article(server, other.write, 8)
        ours = new_article(server, tenant.write, 9)
        hooks.wait_for(1)
        time.sleep(0.5)
    assert [d.event["article_id"] for d in hooks.requests] == [ours["id"]]


async def test_two_replicas_deliver_each_event_once_per_endpoint(migrated, server, db):
    tenant = await make_tenant(db, "Baltic Times")
    with receiver() as first, receiver() as second, live_server(migrated, **FAST) as (replica, _):
        hooks = [first, second]
        for hook in hooks:
            hook.secrets = [register(server, tenant.admin, hook.url, event_types=["article.updated"])["secret"]]
        articles = [new_article(server, tenant.write, 10 + n) for n in range(4)]
        for n in range(10):
            base = server if n % 2 else replica
            for article in articles:
                write(base, tenant.write, "PATCH", f"/v1/articles/{article['id']}", {"title": f"take {n}"})
        for hook in hooks:
            hook.wait_for(40)
        time.sleep(1)
    for hook in hooks:
        ids = [d.headers["webhook-id"] for d in hook.requests]
        assert len(ids) == 40 and len(set(ids)) == 40 and hook.bad_signatures == 0
        for article in articles:
            titles = [d.event["data"]["title"] for d in hook.requests if d.event["article_id"] == article["id"]]
            assert titles == [f"take {n}" for n in range(10)]


async def test_a_paused_endpoint_keeps_its_queue_and_sends_it_when_enabled_again(server, db):
    tenant = await make_tenant(db, "Baltic Times")
    port = free_port()
    webhook = register(server, tenant.admin, f"http://127.0.0.1:{port}/hooks", event_types=["article.created"])
    path = f"/v1/webhooks/{webhook['id']}"
    queued = new_article(server, tenant.write, 30)
    time.sleep(0.5)  # refused a few times: nothing listens yet
    write(server, tenant.admin, "PATCH", path, {"enabled": False})
    new_article(server, tenant.write, 31)  # not queued: the endpoint is paused
    with receiver(port) as hooks:
        hooks.secrets = [webhook["secret"]]
        time.sleep(1.0)
        assert hooks.requests == []
        write(server, tenant.admin, "PATCH", path, {"enabled": True})
        (delivery,) = hooks.wait_for(1)
        time.sleep(0.5)
    assert delivery.event["article_id"] == queued["id"] and len(hooks.requests) == 1
