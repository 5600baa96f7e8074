"""The W3C representations beside the native one, in process (the whole app through ASGI, one request at a
time): the same 100 annotations as /v1 JSON, /v1 JSON-LD, and the protocol mount's container and pages."""

from __future__ import annotations

from bench.breakdown import AsgiDriver, _quiet_request_log, _timed
from service.app import create_app
from service.config import Settings

W3C = b'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
MINIMAL = b'return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'


async def representations(database_url: str, token: str, article_id: str) -> list[tuple[str, float, str]]:
    """(subject, median µs, note) of each read, all against the same article, same run."""
    _quiet_request_log()
    auth = (b"authorization", f"Bearer {token}".encode())
    v1 = f"/v1/articles/{article_id}/annotations"
    mount = f"/w3c/articles/{article_id}/"
    reads = [
        ("/v1 list, native JSON (baseline)", v1, b"limit=100", [auth], "rendered by PostgreSQL"),
        ("/v1 list, JSON-LD by Accept", v1, b"limit=100", [auth, (b"accept", W3C)], "collection, first page embedded"),
        ("/w3c container, default", mount, b"", [auth], "PreferContainedDescriptions, 100 embedded"),
        ("/w3c container, PreferMinimalContainer", mount, b"", [auth, (b"prefer", MINIMAL)], "no annotations"),
        ("/w3c page=last, IRIs", mount, b"iris=1&page=last", [auth], "100 IRIs, read backwards"),
    ]
    result = []
    async with AsgiDriver(create_app(Settings(database_url=database_url, rate_limit_per_minute=0))) as app:
        for subject, path, query, headers, note in reads:
            status, _ = await app.get(path, query, headers)
            assert status == 200, (subject, status)
            result.append((subject, await _timed(lambda p=path, q=query, h=headers: app.get(p, q, h), 200), note))
    return result
