"""The database goes away and comes back: requests get a quick 503 meanwhile, and the service recovers by
itself, without a restart."""

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg
import pgserver
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.config import Settings
from service.domain.keys import generate_key
from service.store import keys as key_store
from service.store.migrations import migrate
from tests.conftest import TEST_HOST


def stop(server, data_dir):
    if (data_dir / "postmaster.pid").exists():
        pgserver._commands.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user=server.system_user)


async def test_the_service_answers_503_while_the_database_is_down_and_recovers_after():
    data_dir = Path(tempfile.mkdtemp(prefix="factmark-fault-"))
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        url = server.get_uri()
        connection = await asyncpg.connect(url)
        await migrate(connection)
        key = generate_key()
        await key_store.insert_key(connection, await key_store.ensure_tenant(connection, "Fault Desk"), key, ("read",))
        await connection.close()
        headers = {"Authorization": f"Bearer {key.token}"}
        settings = Settings(
            database_url=url, pool_min_size=1, pool_max_size=4, connect_timeout_s=2.0, allowed_hosts=(TEST_HOST,)
        )
        async with AsyncTestClient(app=create_app(settings)) as client:
            assert (await client.get("/v1/articles", headers=headers)).status_code == 200

            await asyncio.to_thread(stop, server, data_dir)
            started = time.perf_counter()
            down = await client.get("/v1/articles", headers=headers)
            assert down.status_code == 503 and time.perf_counter() - started < 5
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200

            await asyncio.to_thread(server.ensure_postgres_running)
            statuses = []
            for _ in range(20):  # the pool replaces its dead connections on demand
                statuses.append((await client.get("/v1/articles", headers=headers)).status_code)
                if statuses[-1] == 200:
                    break
                await asyncio.sleep(0.25)
            assert statuses[-1] == 200, statuses
            assert (await client.get("/readyz")).status_code == 200
    finally:
        stop(server, data_dir)
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)
