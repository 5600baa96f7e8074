"""PostgreSQL text cannot hold NUL characters, and UTF-8 cannot encode lone surrogates (which JSON
escapes such as "\\ud800" can produce): find them in decoded input, naming the field."""

from __future__ import annotations

from typing import Any

import msgspec

from service.errors import InvalidInput


def _check_string(value: str, pointer: str) -> None:
    if "\x00" in value:
        raise InvalidInput(pointer, "contains a NUL character (\\u0000), which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            pointer, f"contains a lone UTF-16 surrogate at code point {exc.start}, which is not valid Unicode"
        ) from exc


def ensure_storable(value: Any, pointer: str = "") -> None:
    """Raise InvalidInput at the first string inside `value` that PostgreSQL could not store."""
    try:  # the common case, checked at C speed: encodable, and no NUL escape anywhere
        if b"\\u0000" not in msgspec.json.encode(value):
            return
    except UnicodeEncodeError:
        pass
    _find_unstorable(value, pointer)


def _find_unstorable(value: Any, pointer: str) -> None:
    if isinstance(value, str):
        _check_string(value, pointer)
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _find_unstorable(getattr(value, name), f"{pointer}/{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _find_unstorable(item, f"{pointer}/{index}")
    elif isinstance(value, dict):  # a JSON-LD document, read before it becomes a Struct
        for key, item in value.items():
            _find_unstorable(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
