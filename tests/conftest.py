"""Test fixtures: a real PostgreSQL for the session (testcontainers when a Docker engine answers, else the
embedded pgserver, else TEST_DATABASE_URL), clean tables for every test, an app and API keys."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings
from service.domain.keys import generate_key
from service.store import keys as key_store
from service.store.migrations import migrate
from tests.pgbouncer import pgbouncer

TEST_HOST = "testserver.local"  # the host of Litestar's test client
METRICS_TOKEN = "scrape-3f9c"
TABLES = (
    "tenants, api_keys, articles, article_urls, article_revisions, annotations, annotation_history, idempotency_keys, "
    "claim_links, events, webhook_endpoints, webhook_deliveries, webhook_attempts, stream_tokens, w3c_identities"
)


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # any failure means there is no usable engine
        return False


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
        return
    try:
        import pgserver
    except ImportError:
        pgserver = None
    if pgserver is not None:
        # Not under pytest's basetemp: concurrent pytest sessions prune each other's old basetemps.
        data_dir = Path(tempfile.mkdtemp(prefix="factmark-pg-"))
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        yield server.get_uri()
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("no PostgreSQL: no Docker engine, no pgserver wheel, and TEST_DATABASE_URL is unset", returncode=3)
    yield url


@pytest.fixture(scope="session")
async def migrated(database_url: str) -> str:
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection)
    finally:
        await connection.close()
    return database_url


@pytest.fixture(scope="session")
def settings(migrated: str) -> Settings:
    # No webhook delivery in the shared app: tests of delivery run live servers (tests/test_webhooks_live.py).
    return Settings(
        database_url=migrated,
        pool_min_size=1,
        pool_max_size=8,
        cors_origins=("https://reader.example",),
        webhook_delivery=False,
        allowed_hosts=(TEST_HOST,),
        metrics_token=METRICS_TOKEN,
        failed_auth_per_minute=0,  # the auth matrix fails on purpose; tests/api/test_auth.py checks the limit
    )


# The API tests that run a second time through PgBouncer (transaction pooling, its defaults).
THROUGH_PGBOUNCER = frozenset(
    {"test_articles", "test_annotations", "test_revisions", "test_idempotency", "test_w3c", "test_events"}
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in THROUGH_PGBOUNCER and "app_client" in metafunc.fixturenames:
        metafunc.parametrize("route", ["direct", "pgbouncer"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def pgbouncer_url(migrated: str) -> Iterator[str]:
    with pgbouncer(migrated) as url:
        yield url


@pytest.fixture(scope="session")
def route(request: pytest.FixtureRequest) -> str:
    """How the app reaches PostgreSQL: `direct`, or `pgbouncer` for the modules in THROUGH_PGBOUNCER."""
    return str(getattr(request, "param", "direct"))


@pytest.fixture(scope="session")
async def app_client(
    settings: Settings, route: str, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    if route == "pgbouncer":
        url = request.getfixturevalue("pgbouncer_url")
        settings = msgspec.structs.replace(
            settings, database_url=url, pgbouncer=True, direct_database_url=settings.database_url
        )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture
async def db(migrated: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test database, whose tables are empty when the test starts."""
    connection = await asyncpg.connect(migrated)
    await connection.execute(f"TRUNCATE {TABLES} CASCADE")
    try:
        yield connection
    finally:
        await connection.close()


@dataclass(frozen=True)
class Tenant:
    name: str
    write: str
    read: str
    admin: str

    def headers(self, scope: str = "write") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, scope)}"}


async def make_tenant(connection: asyncpg.Connection, name: str) -> Tenant:
    tenant_id = await key_store.ensure_tenant(connection, name)
    tokens = {}
    for label, scopes in (("write", ("read", "write")), ("read", ("read",)), ("admin", ("read", "write", "admin"))):
        key = generate_key()
        await key_store.insert_key(connection, tenant_id, key, scopes)
        tokens[label] = key.token
    return Tenant(name, **tokens)


@pytest.fixture
async def tenant(db: asyncpg.Connection) -> Tenant:
    return await make_tenant(db, "Baltic Times")


@pytest.fixture
async def other_tenant(db: asyncpg.Connection) -> Tenant:
    return await make_tenant(db, "Riga Herald")


@pytest.fixture
def client(app_client: AsyncTestClient[Litestar], tenant: Tenant) -> AsyncTestClient[Litestar]:
    """The app client, sending the write key of `tenant` by default."""
    app_client.headers.clear()
    app_client.headers.update(tenant.headers("write"))
    return app_client
