"""`python -m bench.events [--seconds S] [--connections N]`: events written per second (single-event PATCHes and
500-annotation batches, with no webhook and with one), events delivered per second to a local receiver, and
delivery lag p50/p99 (event commit to arrival), against one `factmark serve`. Baseline of the same run: the
same writes with no webhook endpoint registered."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.harness import Database, free_port, service_server
from service.domain.keys import generate_key
from service.store import keys as key_store

TEXT = "Officials in Riga said on Monday that about 4,500 tonnes of grain had left the port. " * 20


class Receiver:
    """Accepts every delivery (204) and notes when each event arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        self.port = free_port()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.arrivals.append((time.time(), json.loads(body)))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def admin_key(database: Database) -> str:
    async def create(connection: asyncpg.Connection) -> str:
        tenant_id = await key_store.ensure_tenant(connection, f"bench-events-{uuid.uuid4().hex[:8]}")
        key = generate_key()
        await key_store.insert_key(connection, tenant_id, key, ("read", "write", "admin"))
        return key.token

    token: str = database.run(create)
    return token


async def patches(base: str, token: str, seconds: float, connections: int) -> tuple[int, float]:
    """PATCHes of article titles (one event each) from `connections` clients (one article each, created first)
    for `seconds`: (events written, counting the articles' creation, and PATCH events/s)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        ids = []
        for _ in range(connections):
            body = {"url": f"https://news.example.com/bench/{uuid.uuid4()}", "text": TEXT, "annotations": []}
            ids.append((await http.post("/v1/articles", json=body)).json()["id"])
        done = 0
        deadline = time.monotonic() + seconds

        async def client(article_id: str) -> None:
            nonlocal done
            n = 0
            while time.monotonic() < deadline:
                answer = await http.patch(f"/v1/articles/{article_id}", json={"title": f"take {n}"})
                answer.raise_for_status()
                n += 1
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(client(i) for i in ids))
        return done + connections, done / (time.monotonic() - started)


async def batches(base: str, token: str, count: int) -> float:
    """`count` POSTs of 500 annotations each, one after another; events/s."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        body = {"url": f"https://news.example.com/bench/{uuid.uuid4()}", "text": TEXT, "annotations": []}
        article_id = (await http.post("/v1/articles", json=body)).json()["id"]
        batch = [{"kind": "figure", "start": 38, "end": 56, "value": 4500} for _ in range(500)]
        started = time.monotonic()
        for _ in range(count):
            (await http.post(f"/v1/articles/{article_id}/annotations", json=batch)).raise_for_status()
        return count * 500 / (time.monotonic() - started)


def drained(receiver: Receiver, expected: int, timeout: float) -> None:
    """Wait until `expected` deliveries arrived, or raise."""
    deadline = time.monotonic() + timeout
    while len(receiver.arrivals) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(receiver.arrivals)} of {expected} deliveries arrived in {timeout} s")
        time.sleep(0.05)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    database = Database()
    receiver = Receiver()
    server = service_server(database.url)
    server.env.update({"FACTMARK_WEBHOOK_ALLOW_PRIVATE": "true", "FACTMARK_LOG_LEVEL": "warning"})
    log_dir = Path(tempfile.mkdtemp(prefix="factmark-bench-events-"))
    try:
        server.start(log_dir)
        token = admin_key(database)
        rows = []
        _, baseline = asyncio.run(patches(server.base, token, args.seconds, args.connections))
        baseline_batch = asyncio.run(batches(server.base, token, 4))
        rows.append(("events/s written, PATCH (no webhook: baseline)", baseline))
        rows.append(("events/s written, 500-annotation batches (no webhook)", baseline_batch))
        answer = httpx.post(
            f"{server.base}/v1/webhooks",
            json={"url": f"http://127.0.0.1:{receiver.port}/hooks"},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        expected, with_hook = asyncio.run(patches(server.base, token, args.seconds, args.connections))
        rows.append(("events/s written, PATCH (one webhook)", with_hook))
        drained(receiver, expected, timeout=120)
        span = receiver.arrivals[-1][0] - receiver.arrivals[0][0]
        rows.append(("events/s delivered (one webhook, while writing)", len(receiver.arrivals) / max(span, 1e-9)))
        lags = [
            arrived - datetime.fromisoformat(event["occurred_at"]).timestamp() for arrived, event in receiver.arrivals
        ]
        rows.append(("delivery lag p50, ms", percentile(lags, 50) * 1000))
        rows.append(("delivery lag p99, ms", percentile(lags, 99) * 1000))
        rows.append(("deliveries", float(len(receiver.arrivals))))
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value:>10.1f}")
    finally:
        server.stop()
        receiver.close()
        database.close()


if __name__ == "__main__":
    main()
