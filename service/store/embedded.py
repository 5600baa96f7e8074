"""The embedded PostgreSQL 16 of the `pgserver` wheel (the `embedded` extra), used when no DATABASE_URL is set:
started in a data directory, taken over when a killed run left one behind, stopped when the command ends."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from pgserver.postgres_server import PostgresServer, get_server

log = logging.getLogger("factmark")

# pgserver's own files in the data directory: the pids of the processes holding the server (it stops the server
# when the last one lets go), and PostgreSQL's lock file (first line: the postmaster's pid).
HOLDERS_FILE = ".handle_pids.json"
PID_FILE = "postmaster.pid"


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """The DSN of the embedded PostgreSQL in `data_dir`, running while the block runs and stopped after it, unless
    another live process (a second `factmark` command on the same directory) still holds it."""
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # its INFO lines narrate every pg_ctl call
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:
        take_over(data_dir)
    server = get_server(data_dir, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def take_over(data_dir: Path) -> None:
    """Clear what a killed run left in `data_dir`, so that pgserver neither waits for holders that are gone (and so
    never stops the server) nor trusts a lock file whose postmaster is gone (PostgreSQL refuses to start while the
    pid in it belongs to any live process). A postmaster that outlived its holders keeps running: it is joined, and
    stopped when this run ends."""
    holders = data_dir / HOLDERS_FILE
    if holders.exists():
        try:
            pids = [int(pid) for pid in json.loads(holders.read_text())]
        except (ValueError, TypeError):
            pids = []
        alive = [pid for pid in pids if _is_alive(pid)]
        if alive != pids:
            log.info("embedded PostgreSQL: forgetting holders that are gone: %s", sorted(set(pids) - set(alive)))
            holders.write_text(json.dumps(alive))
    pid_file = data_dir / PID_FILE
    if pid_file.exists() and not _postmaster_runs(pid_file, data_dir):
        log.warning("embedded PostgreSQL: removing the stale %s a killed run left", pid_file)
        pid_file.unlink()


def _is_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _postmaster_runs(pid_file: Path, data_dir: Path) -> bool:
    """Whether the lock file names a live postgres of this data directory, with the complete file pgserver reads."""
    lines = pid_file.read_text(errors="replace").splitlines()
    if len(lines) < 8 or not lines[0].strip().isdigit():
        return False
    try:
        process = psutil.Process(int(lines[0]))
        return process.name() == "postgres" and str(data_dir) in " ".join(process.cmdline())
    except psutil.Error:
        return False
