"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from prometheus_client import REGISTRY

from service.api.annotations import AnnotationController, ArticleAnnotationsController
from service.api.articles import ArticleController
from service.api.auth import provide_principal, require_scope
from service.api.body import StrictJSONRequest
from service.api.cache import CacheCollector, Caches, KeyCache, PageCache
from service.api.cached_reads import HotReads
from service.api.claims import ClaimController, ClaimMatchesController
from service.api.cors import CORSMiddleware, cors_policy
from service.api.docs import docs_assets
from service.api.events import EventController, EventStreamController, require_stream_access
from service.api.export import ExportController
from service.api.health import healthz, readyz
from service.api.hosts import HostCheck, allowed_hosts, host_check
from service.api.http import correct_allow_headers
from service.api.idempotency import purge_expired_keys
from service.api.observability import MetricsController, prometheus_config, request_id_middleware
from service.api.openapi import finalize, openapi_config
from service.api.problems import handle_exception
from service.api.ratelimit import RateLimiter
from service.api.revisions import RevisionController
from service.api.suggestions import (
    ArticleSuggestionsController,
    SuggestionController,
    SuggestionEngines,
    provide_engines,
)
from service.api.w3c_protocol import W3CContainerController
from service.api.webhooks import WebhookController
from service.config import Settings
from service.delivery import DeliveryWorker, purge_past_retention
from service.operations.compute import Compute
from service.store.database import create_pool
from service.store.events import NOTIFY_CHANNEL
from service.store.listener import EventListener
from service.store.notifications import ChangeListener


def provide_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


def provide_compute(state: State) -> Compute:
    compute: Compute = state.compute
    return compute


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def create_app(settings: Settings) -> Litestar:
    caches = Caches(KeyCache(settings.key_cache_ttl_s), PageCache(settings.page_cache_bytes))
    events_listener = EventListener()
    # One LISTEN connection per process: the caches' change channel and the change feed's events channel.
    listener = ChangeListener(settings.session_database_url, caches, channels={NOTIFY_CHANNEL: events_listener})
    limiter = RateLimiter(settings.rate_limit_per_minute)
    failures = RateLimiter(settings.failed_auth_per_minute)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await create_pool(
            str(settings.database_url),
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            connect_timeout_s=settings.connect_timeout_s,
            statement_timeout_ms=settings.statement_timeout_ms,
            pgbouncer=settings.pgbouncer,
        )
        retention = int(settings.event_retention_days * 86400)
        tasks = [
            asyncio.create_task(purge_expired_keys(app.state.pool, every_seconds=600)),
            asyncio.create_task(purge_past_retention(app.state.pool, retention, every_seconds=600)),
            asyncio.create_task(listener.run()),
        ]
        if settings.webhook_delivery:
            tasks.append(asyncio.create_task(DeliveryWorker(app.state.pool, events_listener, settings).run()))
        collector = CacheCollector(caches)
        REGISTRY.register(collector)
        try:
            yield
        finally:
            REGISTRY.unregister(collector)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await app.state.pool.close()

    principal = {"principal": Provide(provide_principal, sync_to_thread=False)}
    api = Router(
        path="/v1",
        route_handlers=[
            ArticleController,
            ArticleAnnotationsController,
            AnnotationController,
            RevisionController,
            ClaimController,
            ClaimMatchesController,
            SuggestionController,
            ArticleSuggestionsController,
            EventController,
            WebhookController,
            ExportController,
        ],
        guards=[require_scope],
        dependencies=principal,
    )  # fmt: skip
    # The event stream also takes a stream token in the query string (EventSource cannot send headers).
    stream = Router(path="/v1", route_handlers=[EventStreamController], guards=[require_stream_access],
                    dependencies=principal)  # fmt: skip
    w3c = Router(path="/w3c", route_handlers=[W3CContainerController], guards=[require_scope],
                 dependencies=principal)  # fmt: skip
    app = Litestar(
        route_handlers=[api, stream, w3c, healthz, readyz, MetricsController, docs_assets()],
        dependencies={
            "pool": Provide(provide_pool, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "compute": Provide(provide_compute, sync_to_thread=False),
            "suggestion_engines": Provide(provide_engines, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        lifespan=[database],
        state=State(
            {
                "settings": settings,
                "rate_limiter": limiter,
                "auth_failure_limiter": failures,
                "compute": Compute(settings),
                "suggestion_engines": SuggestionEngines(),
                "caches": caches,
                "listener": listener,
                "event_listener": events_listener,
            }
        ),
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        request_class=StrictJSONRequest,
        middleware=[
            *([DefineMiddleware(CORSMiddleware, policy=policy)] if (policy := cors_policy(settings)) else []),
            request_id_middleware,
            host_check(settings),
            prometheus_config().middleware,
        ],
        debug=False,
    )
    # In front of routing: Litestar runs middleware per route, after routing, and has no earlier hook.
    hosts = HostCheck(app.asgi_handler, allowed_hosts(settings))
    app.asgi_handler = HotReads(app.asgi_handler, app.state, caches, listener, limiter, failures, hosts.allows)
    finalize(app.openapi_schema)
    correct_allow_headers(app.routes)
    return app


def create_app_from_environment() -> Litestar:
    """Factory for ASGI servers (`uvicorn --factory service.app:create_app_from_environment`)."""
    return create_app(Settings.from_env())
