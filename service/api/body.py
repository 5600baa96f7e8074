"""Request bodies decoded strictly, straight from bytes into the handler's msgspec type: JSON types are not
coerced ("10" is not an offset, 0 is not a date), and an error names its field by JSON pointer."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

from service.errors import InvalidInput, MalformedRequest

_PATH = re.compile(r" - at `\$(.*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def json_pointer(msgspec_path: str) -> str:
    """msgspec's `$.annotations[0].start` (the part after `$`) → `/annotations/0/start`."""
    steps = (name if name else index for name, index in _STEP.findall(msgspec_path))
    return "".join("/" + step.replace("~", "~0").replace("/", "~1") for step in steps)


def decode_strictly(body: bytes, target: Any) -> Any:
    try:
        return msgspec.json.decode(body, type=target)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _PATH.search(message)
        pointer = json_pointer(match.group(1)) if match else ""
        detail = message[: match.start()] if match else message
        if unknown := re.search(r"unknown field `([^`]*)`", detail):
            pointer = f"{pointer}/{unknown.group(1)}"
        raise InvalidInput(pointer, detail) from exc
    except msgspec.DecodeError as exc:
        raise MalformedRequest(f"JSON is malformed: {exc}") from exc


class StrictJSONRequest(Request[Any, Any, Any]):
    """`json()` returns the handler's `data` type already decoded (Litestar then passes it through as is)."""

    async def json(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        if data is None:
            return await super().json()
        return decode_strictly(await self.body(), data.annotation)
