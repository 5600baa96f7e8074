"""/v1/webhooks (admin scope): register, read, change and remove endpoints, rotate their signing secret, list
delivery attempts, and send a test event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import JSONBody

from service.api.auth import CurrentPrincipal
from service.api.http import (
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    LimitParam,
    Pool,
    check_if_match,
    decode_cursor,
    encode_cursor,
    etag,
    given_fields,
    problem_responses,
)
from service.delivery import check_webhook_url
from service.domain.webhooks import generate_secret
from service.errors import NotFound
from service.store import webhooks as webhook_store
from service.wire_events import (
    DeliveryAttempt,
    DeliveryPage,
    SecretRotation,
    TestDelivery,
    Webhook,
    WebhookInput,
    WebhookPage,
    WebhookPatch,
    WebhookWithSecret,
)

_ADMIN = {"scope": "admin"}


def _answer(webhook: Webhook, status_code: int = 200) -> Response[Webhook]:
    return Response(webhook, status_code=status_code, headers={"ETag": etag(webhook.version)})


def _with_secret(webhook: Webhook, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret(**msgspec.structs.asdict(webhook), secret=secret)


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post(
        "/",
        operation_id="createWebhook",
        responses=problem_responses(),
        opt=_ADMIN,
        status_code=201,
        summary="Register an endpoint; the answer shows its signing secret, once",
    )
    async def create(
        self, data: JSONBody[WebhookInput], principal: CurrentPrincipal, pool: Pool, settings: CurrentSettings
    ) -> Response[WebhookWithSecret]:
        await check_webhook_url(data.url, settings.webhook_allow_private)
        secret = generate_secret()
        values = msgspec.structs.asdict(data)
        values["event_types"] = list(dict.fromkeys(data.event_types))
        webhook = await webhook_store.insert_endpoint(pool, principal.tenant_id, uuid.uuid4(), values, secret)
        headers = {"ETag": etag(webhook.version), "Location": f"/v1/webhooks/{webhook.id}"}
        return Response(_with_secret(webhook, secret), status_code=201, headers=headers)

    @get("/", operation_id="listWebhooks", responses=problem_responses(), opt=_ADMIN, summary="List endpoints")
    async def list_webhooks(self, principal: CurrentPrincipal, pool: Pool) -> WebhookPage:
        return WebhookPage(items=await webhook_store.fetch_endpoints(pool, principal.tenant_id))

    @get(
        "/{webhook_id:uuid}",
        operation_id="getWebhook",
        responses=problem_responses(404),
        opt=_ADMIN,
        summary="Read one endpoint",
    )
    async def read(self, webhook_id: Id, principal: CurrentPrincipal, pool: Pool) -> Response[Webhook]:
        webhook = await webhook_store.fetch_endpoint(pool, principal.tenant_id, webhook_id)
        if webhook is None:
            raise NotFound(f"no webhook {webhook_id}")
        return _answer(webhook)

    @patch(
        "/{webhook_id:uuid}",
        operation_id="updateWebhook",
        responses=problem_responses(404, 412),
        opt=_ADMIN,
        summary="Change url, event types, description; `enabled: true` re-enables a disabled endpoint",
    )
    async def update(
        self,
        webhook_id: Id,
        data: JSONBody[WebhookPatch],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        if_match: IfMatchHeader = None,
    ) -> Response[Webhook]:
        changes = given_fields(data)
        if "url" in changes:
            await check_webhook_url(changes["url"], settings.webhook_allow_private)
        if "event_types" in changes:
            changes["event_types"] = list(dict.fromkeys(changes["event_types"]))
        async with pool.acquire() as connection, connection.transaction():
            current = await webhook_store.lock_endpoint(connection, principal.tenant_id, webhook_id)
            if current is None:
                raise NotFound(f"no webhook {webhook_id}")
            check_if_match(if_match, current.version)
            webhook = await webhook_store.update_endpoint(connection, principal.tenant_id, webhook_id, changes)
        return _answer(webhook)

    @delete(
        "/{webhook_id:uuid}",
        operation_id="deleteWebhook",
        responses=problem_responses(404),
        opt=_ADMIN,
        status_code=204,
        summary="Remove an endpoint with its pending deliveries and log",
    )
    async def remove(self, webhook_id: Id, principal: CurrentPrincipal, pool: Pool) -> None:
        async with pool.acquire() as connection, connection.transaction():
            if await webhook_store.lock_endpoint(connection, principal.tenant_id, webhook_id) is None:
                raise NotFound(f"no webhook {webhook_id}")
            await webhook_store.delete_endpoint(connection, principal.tenant_id, webhook_id)

    @post(
        "/{webhook_id:uuid}/rotate-secret",
        operation_id="rotateWebhookSecret",
        responses=problem_responses(404),
        opt=_ADMIN,
        status_code=200,
        summary="A new signing secret (shown once); the previous one keeps signing beside it for the overlap",
    )
    async def rotate(
        self, webhook_id: Id, principal: CurrentPrincipal, pool: Pool, data: JSONBody[SecretRotation | None] = None
    ) -> Response[WebhookWithSecret]:
        overlap = (data or SecretRotation()).overlap_seconds
        secret = generate_secret()
        webhook = await webhook_store.rotate_secret(pool, principal.tenant_id, webhook_id, secret, overlap)
        if webhook is None:
            raise NotFound(f"no webhook {webhook_id}")
        return Response(_with_secret(webhook, secret), headers={"ETag": etag(webhook.version)})

    @get(
        "/{webhook_id:uuid}/deliveries",
        operation_id="listWebhookDeliveries",
        responses=problem_responses(404),
        opt=_ADMIN,
        summary="Delivery attempts, newest first: time, status code, duration, error, next attempt",
    )
    async def deliveries(
        self,
        webhook_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        cursor: CursorParam = None,
        limit: LimitParam = 50,
    ) -> DeliveryPage:
        if await webhook_store.fetch_endpoint(pool, principal.tenant_id, webhook_id) is None:
            raise NotFound(f"no webhook {webhook_id}")
        after = decode_cursor(cursor, tuple[datetime, int, int]) if cursor else None
        rows = await webhook_store.fetch_attempts_page(pool, principal.tenant_id, webhook_id, after, limit)
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_cursor = encode_cursor([last["attempted_at"].isoformat(), int(last["event_id"]), last["attempt"]])
        return DeliveryPage(items=[DeliveryAttempt(**dict(row)) for row in rows], next_cursor=next_cursor)

    @post(
        "/{webhook_id:uuid}/test",
        operation_id="testWebhook",
        responses=problem_responses(404),
        opt=_ADMIN,
        status_code=202,
        summary="Queue a `webhook.test` event for this endpoint alone",
    )
    async def test(self, webhook_id: Id, principal: CurrentPrincipal, pool: Pool) -> TestDelivery:
        webhook = await webhook_store.fetch_endpoint(pool, principal.tenant_id, webhook_id)
        if webhook is None:
            raise NotFound(f"no webhook {webhook_id}")
        data: dict[str, Any] = {"webhook_id": str(webhook.id), "message": "a test delivery from Factmark"}
        event_id = await webhook_store.queue_test(pool, principal.tenant_id, webhook_id, msgspec.json.encode(data))
        return TestDelivery(event_id=str(event_id))
