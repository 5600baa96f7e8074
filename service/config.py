"""Settings, read once from the environment at start-up and passed down; nothing else reads os.environ.

Every field is the variable `FACTMARK_<NAME>` (and `DATABASE_URL` for `database_url`); a value that does not parse
raises `SettingsError`, whose text names the variable (`FACTMARK_PORT: expected an integer, got 'abc'`)."""

from __future__ import annotations

import math
import os
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

Positive = Annotated[int, Meta(ge=1)]
NonNegative = Annotated[int, Meta(ge=0)]
PositiveSeconds = Annotated[float, Meta(gt=0)]
LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class SettingsError(ValueError):
    """A setting from the environment that does not parse; its text is one line naming the variable."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    database_url: str | None = None
    """PostgreSQL DSN; without one, an embedded PostgreSQL runs in `data_dir`."""
    embedded: bool = True
    """Whether to start the embedded PostgreSQL when no database_url is set (the Docker image says no)."""
    data_dir: Path = Path(".factmark")
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535)] = 8000
    workers: Positive = 1
    public_url: str | None = None
    """The service's public base URL, for the ids of W3C annotations; default: the request's own."""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    """Host header values accepted (Litestar's allowed_hosts: `*.example.org` patterns, `*` for any); others → 400."""
    cors_origins: tuple[str, ...] = ()
    pool_min_size: NonNegative = 2
    pool_max_size: Positive = 10
    pgbouncer: bool = False
    """`database_url` is PgBouncer in transaction mode (its defaults): no prepared-statement cache, no settings
    sent at connection start-up (statement_timeout belongs on the role then, see docs/scaling.md)."""
    direct_database_url: str | None = None
    """A connection straight to PostgreSQL, for what needs a session: migrations (advisory lock) and LISTEN.
    Default: `database_url`; required with `pgbouncer`."""
    statement_timeout_ms: Positive = 15_000
    connect_timeout_s: PositiveSeconds = 5.0
    max_body_bytes: Positive = 32 * 1024 * 1024
    idempotency_ttl_seconds: Positive = 24 * 3600
    """How long a stored answer to an Idempotency-Key is replayed."""
    key_cache_ttl_s: Annotated[float, Meta(ge=0)] = 1.0
    """How long a verified API key is trusted from memory while change notifications are not being received
    (listener down or reconnecting); while they are, a revocation drops it at once."""
    page_cache_bytes: NonNegative = 64 * 1024 * 1024
    """Memory per process for rendered annotation pages (least recently used evicted first); 0 turns it off."""
    work_budget_ms: Positive = 3000
    """CPU time (ms, on its worker thread) one request may spend locating quotes or re-anchoring; past it the
    request fails with 422 work-budget-exceeded instead of holding a core (docs/anchoring.md)."""
    compute_threads: Annotated[int, Meta(ge=1, le=64)] = 2
    """How many such CPU-heavy steps run at once per process; the rest wait for a thread."""
    rate_limit_per_minute: NonNegative = 1200
    """Requests a minute per API key and server process (bursts up to as many); 0 turns the limit off."""
    failed_auth_per_minute: NonNegative = 30
    """Failed authentications (unknown or revoked keys) a minute per client address and server process; past
    it the address gets 429 without a database lookup. 0 turns the limit off."""
    max_connections: Positive = 4096
    """Open client connections per server process; past it requests are answered 503 (see docs/operations.md)."""
    header_timeout_s: PositiveSeconds = 10.0
    """Seconds a connection may take to send a request's headers before it is answered 408 and closed."""
    metrics_token: str | None = None
    """Bearer token that `/metrics` requires; unset: `/metrics` answers 404."""
    log_level: LogLevel = "info"

    def __post_init__(self) -> None:
        if self.pool_min_size > self.pool_max_size:
            raise SettingsError(
                f"FACTMARK_POOL_MIN_SIZE: {self.pool_min_size} is more than "
                f"FACTMARK_POOL_MAX_SIZE ({self.pool_max_size})"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in msgspec.structs.fields(cls):
            variable = environment_variable(field.name)
            if variable in env:
                values[field.name] = _parse(variable, env[variable], field.type)
        return cls(**values)

    @property
    def session_database_url(self) -> str | None:
        """Where to open connections that need a session of their own (never through PgBouncer)."""
        if self.direct_database_url:
            return self.direct_database_url
        return None if self.pgbouncer else self.database_url


def environment_variable(name: str) -> str:
    """The variable that sets the field `name`."""
    return "DATABASE_URL" if name == "database_url" else f"FACTMARK_{name.upper()}"


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(variable: str, text: str, annotation: Any) -> Any:
    """The value of `variable` as the field's type (constraints included), or SettingsError."""
    base, constraints = annotation, None
    if typing.get_origin(annotation) is Annotated:
        base, constraints = typing.get_args(annotation)[0], annotation
    optional = typing.get_origin(base) in (typing.Union, types.UnionType) and type(None) in typing.get_args(base)
    if optional:
        if not text.strip():
            return None
        (base,) = (arg for arg in typing.get_args(base) if arg is not type(None))
    value = _parse_text(variable, text, base)
    if constraints is not None:
        try:
            msgspec.convert(value, constraints)
        except msgspec.ValidationError as exc:
            bound = re.sub(r"^Expected `[^`]*`\s*", "", str(exc))  # msgspec: "Expected `int` >= 1"
            raise SettingsError(f"{variable}: expected {_describe(base)} {bound}, got {text!r}") from None
    return value


def _parse_text(variable: str, text: str, base: Any) -> Any:
    stripped = text.strip()
    if base is bool:
        if stripped.lower() in _TRUE | _FALSE:
            return stripped.lower() in _TRUE
    elif base is int:
        try:
            return int(stripped)
        except ValueError:
            pass
    elif base is float:
        try:
            number = float(stripped)
            if math.isfinite(number):
                return number
        except ValueError:
            pass
    elif base is Path:
        if stripped:
            return Path(stripped)
    elif base is str:
        return stripped
    elif typing.get_origin(base) is tuple:
        return tuple(item.strip() for item in text.split(",") if item.strip())
    elif typing.get_origin(base) is Literal:
        if stripped.lower() in typing.get_args(base):
            return stripped.lower()
    else:
        raise TypeError(f"no parser for the setting type {base!r}")
    raise SettingsError(f"{variable}: expected {_describe(base)}, got {text!r}")


def _describe(base: Any) -> str:
    if typing.get_origin(base) is Literal:
        return "one of " + ", ".join(typing.get_args(base))
    return {bool: "true or false", int: "an integer", float: "a number", Path: "a path"}.get(base, "a value")
