"""The limit of the HTTP stack: an ASGI callable answering every request with the same bytes from memory (the
service's own answer for the hot article, read from BENCH_BODY_FILE at start-up). `uvicorn bench.memory_app:app`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_JSON = [(b"content-type", b"application/json")]


class FromMemory:
    def __init__(self) -> None:
        self.body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": _JSON})
        await send({"type": "http.response.body", "body": self.body})


app = FromMemory()
