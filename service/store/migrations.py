"""Applies the numbered SQL files in `schemas/` in order, once each, under an advisory lock so that
two processes starting together never race."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
_LOCK_ID = 0x46414354  # "FACT": any constant shared by every Factmark process
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files(directory: Path = SCHEMAS_DIR) -> list[tuple[int, Path]]:
    found = sorted((int(m.group(1)), path) for path in directory.iterdir() if (m := _NAME.match(path.name)))
    numbers = [number for number, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number in {directory}")
    return found


async def migrate(connection: asyncpg.Connection, directory: Path = SCHEMAS_DIR) -> list[str]:
    """Apply pending migrations; return the names of those applied now."""
    applied_now: list[str] = []
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
    try:
        await connection.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {row["version"] for row in await connection.fetch("SELECT version FROM schema_migrations")}
        for number, path in migration_files(directory):
            if number in done:
                continue
            async with connection.transaction():
                await connection.execute(path.read_text(encoding="utf-8"))
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, path.name
                )
            applied_now.append(path.name)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
    return applied_now
