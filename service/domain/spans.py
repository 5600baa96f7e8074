"""Turns what a client sent to locate an annotation (offsets, a quote, or both) into a stored span."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from service.domain.anchoring import context_around, find_quote
from service.domain.budget import Budget
from service.domain.offsets import OffsetMap, OffsetUnit
from service.errors import InvalidInput, QuoteMismatch


@dataclass(frozen=True, slots=True)
class Span:
    """A located span: code point offsets, UTF-16 offsets, the quoted text and its context."""

    start: int
    end: int
    start_utf16: int
    end_utf16: int
    quote: str
    prefix: str
    suffix: str


class IndexedText:
    """An article text with its offset map, built once per request and shared by all its annotations."""

    __slots__ = ("offsets", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets = OffsetMap(text)

    def span(self, start: int, end: int) -> Span:
        prefix, suffix = context_around(self.text, start, end)
        return Span(
            start,
            end,
            self.offsets.to_utf16(start),
            self.offsets.to_utf16(end),
            self.text[start:end],
            prefix,
            suffix,
        )


class Locator(Protocol):
    """What an annotation in a request says about where it is (every annotation input has these fields)."""

    @property
    def start(self) -> int | None: ...
    @property
    def end(self) -> int | None: ...
    @property
    def quote(self) -> str | None: ...
    @property
    def prefix(self) -> str | None: ...
    @property
    def suffix(self) -> str | None: ...


def resolve_spans(
    text: str, items: Sequence[Locator], unit: OffsetUnit, pointers: Sequence[str], *, budget: Budget
) -> list[Span]:
    """The span of every item of a batch on `text` (the CPU-heavy part of storing annotations: run it off the
    event loop), within one work budget for the whole batch."""
    doc = IndexedText(text)
    spans = []
    for pointer, item in zip(pointers, items):  # one bounded resolve_span each
        span = resolve_span(
            doc, start=item.start, end=item.end, quote=item.quote, prefix=item.prefix, suffix=item.suffix,
            unit=unit, pointer=pointer, budget=budget,
        )  # fmt: skip
        spans.append(span)
    return spans


def resolve_span(
    doc: IndexedText,
    *,
    start: int | None,
    end: int | None,
    quote: str | None,
    prefix: str | None,
    suffix: str | None,
    unit: OffsetUnit,
    pointer: str,
    budget: Budget | None = None,
) -> Span:
    """Validate offsets (in `unit`) against the text, or find the quote when no offsets are given.

    `pointer` is the JSON pointer of the annotation in the request, so errors name the exact field.
    """
    if start is None and end is None:
        if quote is None:
            raise InvalidInput(pointer, "give start and end, or a quote (with optional prefix/suffix) to locate")
        found = find_quote(doc.text, quote, prefix or "", suffix or "", f"{pointer}/quote", budget=budget)
        return doc.span(found, found + len(quote))
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise InvalidInput(f"{pointer}/{missing}", "start and end must be given together")
    limit = doc.offsets.length_in(unit)
    if end > limit:
        raise InvalidInput(f"{pointer}/end", f"end is past the end of the text ({limit} {unit} units)", actual=end)
    if start >= end:
        raise InvalidInput(f"{pointer}/end", "end must be greater than start", actual=end)
    cp_start = doc.offsets.from_unit(start, unit, f"{pointer}/start")
    cp_end = doc.offsets.from_unit(end, unit, f"{pointer}/end")
    span = doc.span(cp_start, cp_end)
    if quote is not None and quote != span.quote:
        raise QuoteMismatch(f"{pointer}/quote", quote, span.quote)
    return span
