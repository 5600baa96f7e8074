"""The `factmark` command against the test database: keys, migrations run concurrently without racing."""

import argparse
import asyncio
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import asyncpg

from service.cli import parser
from tests.live_server import factmark

README = Path(__file__).resolve().parents[1] / "README.md"


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


def test_keys_list_for_a_tenant_that_does_not_exist_says_so_and_fails(migrated):
    result = factmark(migrated, "keys", "list", "--tenant", "NoSuch")
    assert result.returncode != 0 and result.stderr.strip() == "factmark: no tenant 'NoSuch'" and result.stdout == ""
    assert factmark(migrated, "keys", "list", "--tenant", "nosuch desk").returncode != 0


def test_keys_list_for_a_tenant_without_keys_succeeds(migrated, db):
    created = factmark(migrated, "keys", "create", "--tenant", "Emptied Desk")
    key_id = created.stdout.split("_")[1]
    assert factmark(migrated, "keys", "revoke", key_id).returncode == 0
    listed = factmark(migrated, "keys", "list", "--tenant", "Emptied Desk")
    assert listed.returncode == 0 and "revoked" in listed.stdout


def every_action(parser: argparse.ArgumentParser, name: str = "factmark"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, subparser in action.choices.items():
                yield from every_action(subparser, f"{name} {command}")
        elif not isinstance(action, argparse._HelpAction):
            yield name, action


def test_every_cli_option_and_argument_has_help_text():
    missing = [f"{name} {action.dest}" for name, action in every_action(parser()) if not action.help]
    assert missing == []


def test_every_cli_command_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    commands = {name for name, _ in every_action(parser()) if name != "factmark"}
    assert [command for command in sorted(commands) if f"`{command}" not in readme] == []


def test_without_database_url_or_pgserver_the_command_says_what_to_install(tmp_path):
    shadow = tmp_path / "pgserver"
    shadow.mkdir()
    (shadow / "__init__.py").write_text('raise ImportError("No module named pgserver")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "service", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "factmark[embedded]" in result.stderr and "DATABASE_URL" in result.stderr


def test_the_service_itself_does_not_depend_on_the_embedded_postgresql():
    project = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("pgserver")]
    assert any(d.startswith("pgserver") for d in project["optional-dependencies"]["embedded"])
