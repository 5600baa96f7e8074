"""Settings, read once from the environment at start-up and passed down; nothing else reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    database_url: str | None = None
    """PostgreSQL DSN; without one, an embedded PostgreSQL runs in `data_dir`."""
    embedded: bool = True
    """Whether to start the embedded PostgreSQL when no database_url is set (the Docker image says no)."""
    data_dir: Path = Path(".factmark")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_url: str | None = None
    """The service's public base URL, for the ids of W3C annotations; default: the request's own."""
    cors_origins: tuple[str, ...] = ()
    pool_min_size: int = 2
    pool_max_size: int = 10
    pgbouncer: bool = False
    """Behind PgBouncer in transaction mode: no server-side prepared statement cache."""
    statement_timeout_ms: int = 15_000
    connect_timeout_s: float = 5.0
    max_body_bytes: int = 32 * 1024 * 1024
    idempotency_ttl_seconds: int = 24 * 3600
    """How long a stored answer to an Idempotency-Key is replayed."""
    rate_limit_per_minute: int = 1200
    """Requests a minute per API key and server process (bursts up to as many); 0 turns the limit off."""
    failed_auth_per_minute: int = 30
    """Failed authentications (unknown or revoked keys) a minute per client address and server process; past
    it the address gets 429 without a database lookup. 0 turns the limit off."""
    log_level: str = "info"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        raw: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            raw["database_url"] = env["DATABASE_URL"]
        for name in cls.__struct_fields__:
            key = f"FACTMARK_{name.upper()}"
            if key in env:
                raw[name] = env[key]
        if isinstance(raw.get("cors_origins"), str):
            raw["cors_origins"] = [o.strip() for o in str(raw["cors_origins"]).split(",") if o.strip()]
        return msgspec.convert(raw, cls, strict=False)
