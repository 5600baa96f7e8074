"""Webhook delivery: a task of `factmark serve` that claims due deliveries (FOR UPDATE SKIP LOCKED, so any
number of replicas share the queue), sends each signed per Standard Webhooks, and records the attempt."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import msgspec

from service.config import Settings
from service.domain.events import EventType, NewEvent
from service.domain.webhooks import (
    Outcome,
    Target,
    outcome_of,
    parse_target,
    refusal,
    retry_after_seconds,
    retry_delay,
    signature_header,
)
from service.errors import InvalidInput
from service.event_metrics import DELIVERY_ATTEMPTS, DELIVERY_LAG, QUEUE_DEPTH
from service.store import events as event_store
from service.store import webhooks as webhook_store
from service.store.listener import EventListener

log = logging.getLogger("factmark.webhooks")
_USER_AGENT = "Factmark-Webhooks/1"
_LEASE_MARGIN_SECONDS = 5.0  # beyond the timeout: recording an attempt takes milliseconds
_DEPTH_EVERY_SECONDS = 5.0
_STRANDED_EVERY_SECONDS = 30.0


class Refused(Exception):
    """The webhook's host resolves to an address deliveries may not go to."""


async def resolve_target(target: Target, allow_private: bool) -> list[str]:
    """The host's addresses, every one public (unless `allow_private`), else Refused. Resolved again at each
    delivery: a name that pointed at a public address at registration may point elsewhere now."""
    try:
        literal = ipaddress.ip_address(target.host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise Refused(f"{target.host} does not resolve ({exc.strerror})") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if reason := refusal(address):
                raise Refused(f"{target.host}: {reason}")
    return addresses


async def check_webhook_url(url: str, allow_private: bool, location: str = "/url") -> None:
    """422 for a URL deliveries may not go to (not http(s), or a non-public address)."""
    try:
        await resolve_target(parse_target(url, location), allow_private)
    except Refused as exc:
        raise InvalidInput(location, f"webhooks are sent to public addresses only: {exc}", actual=url) from exc


def _pinned_request(client: httpx.AsyncClient, url: str, target: Target, address: str, headers: dict[str, str],
                    body: bytes) -> httpx.Request:  # fmt: skip
    """A request to `address` itself (the one checked), naming the host in Host and, for https, in TLS SNI and
    certificate verification: DNS cannot change between the check and the connection."""
    parsed = httpx.URL(url)
    host = f"[{address}]" if ":" in address else address
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return client.build_request(
        "POST", parsed.copy_with(host=host.strip("[]")), headers={**headers, "Host": host_header}, content=body,
        extensions=extensions,
    )  # fmt: skip


class DeliveryWorker:
    """Claims and sends deliveries, at most `webhook_concurrency` at once, until cancelled."""

    def __init__(self, pool: asyncpg.Pool, listener: EventListener, settings: Settings) -> None:
        self._pool = pool
        self._listener = listener
        self._settings = settings
        self._lease = settings.webhook_timeout_seconds + _LEASE_MARGIN_SECONDS
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.webhook_timeout_seconds),
            headers={"User-Agent": _USER_AGENT, "Content-Type": "application/json"},
        )

    async def run(self) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        depth_at = stranded_at = 0.0
        try:
            while True:
                with self._listener.subscription(None) as signal:
                    free = self._settings.webhook_concurrency - len(in_flight)
                    claimed: list[webhook_store.Claimed] = []
                    try:
                        if free > 0:
                            claimed = await webhook_store.claim_due(self._pool, free, self._lease)
                        if time.monotonic() - depth_at > _DEPTH_EVERY_SECONDS:
                            QUEUE_DEPTH.set(await webhook_store.queue_depth(self._pool))
                            depth_at = time.monotonic()
                        if time.monotonic() - stranded_at > _STRANDED_EVERY_SECONDS:
                            if unparked := await webhook_store.unpark_stranded(self._pool):
                                log.warning("unparked %d webhook deliveries left behind", unparked)
                            stranded_at = time.monotonic()
                    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                        log.warning("cannot claim webhook deliveries (%s)", exc.__class__.__name__)
                    for item in claimed:
                        task = asyncio.create_task(self._deliver(item))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                    if claimed and len(claimed) == free:
                        continue  # more may be due: claim again as soon as a slot frees
                    # Wait for new events, a finished attempt (it may release an article's next event) or the
                    # poll interval (retries falling due).
                    waiters = [asyncio.ensure_future(signal.wait()), *in_flight]
                    await asyncio.wait(
                        waiters, timeout=self._settings.webhook_poll_seconds, return_when=asyncio.FIRST_COMPLETED
                    )
                    waiters[0].cancel()
        finally:
            for task in in_flight:
                task.cancel()
            await self._client.aclose()

    async def _deliver(self, claimed: webhook_store.Claimed) -> None:
        try:
            result, outcome = await self._attempt(claimed)
            await self._record(claimed, result, outcome)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # The lease runs out and the delivery is attempted again: nothing is lost.
            log.warning("could not record webhook attempt (%s)", exc.__class__.__name__)

    async def _attempt(self, claimed: webhook_store.Claimed) -> tuple[webhook_store.AttemptResult, Outcome]:
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        retry_after: float | None = None
        message_id = str(claimed.event_id)
        try:
            target = parse_target(claimed.url)
            addresses = await resolve_target(target, self._settings.webhook_allow_private)
            body = claimed.body.decode()
            headers = {
                "webhook-id": message_id,
                "webhook-timestamp": str(int(started_at.timestamp())),
                "webhook-signature": signature_header(claimed.secrets, message_id, started_at, body),
            }
            request = _pinned_request(self._client, claimed.url, target, addresses[0], headers, claimed.body)
            async with asyncio.timeout(self._settings.webhook_timeout_seconds):
                response = await self._client.send(request)
                await response.aclose()
            status_code = response.status_code
            outcome = outcome_of(status_code)
            if outcome is not Outcome.DELIVERED:
                redirect = " (redirects are not followed)" if 300 <= status_code < 400 else ""
                error = f"answered {status_code}{redirect}"
            retry_after = retry_after_seconds(status_code, response.headers.get("retry-after"), started_at)
        except (Refused, InvalidInput) as exc:
            outcome, error = Outcome.RETRY, f"refused: {exc}"
        except (TimeoutError, httpx.TimeoutException):
            outcome, error = Outcome.RETRY, f"no answer within {self._settings.webhook_timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            outcome, error = Outcome.RETRY, f"{exc.__class__.__name__}: {exc}"
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        state, next_at = "delivered", None
        if outcome is Outcome.RETRY:
            delay = retry_after if retry_after is not None else retry_delay(
                claimed.attempt, self._settings.webhook_retry_schedule
            )  # fmt: skip
            state = "pending" if delay is not None else "failed"
            next_at = started_at + timedelta(seconds=delay) if delay is not None else None
        elif outcome is Outcome.DISABLE:
            state = "failed"
        return webhook_store.AttemptResult(started_at, status_code, duration_ms, error, state, next_at), outcome

    async def _record(
        self, claimed: webhook_store.Claimed, result: webhook_store.AttemptResult, outcome: Outcome
    ) -> None:
        tenant_id, endpoint_id = claimed.tenant_id, claimed.endpoint_id
        async with self._pool.acquire() as connection, connection.transaction():
            if not await webhook_store.record_attempt(connection, claimed, result):
                DELIVERY_ATTEMPTS.labels("superseded").inc()
                return
            if outcome is Outcome.DELIVERED:
                await webhook_store.mark_endpoint_healthy(connection, tenant_id, endpoint_id)
                DELIVERY_ATTEMPTS.labels("delivered").inc()
                DELIVERY_LAG.observe(max(0.0, (datetime.now(UTC) - claimed.occurred_at).total_seconds()))
                return
            reason = None
            if outcome is Outcome.DISABLE:
                reason = "the receiver answered 410 Gone"
            else:
                at = result.attempted_at
                since = await webhook_store.mark_endpoint_failing(connection, tenant_id, endpoint_id, at)
                limit = timedelta(seconds=self._settings.webhook_disable_after_seconds)
                if since is not None and result.attempted_at - since >= limit:
                    reason = f"every delivery failed since {since.isoformat()}"
            if reason is not None and await disable(connection, tenant_id, endpoint_id, reason):
                DELIVERY_ATTEMPTS.labels("disabled").inc()
            else:
                DELIVERY_ATTEMPTS.labels("retry" if result.state == "pending" else "failed").inc()


async def disable(connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, reason: str) -> bool:
    """Disable the endpoint (its pending deliveries are given up) and record a `webhook.disabled` event."""
    webhook = await webhook_store.disable_endpoint(connection, tenant_id, endpoint_id, reason)
    if webhook is None:
        return False
    log.warning("webhook %s disabled: %s", endpoint_id, reason)
    event = NewEvent(EventType.WEBHOOK_DISABLED, msgspec.json.encode(webhook))
    await event_store.record_events(connection, tenant_id, [event])
    return True


async def purge_past_retention(pool: asyncpg.Pool, retention_seconds: int, every_seconds: float) -> None:
    """Delete events past retention every `every_seconds`, for as long as the app runs."""
    while True:
        try:
            deleted = await event_store.purge_events(pool, retention_seconds)
            if deleted:
                log.info("purged %d events past retention", deleted)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("could not purge events (%s)", exc.__class__.__name__)
        await asyncio.sleep(every_seconds)
