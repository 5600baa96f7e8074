"""Liveness and readiness probes (no API key needed)."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from service.api.http import Pool
from service.store.database import database_is_ready
from service.wire import Health


@get("/healthz", operation_id="health", tags=["operations"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    operation_id="readiness",
    tags=["operations"],
    summary="The database answers",
    responses={503: ResponseSpec(data_container=Health, description="The database does not answer")},
)
async def readyz(pool: Pool) -> Response[Health]:
    ready = await database_is_ready(pool)
    return Response(Health(status="ok" if ready else "unavailable"), status_code=200 if ready else 503)
