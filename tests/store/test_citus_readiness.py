"""The schema can be distributed by tenant on Citus: every primary key and unique constraint (or unique index)
of a distributed table leads with tenant_id, read from the catalog of the migrated database. docs/scaling.md
gives the create_distributed_table / create_reference_table calls."""

from __future__ import annotations

import asyncpg

REFERENCE_TABLES = {
    "tenants": "the tenant itself: small, read by every key lookup; replicated to every node",
    "api_keys": "a key authenticates before its tenant is known (looked up by key id alone); replicated",
}
LOCAL_TABLES = {
    "schema_migrations": "bookkeeping of the migrations on the coordinator; never queried by the API",
}


async def test_every_unique_key_of_a_distributed_table_leads_with_tenant_id(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        """SELECT c.relname AS table_name, i.relname AS index_name,
                  (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = x.indkey[0])
                      AS first_column
           FROM pg_index x
           JOIN pg_class c ON c.oid = x.indrelid
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND (x.indisunique OR x.indisprimary)
             AND c.relname NOT LIKE 'bench\\_%'"""
    )
    tables = {row["table_name"] for row in rows}
    assert {"articles", "annotations", "article_revisions"} <= tables  # the catalog was read
    offending = sorted(
        f"{row['table_name']}.{row['index_name']} leads with {row['first_column']}"
        for row in rows
        if row["table_name"] not in REFERENCE_TABLES | LOCAL_TABLES and row["first_column"] != "tenant_id"
    )
    assert offending == []


async def test_every_distributed_table_has_a_tenant_id_and_every_reference_table_exists(
    db: asyncpg.Connection,
) -> None:
    columns = await db.fetch(
        """SELECT table_name, bool_or(column_name = 'tenant_id') AS has_tenant
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'bench\\_%'
           GROUP BY table_name"""
    )
    by_table = {row["table_name"]: row["has_tenant"] for row in columns}
    assert set(REFERENCE_TABLES) | set(LOCAL_TABLES) <= set(by_table)
    without = sorted(t for t, has in by_table.items() if not has and t not in REFERENCE_TABLES | LOCAL_TABLES)
    assert without == []
