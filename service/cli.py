"""The `factmark` command: serve, migrate, manage API keys, write the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import msgspec

from service.config import Settings, SettingsError
from service.domain.keys import generate_key, parse_scopes
from service.store import keys as key_store
from service.store.migrations import migrate

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


class Terminated(BaseException):
    """SIGTERM arrived: unwind (stopping the embedded PostgreSQL on the way), then die of the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def _database(settings: Settings) -> Iterator[Settings]:
    """Settings with a database URL, running the embedded PostgreSQL for the block when none is configured."""
    if settings.database_url:
        yield settings
        return
    if not settings.embedded:
        sys.exit("factmark: DATABASE_URL is not set (and FACTMARK_EMBEDDED=false forbids the embedded PostgreSQL)")
    try:
        from service.store.embedded import embedded_postgres
    except ImportError:
        sys.exit(
            "factmark: DATABASE_URL is not set and the embedded PostgreSQL is not installed "
            "(pip install 'factmark[embedded]', or set DATABASE_URL)"
        )
    with embedded_postgres(settings.data_dir) as url:
        yield msgspec.structs.replace(settings, database_url=url)


def _run(settings: Settings, action: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """`action` on a connection of its own, straight to PostgreSQL (migrations hold a session's advisory lock)."""
    url = settings.session_database_url
    if url is None:
        sys.exit("factmark: FACTMARK_PGBOUNCER=true needs FACTMARK_DIRECT_DATABASE_URL (a connection straight to "
                 "PostgreSQL, for migrations and change notifications)")  # fmt: skip

    async def main() -> Any:
        try:
            connection = await asyncpg.connect(url, timeout=settings.connect_timeout_s)
        except (OSError, TimeoutError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            sys.exit(f"factmark: cannot connect to the database (DATABASE_URL): {exc or type(exc).__name__}")
        try:
            return await action(connection)
        finally:
            await connection.close()

    return asyncio.run(main())


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    applied = _run(settings, migrate)
    print("applied: " + ", ".join(applied) if applied else "the database is up to date")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from service.server import serve

    _run(settings, migrate)
    # Workers are separate processes: they read their settings, the database URL included, from the environment.
    os.environ["DATABASE_URL"] = str(settings.database_url)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"Factmark on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    serve(settings, host, port, args.workers or settings.workers)


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
    async def listing(connection: asyncpg.Connection) -> list[asyncpg.Record] | None:
        if args.tenant is not None and not await key_store.tenant_exists(connection, args.tenant):
            return None
        return await key_store.fetch_keys(connection, args.tenant)

    rows = _run(settings, listing)
    if rows is None:
        sys.exit(f"factmark: no tenant {args.tenant!r}")
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
    serve.add_argument("--host", help="address to listen on (default: FACTMARK_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: FACTMARK_PORT, 8000)")
    serve.add_argument("--workers", type=int, help="server processes (default: FACTMARK_WORKERS, 1)")
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("migrate", help="apply pending migrations").set_defaults(run=cmd_migrate)
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key (and its tenant if new); prints the key last")
    create.add_argument("--tenant", required=True, help="the newsroom's name (created if new)")
    create.add_argument(
        "--scopes", default="read,write", help="comma-separated, from read, write, admin (default: read,write)"
    )
    create.set_defaults(run=cmd_keys_create)
    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--tenant", help="only this tenant's keys (default: every tenant's)")
    listing.set_defaults(run=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key at once, by id or whole key")
    revoke.add_argument("key", help="the key id (second part of the key) or the whole key")
    revoke.set_defaults(run=cmd_keys_revoke)
    tenant = commands.add_parser("tenant", help="newsroom settings").add_subparsers(
        dest="tenant_command", required=True
    )
    update = tenant.add_parser("update", help="how the newsroom signs its fact-checks (ClaimReview author)")
    update.add_argument("--tenant", required=True, help="the newsroom's name")
    update.add_argument("--organization", help="organisation name (default: the tenant name)")
    update.add_argument("--url", help="organisation URL")
    update.set_defaults(run=cmd_tenant_update)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default=str(OPENAPI_PATH), help="where to write it (default: %(default)s)")
    openapi.set_defaults(run=cmd_openapi, needs_database=False)
    return root


def main(argv: list[str] | None = None) -> None:
    # pgserver asks platformdirs for a runtime directory it does not need; the warning only confuses.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"factmark: {exc}")
    # uvicorn restores this handler after its graceful shutdown and re-raises SIGTERM into it.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if getattr(args, "needs_database", True):
            with _database(settings) as settings:
                args.run(settings, args)
        else:
            args.run(settings, args)
    except Terminated as stop:
        signal.signal(stop.signum, signal.SIG_DFL)
        os.kill(os.getpid(), stop.signum)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
