"""The `factmark` command: serve, migrate, manage API keys, write the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.api.observability import logging_config
from service.config import Settings
from service.domain.keys import generate_key, parse_scopes
from service.store import keys as key_store
from service.store.database import start_embedded
from service.store.migrations import migrate

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def _database(settings: Settings) -> tuple[Settings, Any]:
    """Settings with a database URL, starting the embedded PostgreSQL when none is configured."""
    if settings.database_url:
        return settings, None
    if not settings.embedded:
        sys.exit("factmark: DATABASE_URL is not set (and FACTMARK_EMBEDDED=false forbids the embedded PostgreSQL)")
    url, server = start_embedded(settings.data_dir)
    return msgspec.structs.replace(settings, database_url=url), server


def _run(settings: Settings, action: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """`action` on a connection of its own, straight to PostgreSQL (migrations hold a session's advisory lock)."""
    url = settings.session_database_url
    if url is None:
        sys.exit("factmark: FACTMARK_PGBOUNCER=true needs FACTMARK_DIRECT_DATABASE_URL (a connection straight to "
                 "PostgreSQL, for migrations and change notifications)")  # fmt: skip

    async def main() -> Any:
        connection = await asyncpg.connect(url, timeout=settings.connect_timeout_s)
        try:
            return await action(connection)
        finally:
            await connection.close()

    return asyncio.run(main())


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    applied = _run(settings, migrate)
    print("applied: " + ", ".join(applied) if applied else "the database is up to date")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    _run(settings, migrate)
    # Workers are separate processes: they read their settings, the database URL included, from the environment.
    os.environ["DATABASE_URL"] = str(settings.database_url)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"Factmark on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    uvicorn.run(
        "service.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=args.workers or settings.workers,
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level),
        access_log=False,
        timeout_graceful_shutdown=20,
    )


def cmd_keys_create(settings: Settings, args: argparse.Namespace) -> None:
    try:
        scopes = parse_scopes(args.scopes)
    except ValueError as exc:
        sys.exit(f"factmark: {exc}")
    key = generate_key()

    async def create(connection: asyncpg.Connection) -> None:
        await migrate(connection)
        async with connection.transaction():
            tenant_id = await key_store.ensure_tenant(connection, args.tenant)
            await key_store.insert_key(connection, tenant_id, key, scopes)

    _run(settings, create)
    print(
        f"key {key.key_id} for tenant {args.tenant!r} with scopes {','.join(scopes)}; it is shown only once:",
        file=sys.stderr,
    )
    print(key.token)


def cmd_keys_list(settings: Settings, args: argparse.Namespace) -> None:
    rows = _run(settings, lambda c: key_store.fetch_keys(c, args.tenant))
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        created = f"{row['created_at']:%Y-%m-%d %H:%M}"
        print(f"{row['id']}  {row['tenant']}  {','.join(row['scopes'])}  created {created}  {state}")


def cmd_keys_revoke(settings: Settings, args: argparse.Namespace) -> None:
    key_id = args.key.split("_")[1] if args.key.startswith("fmk_") else args.key
    if not _run(settings, lambda c: key_store.revoke_key(c, key_id)):
        sys.exit(f"factmark: no active key {key_id}")
    print(f"revoked {key_id}")


def cmd_tenant_update(settings: Settings, args: argparse.Namespace) -> None:
    async def update(connection: asyncpg.Connection) -> bool:
        await migrate(connection)
        return await key_store.update_organization(connection, args.tenant, args.organization, args.url)

    if not _run(settings, update):
        sys.exit(f"factmark: no tenant {args.tenant!r}")
    print(f"updated tenant {args.tenant!r}")


def cmd_openapi(_: Settings, args: argparse.Namespace) -> None:
    from service.app import create_app

    document = create_app(Settings()).openapi_schema.to_schema()
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="factmark", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and serve the API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("migrate", help="apply pending migrations").set_defaults(run=cmd_migrate)
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key (and its tenant if new); prints the key last")
    create.add_argument("--tenant", required=True)
    create.add_argument("--scopes", default="read,write")
    create.set_defaults(run=cmd_keys_create)
    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--tenant")
    listing.set_defaults(run=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key at once, by id or whole key")
    revoke.add_argument("key")
    revoke.set_defaults(run=cmd_keys_revoke)
    tenant = commands.add_parser("tenant", help="newsroom settings").add_subparsers(
        dest="tenant_command", required=True
    )
    update = tenant.add_parser("update", help="how the newsroom signs its fact-checks (ClaimReview author)")
    update.add_argument("--tenant", required=True)
    update.add_argument("--organization", help="organisation name (default: the tenant name)")
    update.add_argument("--url", help="organisation URL")
    update.set_defaults(run=cmd_tenant_update)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default=str(OPENAPI_PATH))
    openapi.set_defaults(run=cmd_openapi, needs_database=False)
    return root


def main(argv: list[str] | None = None) -> None:
    # pgserver asks platformdirs for a runtime directory it does not need; the warning only confuses.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    server = None
    if getattr(args, "needs_database", True):
        settings, server = _database(settings)
    try:
        args.run(settings, args)
    finally:
        del server  # the embedded PostgreSQL stops once no process holds it


if __name__ == "__main__":
    main()
