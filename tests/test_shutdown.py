"""Graceful shutdown: a `factmark serve` told to stop (SIGTERM) finishes the request it is serving."""

import asyncio
import signal
import threading
import time

import asyncpg
import httpx

from tests.fixtures import RIGA, riga_article
from tests.live_server import create_key, live_server

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
    with live_server(migrated) as (base, server):

        def send() -> None:
            headers = {"Authorization": f"Bearer {key}"}
            answer["response"] = httpx.post(f"{base}/v1/articles", json=body, headers=headers, timeout=30)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.15)  # the request is being served
        server.send_signal(signal.SIGTERM)
        sender.join(timeout=30)
        # uvicorn re-raises the signal once it has shut down gracefully
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    assert answer["response"].status_code == 201, answer["response"].text[:300]
    assert asyncio.run(stored_annotations(migrated)) == len(body["annotations"])
