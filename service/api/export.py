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
    str | None,
    QueryParameter(
        max_length=40,
        pattern=r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$",
        description="RFC 3339 time with a zone: articles whose last change (theirs or an annotation's) is in range.",
    ),
]


def _moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(name, f"not an RFC 3339 time: {exc}", actual=value) from exc


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
        start, end = _moment("since", since), _moment("until", until)
        if start is not None and end is not None and start >= end:
            raise InvalidInput("until", "must be later than `since`", actual=until)
        lines = ndjson_lines(pool, principal.tenant_id, start, end, offset_unit)
        return Stream(lines, media_type="application/x-ndjson")
