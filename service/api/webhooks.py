"""/v1/webhooks (admin scope): register, read, change and remove endpoints, rotate their signing secret, list
delivery attempts, and send a test event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody

from service.api.auth import CurrentPrincipal
from service.api.http import (
    CurrentSettings,
    CursorParam,
    Id,
    IfMatchHeader,
    LimitParam,
    Pool,
    answer_response,
    decode_cursor,
    encode_cursor,
    etag,
    given_fields,
    problem_responses,
)
from service.api.idempotency import IdempotencyKeyHeader, idempotency_key
from service.delivery import check_webhook_url
from service.errors import NotFound
from service.operations import webhooks as webhook_operations
from service.operations.idempotency import Answer
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
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[WebhookInput],
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        idempotency_key_header: IdempotencyKeyHeader = None,
    ) -> Response[WebhookWithSecret]:
        await check_webhook_url(data.url, settings.webhook_allow_private)
        values = msgspec.structs.asdict(data)
        values["event_types"] = list(dict.fromkeys(data.event_types))

        def present(webhook: WebhookWithSecret) -> Answer:
            headers = {"ETag": etag(webhook.version), "Location": f"/v1/webhooks/{webhook.id}"}
            return Answer(msgspec.json.encode(webhook), 201, headers)

        answer = await webhook_operations.create_webhook(
            pool, principal.tenant_id, values,
            idempotency=await idempotency_key(request, idempotency_key_header, settings.idempotency_ttl_seconds),
            present=present,
        )  # fmt: skip
        return answer_response(answer)

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
        webhook = await webhook_operations.update_webhook(pool, principal.tenant_id, webhook_id, changes, if_match)
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
        await webhook_operations.delete_webhook(pool, principal.tenant_id, webhook_id)

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
        webhook = await webhook_operations.rotate_secret(pool, principal.tenant_id, webhook_id, overlap)
        return Response(webhook, headers={"ETag": etag(webhook.version)})

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
        responses=problem_responses(404, 409),
        opt=_ADMIN,
        status_code=202,
        summary="Queue a `webhook.test` event for this endpoint alone",
    )
    async def test(self, webhook_id: Id, principal: CurrentPrincipal, pool: Pool) -> TestDelivery:
        event_id = await webhook_operations.send_test(pool, principal.tenant_id, webhook_id)
        return TestDelivery(event_id=str(event_id))
