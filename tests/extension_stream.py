"""A stand-in for the service's event stream (GET /v1/events/stream), for the extension's browser test while the
service has none: a proxy in front of a live `factmark serve` that forwards every request and, once switched on,
answers the stream itself for the annotation writes that pass through it."""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class StreamingProxy:
    """Stands in for the event stream while the service has none (GET /v1/events/stream answers 404 there): forwards
    every request to the live service and, once `POST /__stream-on` was called, answers the stream itself with
    Server-Sent Events (`id:`, `event:`, `data:` with the event JSON's `article_id`, a comment heartbeat) for each
    annotation write that passed through it, the shape the service's stream is specified to have."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.streaming = False
        self.events: list[tuple[int, str, str]] = []
        self.changed = threading.Condition()
        self.stopping = False
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> StreamingProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def waiting(self, sent: int) -> bool:
        """Whether a stream that has sent `sent` events should wake up."""
        return self.stopping or len(self.events) > sent

    def publish(self, event_type: str, article_id: str, annotation_id: str) -> None:
        with self.changed:
            data = json.dumps({"type": event_type, "article_id": article_id, "data": {"id": annotation_id}})
            self.events.append((next(self.ids), event_type, data))
            self.changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/v1/events/stream") and proxy.streaming:
                    self._stream()
                else:
                    self._forward()

            def do_POST(self) -> None:
                if self.path == "/__stream-on":
                    proxy.streaming = True
                    self._answer(204, {}, b"")
                else:
                    self._forward()

            do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_POST

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                skip = {"host", "content-length", "accept-encoding", "connection"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                annotation = re.fullmatch(r"/v1/annotations/([0-9a-f-]{36})", self.path)
                before = None
                if self.command == "DELETE" and annotation:
                    before = httpx.get(proxy.upstream + self.path, headers=headers).json()
                answer = httpx.request(self.command, proxy.upstream + self.path, headers=headers, content=body)
                self._answer(answer.status_code, dict(answer.headers), answer.content)
                article = re.fullmatch(r"/v1/articles/([0-9a-f-]{36})/annotations(\?.*)?", self.path)
                if self.command == "POST" and article and answer.status_code == 201:
                    created = answer.json()
                    proxy.publish("annotation.created", article.group(1), str(created.get("id", "")))
                elif self.command == "PATCH" and annotation and answer.status_code == 200:
                    proxy.publish("annotation.updated", answer.json()["article_id"], annotation.group(1))
                elif before is not None and annotation and answer.status_code == 204:
                    proxy.publish("annotation.deleted", before["article_id"], annotation.group(1))

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                skip = {"transfer-encoding", "content-encoding", "content-length", "connection"}
                for name, value in headers.items():
                    if name.lower() not in skip:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self) -> None:
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._answer(401, {"Content-Type": "application/problem+json"}, b"{}")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                sent = len(proxy.events)  # from now on, as the real stream starts without Last-Event-ID
                try:
                    self.wfile.write(b": connected\n\n")
                    self.wfile.flush()
                    while True:
                        with proxy.changed:
                            proxy.changed.wait_for(functools.partial(proxy.waiting, sent), timeout=5)
                            if proxy.stopping:
                                return
                            fresh, sent = proxy.events[sent:], len(proxy.events)
                        chunk = b"".join(f"id: {i}\nevent: {t}\ndata: {d}\n\n".encode() for i, t, d in fresh)
                        self.wfile.write(chunk or b": heartbeat\n\n")
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return

        return Handler
