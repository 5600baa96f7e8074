"""/v1/export: the tenant's articles with their annotations as NDJSON, streamed (for backfills and archives)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Stream

from service.api.auth import CurrentPrincipal
from service.api.http import OffsetUnitParam, Pool, problem_responses
from service.domain.offsets import OffsetUnit
from service.errors import InvalidInput
from service.store.export import export_articles

WhenParam = Annotated[
    datetime | None,
    QueryParameter(description="RFC 3339 time: articles whose last change (theirs or an annotation's) is in range."),
]


async def ndjson_lines(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, since: datetime | None, until: datetime | None, unit: OffsetUnit
) -> AsyncIterator[bytes]:
    """One line per article, all read in one REPEATABLE READ snapshot (a consistent export). A read-only
    transaction takes no transaction id, so however long it streams it does not hold back the change feed."""
    async with pool.acquire() as connection, connection.transaction(isolation="repeatable_read", readonly=True):
        async for document in export_articles(connection, tenant_id, since, until, unit):
            yield document + b"\n"


class ExportController(Controller):
    path = "/export"
    tags = ["export"]

    @get(
        "/",
        operation_id="exportArticles",
        responses=problem_responses(),
        media_type="application/x-ndjson",
        summary="Every article with its text and annotations, one JSON object a line (streamed)",
        response_description="NDJSON: one article (as GET /v1/articles/{id}?include=annotations answers) a line",
    )
    async def export(
        self,
        principal: CurrentPrincipal,
        pool: Pool,
        since: WhenParam = None,
        until: WhenParam = None,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> Stream:
        for name, value in (("since", since), ("until", until)):
            if value is not None and value.tzinfo is None:
                raise InvalidInput(name, "give a time zone (e.g. 2026-01-31T00:00:00Z)", actual=value.isoformat())
        if since is not None and until is not None and since >= until:
            raise InvalidInput("until", "must be later than `since`", actual=until.isoformat())
        lines = ndjson_lines(pool, principal.tenant_id, since, until, offset_unit)
        return Stream(lines, media_type="application/x-ndjson")
