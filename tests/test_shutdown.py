"""Graceful shutdown: a `factmark serve` told to stop (SIGTERM) finishes the request it is serving, and stops its
embedded PostgreSQL; a run killed outright leaves nothing the next start cannot take over."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from tests.fixtures import RIGA, riga_article
from tests.live_server import create_key, free_port, live_server

URL = "https://shutdown.example/a"


def slow_request_body() -> dict:
    """An article with 4,000 annotations: a request that takes the server a while to store."""
    text = RIGA * 40
    step = max(1, len(text) // 4000)
    annotations = [{"kind": "figure", "start": s, "end": s + 5, "value": 1} for s in range(0, len(text) - 5, step)]
    return riga_article(url=URL, text=text, annotations=annotations[:4000])


async def stored_annotations(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM annotations a JOIN articles r ON r.id = a.article_id WHERE r.url = $1", URL
        )
    finally:
        await connection.close()


def test_sigterm_lets_the_request_in_flight_finish(migrated):
    key, body, answer = create_key(migrated, "Shutdown Desk"), slow_request_body(), {}
    content = json.dumps(body).encode()  # encoded beforehand: the request connects at once when the thread starts
    with live_server(migrated) as (base, server):

        def send() -> None:
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            answer["response"] = httpx.post(f"{base}/v1/articles", content=content, headers=headers, timeout=30)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.15)  # the request is being served
        server.send_signal(signal.SIGTERM)
        sender.join(timeout=30)
        # uvicorn re-raises the signal once it has shut down gracefully
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    assert answer["response"].status_code == 201, answer["response"].text[:300]
    assert asyncio.run(stored_annotations(migrated)) == len(body["annotations"])


# The embedded PostgreSQL (no DATABASE_URL): it stops with the service, and what a killed run leaves is taken over.


def embedded_environment(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "FACTMARK_DATA_DIR": str(data_dir), "FACTMARK_LOG_LEVEL": "warning"}
    env.pop("DATABASE_URL", None)
    return env


def postmasters(data_dir: Path) -> list[psutil.Process]:
    """The postgres server processes running on `data_dir`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and "-D" in cmdline and str(data_dir.resolve()) in cmdline:
            found.append(process)
    return found


@contextmanager
def embedded_serve(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`factmark serve` on its embedded PostgreSQL in `data_dir`; killed (not stopped) if the test left it running."""
    port = free_port()
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=embedded_environment(data_dir), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "factmark serve exited before it answered"
            time.sleep(0.1)
        else:
            pytest.fail("factmark serve on the embedded PostgreSQL did not get ready within 60 s")
        yield base, server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """One embedded data directory for these tests (initdb once); every postgres on it is gone afterwards."""
    path = Path(tempfile.mkdtemp(prefix="factmark-embedded-")) / "data"
    yield path
    for process in postmasters(path):
        process.kill()
    shutil.rmtree(path.parent, ignore_errors=True)


def stop_with_sigterm(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) in (0, -signal.SIGTERM)


def test_sigterm_stops_the_embedded_postgresql_too(data_dir):
    with embedded_serve(data_dir) as (_, server):
        assert len(postmasters(data_dir)) == 1
        stop_with_sigterm(server)
    assert postmasters(data_dir) == []
    assert not (data_dir / "postmaster.pid").exists()


def test_sigint_stops_the_embedded_postgresql_too(data_dir):
    with embedded_serve(data_dir) as (_, server):
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert postmasters(data_dir) == []


def test_a_command_that_ends_stops_the_embedded_postgresql(data_dir):
    result = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env=embedded_environment(data_dir), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (data_dir / "PG_VERSION").exists() and postmasters(data_dir) == []


def test_a_postgresql_left_running_by_a_killed_run_is_taken_over_and_stopped(data_dir):
    with embedded_serve(data_dir) as (_, server):
        server.kill()  # SIGKILL: no clean-up runs, the postmaster lives on and its holder list names a dead pid
        server.wait(timeout=10)
    [orphan] = postmasters(data_dir)
    with embedded_serve(data_dir) as (base, server):
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert [p.pid for p in postmasters(data_dir)] == [orphan.pid]  # joined, not a second server
        stop_with_sigterm(server)
    assert postmasters(data_dir) == []


@pytest.mark.parametrize("lock_file_names", ["a dead process", "a live process that is not postgres", "nothing"])
def test_a_stale_lock_file_from_a_killed_postgresql_is_cleared_on_the_next_start(data_dir, lock_file_names):
    with embedded_serve(data_dir) as (_, server):
        [postmaster] = postmasters(data_dir)
        pid_file = (data_dir / "postmaster.pid").read_text()
        server.kill()
        postmaster.kill()  # the whole run dies at once (power cut, OOM killer): postmaster.pid stays behind
        server.wait(timeout=10)
        postmaster.wait(timeout=10)
    lines = pid_file.splitlines()
    stale = {"a dead process": lines, "a live process that is not postgres": [str(os.getpid()), *lines[1:]],
             "nothing": lines[:1]}[lock_file_names]  # fmt: skip
    (data_dir / "postmaster.pid").write_text("\n".join(stale) + "\n")
    with embedded_serve(data_dir) as (base, server):
        assert httpx.get(f"{base}/readyz").status_code == 200
        stop_with_sigterm(server)
    assert postmasters(data_dir) == []
