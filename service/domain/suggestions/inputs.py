"""Turns the engine's suggestions into annotation inputs: exactly what `POST /v1/articles/{id}/annotations`
accepts, with client-chosen ids so that attributions and denials name the claims they link to."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import msgspec

from service.domain.offsets import OffsetUnit
from service.domain.spans import IndexedText
from service.domain.suggestions.engine import Suggestion
from service.wire import AnnotationInput, AttributionInput, ClaimInput, DenialInput, FigureInput, Origin

_INPUT_CLASSES: dict[str, type[AnnotationInput]] = {
    "claim": ClaimInput,
    "attribution": AttributionInput,
    "denial": DenialInput,
    "figure": FigureInput,
}
_LINK_FIELD = {"attribution": "claim_id", "denial": "target_id"}


def as_inputs(
    doc: IndexedText, suggestions: Sequence[Suggestion], new_id: Callable[[], uuid.UUID] = uuid.uuid4
) -> list[AnnotationInput]:
    """Annotation inputs, offsets in code points, each with its quote and context, `origin` machine."""
    ids = [new_id() for _ in suggestions]
    inputs: list[AnnotationInput] = []
    for n, item in enumerate(suggestions):
        span = doc.span(item.start, item.end)
        fields = {name: value for name, value in item.fields.items() if value is not None}
        if item.kind in _LINK_FIELD and item.link is not None:
            fields[_LINK_FIELD[item.kind]] = ids[item.link]
        inputs.append(
            _INPUT_CLASSES[item.kind](
                id=ids[n], start=span.start, end=span.end, quote=span.quote, prefix=span.prefix,
                suffix=span.suffix, origin=Origin.MACHINE, confidence=round(item.confidence, 3), **fields,
            )
        )  # fmt: skip
    return inputs


def in_unit(doc: IndexedText, inputs: Sequence[AnnotationInput], unit: OffsetUnit) -> list[AnnotationInput]:
    """The inputs with their offsets in `unit` (they are made in code points)."""
    if unit == OffsetUnit.CODEPOINT:
        return list(inputs)
    to = doc.offsets.to_utf16
    return [msgspec.structs.replace(i, start=to(i.start or 0), end=to(i.end or 0)) for i in inputs]
