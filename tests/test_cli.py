"""The `factmark` command against the test database: keys, migrations run concurrently without racing."""

import asyncio

import asyncpg

from tests.live_server import factmark


async def test_keys_create_prints_a_working_key_last_and_stores_only_its_hash(app_client, migrated, db):
    result = factmark(migrated, "keys", "create", "--tenant", "Daily Ledger", "--scopes", "read")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("fmk_") and len(key) > 40
    app_client.headers.clear()
    assert (await app_client.get("/v1/articles", headers={"Authorization": f"Bearer {key}"})).status_code == 200
    assert (
        await app_client.post("/v1/articles", json={}, headers={"Authorization": f"Bearer {key}"})
    ).status_code == 403
    stored = await db.fetchval(
        "SELECT count(*) FROM api_keys WHERE position($1::bytea in secret_hash) > 0", key.split("_", 2)[2].encode()
    )
    assert stored == 0

    listed = factmark(migrated, "keys", "list", "--tenant", "Daily Ledger")
    assert key.split("_")[1] in listed.stdout and key.split("_", 2)[2] not in listed.stdout
    revoked = factmark(migrated, "keys", "revoke", key)
    assert revoked.returncode == 0
    assert (await app_client.get("/v1/articles", headers={"Authorization": f"Bearer {key}"})).status_code == 401


def test_bad_scopes_are_refused(migrated):
    result = factmark(migrated, "keys", "create", "--tenant", "x", "--scopes", "read,superuser")
    assert result.returncode != 0 and "superuser" in result.stderr


async def test_concurrent_migrations_apply_each_file_once(migrated):
    admin = await asyncpg.connect(migrated)
    await admin.execute("DROP DATABASE IF EXISTS migrate_race")
    await admin.execute("CREATE DATABASE migrate_race")
    await admin.close()
    url = (
        migrated.replace("/postgres?", "/migrate_race?")
        if "/postgres?" in migrated
        else migrated.rsplit("/", 1)[0] + "/migrate_race"
    )
    runs = await asyncio.gather(*(asyncio.to_thread(factmark, url, "migrate") for _ in range(4)))
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert sum("applied: " in r.stdout for r in runs) == 1
    connection = await asyncpg.connect(url)
    try:
        versions = await connection.fetch("SELECT version FROM schema_migrations")
        assert len(versions) == len({v["version"] for v in versions}) >= 1
    finally:
        await connection.close()
