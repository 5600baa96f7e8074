"""Debian's `pgbouncer` in front of the test PostgreSQL: transaction pooling, every other setting at its default,
on a free loopback port. A missing binary is a failure, not a skip (`make test` installs it as root)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.live_server import free_port


def _binary() -> str:
    found = shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer",) if Path(p).exists()), None)
    if found is None:
        pytest.fail("pgbouncer is not installed: `apt-get install pgbouncer` (make test does it when run as root)")
    return found


def _target(database_url: str) -> tuple[str, str, str, str]:
    """(libpq connection string of the server, user, password, database) from a postgresql:// URL."""
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    user = unquote(parts.username or "postgres")
    password = unquote(parts.password or "")
    database = parts.path.lstrip("/") or "postgres"
    server = f"host={host} port={parts.port or 5432} dbname={database} user={user}"
    return server + (f" password={password}" if password else ""), user, password, database


@contextmanager
def pgbouncer(database_url: str) -> Iterator[str]:
    """Start pgbouncer for `database_url`; yields the URL to connect through it."""
    server, user, password, database = _target(database_url)
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="factmark-pgbouncer-"))
    directory.chmod(0o755)  # pgbouncer drops root and reads its files as another user
    (directory / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (directory / "pgbouncer.ini").write_text(
        f"[databases]\n{database} = {server}\n\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'userlist.txt'}\npool_mode = transaction\n"
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (directory / name).chmod(0o644)
    command = [_binary(), str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:  # it refuses to run as root
        command[1:1] = ["-u", _unprivileged_user()]
    log = (directory / "pgbouncer.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process, directory / "pgbouncer.log")
        yield f"postgresql://{user}@127.0.0.1:{port}/{database}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def _unprivileged_user() -> str:
    for name in ("pgserver", "postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("no unprivileged user to run pgbouncer as")


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail(f"pgbouncer exited: {log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("pgbouncer did not listen within 5 s")
