"""Converts offsets between Unicode code points (our storage unit) and UTF-16 code units (JavaScript's)."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from enum import StrEnum

from service.errors import InvalidInput


class OffsetUnit(StrEnum):
    """The unit of offsets: Unicode code points (storage, W3C) or UTF-16 code units (JavaScript, the DOM)."""

    CODEPOINT = "codepoint"
    UTF16 = "utf16"


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_length(text: str) -> int:
    """The text's length in UTF-16 code units, at C speed (no map: cheap enough for the event loop)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class OffsetMap:
    """Maps code point offsets of one text to UTF-16 offsets and back.

    Only astral characters (outside the BMP: emoji, flags, some CJK) take two UTF-16 units, so the map
    keeps their code point positions and answers each conversion with one binary search.
    """

    __slots__ = ("_astral_cp", "_astral_u16_end", "length", "length_utf16")

    def __init__(self, text: str) -> None:
        # Arrays of 8-byte integers: 2 MiB of emoji is 2 million entries, 16 MB each rather than 70 as lists.
        self._astral_cp = array("q", (m.start() for m in _ASTRAL.finditer(text)))
        # UTF-16 offset just past each astral character: its code point index + the pairs before it + 2.
        self._astral_u16_end = array("q", (cp + i + 2 for i, cp in enumerate(self._astral_cp)))
        self.length = len(text)
        self.length_utf16 = self.length + len(self._astral_cp)

    def to_utf16(self, codepoint: int) -> int:
        return codepoint + bisect_left(self._astral_cp, codepoint)

    def from_utf16(self, unit: int, pointer: str) -> int:
        """The code point offset of UTF-16 offset `unit`; an offset inside a surrogate pair is an input error."""
        before = bisect_right(self._astral_u16_end, unit)
        if before < len(self._astral_u16_end) and self._astral_u16_end[before] - 1 == unit:
            raise InvalidInput(pointer, "UTF-16 offset falls between the two halves of a surrogate pair", actual=unit)
        return unit - before

    def to_unit(self, codepoint: int, unit: OffsetUnit) -> int:
        return codepoint if unit == OffsetUnit.CODEPOINT else self.to_utf16(codepoint)

    def from_unit(self, offset: int, unit: OffsetUnit, pointer: str) -> int:
        return offset if unit == OffsetUnit.CODEPOINT else self.from_utf16(offset, pointer)

    def length_in(self, unit: OffsetUnit) -> int:
        return self.length if unit == OffsetUnit.CODEPOINT else self.length_utf16
