"""JSON pointers (RFC 6901): the one place that builds them from paths and escapes their steps."""

from __future__ import annotations

import re

_MSGSPEC_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def escape(step: str | int) -> str:
    """One reference token: `~` and `/` escaped as RFC 6901 says."""
    return str(step).replace("~", "~0").replace("/", "~1")


def pointer(*steps: str | int) -> str:
    """`pointer("annotations", 0, "start")` → `/annotations/0/start`; no steps → `` (the whole document)."""
    return "".join("/" + escape(step) for step in steps)


def child(base: str, *steps: str | int) -> str:
    """A pointer below `base` (itself a pointer)."""
    return base + pointer(*steps)


def from_msgspec_path(path: str) -> str:
    """msgspec's `$.annotations[0].start` (with or without the `$`) → `/annotations/0/start`."""
    steps = (name if name else int(index) for name, index in _MSGSPEC_STEP.findall(path.removeprefix("$")))
    return pointer(*steps)


def from_dotted_key(key: str) -> str:
    """Litestar's validation key `annotations[0].start` → `/annotations/0/start`."""
    return from_msgspec_path("." + key if key and not key.startswith((".", "[")) else key)
