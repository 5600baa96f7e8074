"""A real `factmark serve` process on the test database, for tests that drive the service over HTTP from outside
(Schemathesis, generated clients, a browser, signals), and the CLI that makes their keys."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def factmark(database_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `factmark` command (as `python -m service`) against the test database (plus `env`)."""
    full = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "service", *args], env=full, capture_output=True, text=True, timeout=60
    )


def create_key(database_url: str, tenant: str, scopes: str = "read,write") -> str:
    created = factmark(database_url, "keys", "create", "--tenant", tenant, "--scopes", scopes)
    assert created.returncode == 0, created.stderr
    return created.stdout.split()[-1]


@contextmanager
def live_server(
    database_url: str, *, descriptors: int | None = None, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`factmark serve` on a free port (no rate limit, warnings only, plus `settings` as FACTMARK_* variables);
    its base URL and process, stopped afterwards. `descriptors` starts it with that soft `ulimit -n`."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "FACTMARK_RATE_LIMIT_PER_MINUTE": "0",
           "FACTMARK_FAILED_AUTH_PER_MINUTE": "0", "FACTMARK_LOG_LEVEL": "warning",
           **{f"FACTMARK_{k.upper()}": v for k, v in settings.items()}}  # fmt: skip
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]

    def limit() -> None:
        if descriptors is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=limit)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("factmark serve did not answer /healthz within 20 s")
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)
