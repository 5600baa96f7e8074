"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide

from service.api.annotations import AnnotationController, ArticleAnnotationsController
from service.api.articles import ArticleController
from service.api.auth import provide_principal, require_scope
from service.api.health import healthz, readyz
from service.api.openapi import add_kind_discriminators, cors_config, openapi_config
from service.api.problems import handle_exception
from service.config import Settings
from service.store.database import create_pool


def provide_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


def create_app(settings: Settings) -> Litestar:
    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        try:
            yield
        finally:
            await app.state.pool.close()

    api = Router(
        path="/v1",
        route_handlers=[ArticleController, ArticleAnnotationsController, AnnotationController],
        guards=[require_scope],
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
    )
    app = Litestar(
        route_handlers=[api, healthz, readyz],
        dependencies={"pool": Provide(provide_pool, sync_to_thread=False)},
        exception_handlers={Exception: handle_exception},
        lifespan=[database],
        state=State({"settings": settings}),
        cors_config=cors_config(settings),
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )
    add_kind_discriminators(app.openapi_schema)
    return app


def create_app_from_environment() -> Litestar:
    """Factory for ASGI servers (`uvicorn --factory service.app:create_app_from_environment`)."""
    return create_app(Settings.from_env())
