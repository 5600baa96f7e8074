"""Helpers for tests against a live `factmark serve`: a real HTTP receiver of webhooks in the test process
(every delivery's signature verified with the secret Factmark showed), and feed readers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.live_server import free_port


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    event: dict[str, Any]


@dataclass
class Receiver:
    """Records what it is sent; `answer(n)` (n: the request's 1-based number) decides the status code."""

    port: int
    answer: Callable[[int], int | tuple[int, dict[str, str]]] = lambda n: 200
    secrets: list[str] = field(default_factory=list)
    requests: list[Delivery] = field(default_factory=list)
    accepted: list[Delivery] = field(default_factory=list)
    bad_signatures: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    hold_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verify(self, delivery: Delivery) -> bool:
        """Whether the signature verifies with every secret the receiver holds (as standardwebhooks does)."""
        for secret in self.secrets:
            try:
                Webhook(secret).verify(delivery.body, delivery.headers)
            except WebhookVerificationError:
                return False
        return bool(self.secrets)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.accepted) >= count:
                return list(self.accepted)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.accepted)} deliveries accepted within {timeout} s, expected {count}")


@contextmanager
def receiver(port: int | None = None, **options: Any) -> Iterator[Receiver]:
    """A receiver listening on `port` (default: a free one) until the block ends."""
    state = Receiver(port=port or free_port(), **options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            delivery = Delivery({k.lower(): v for k, v in self.headers.items()}, body, json.loads(body))
            with state.lock:
                state.requests.append(delivery)
                number = len(state.requests)
                if not state.verify(delivery):
                    state.bad_signatures += 1
            state.arrived.set()
            if state.hold_seconds:
                time.sleep(state.hold_seconds)
            answer = state.answer(number)
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            if 200 <= status < 300:
                with state.lock:
                    state.accepted.append(delivery)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def read_feed(base: str, token: str, after: str | None = None, **params: Any) -> tuple[list[dict[str, Any]], str]:
    """Every event after `after` (following next_cursor until a page is empty) and the last cursor."""
    items: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        query = {**params, **({"after": after} if after else {})}
        page = httpx.get(f"{base}/v1/events", params=query, headers=headers, timeout=40).json()
        items += page["items"]
        after = page["next_cursor"]
        if not page["items"]:
            return items, str(after)
