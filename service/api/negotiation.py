"""Content negotiation for the annotation reads: whether an Accept header prefers the W3C Web Annotation
representation to the native JSON.

Litestar's `request.accept.best_match` picks the first acceptable type but does not compare the `profile`
parameter or apply RFC 9110's "most specific range wins" rule, both of which this answer depends on
(`application/ld+json; profile="…anno.jsonld"` against `*/*`, ties answering native JSON)."""

from __future__ import annotations

import re

from service.domain.w3c import ANNO_CONTEXT

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Strictly a token; a profile IRI sent without its quotes is common enough to accept.
_UNQUOTED = re.compile(r'[^\s",;\\]+')
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")


def wants_w3c(accept_header: str | None) -> bool:
    """Whether an Accept header prefers the W3C representation to the native JSON.

    The W3C representation is ``application/ld+json`` with the anno.jsonld profile, or with no profile (Factmark
    has no other JSON-LD); each representation takes the quality of the most specific range that matches it
    (RFC 9110 §12.5.1), and the W3C one is chosen only when its quality is higher: ``*/*``, ``application/*`` and
    ties answer native JSON.
    """
    if not accept_header:
        return False
    w3c: tuple[int, float] = (-1, 0.0)
    native: tuple[int, float] = (-1, 0.0)
    for media_range in _split(accept_header, ","):
        parsed = _media_range(media_range)
        if parsed is None:
            continue
        full_type, params, quality = parsed
        w3c_level = _w3c_specificity(full_type, params)
        native_level = {"application/json": 2, "application/*": 1, "*/*": 0}.get(full_type, -1)
        if w3c_level >= 0 and (w3c_level, quality) > w3c:
            w3c = (w3c_level, quality)
        if native_level >= 0 and (native_level, quality) > native:
            native = (native_level, quality)
    return w3c[1] > 0 and w3c[1] > native[1]


def _w3c_specificity(full_type: str, params: dict[str, str]) -> int:
    if full_type == "application/ld+json":
        if "profile" not in params:
            return 2
        profiles = params["profile"].split()
        return 3 if ANNO_CONTEXT in profiles or ANNO_CONTEXT.replace("http:", "https:") in profiles else -1
    return {"application/*": 1, "*/*": 0}.get(full_type, -1)


def _media_range(text: str) -> tuple[str, dict[str, str], float] | None:
    """(type/subtype in lower case, parameters, quality) of one Accept element; None when malformed."""
    head, *rest = _split(text, ";")
    main, _, sub = head.strip().partition("/")
    if not (_TOKEN.fullmatch(main) and _TOKEN.fullmatch(sub)):
        return None
    params: dict[str, str] = {}
    for param in rest:
        name, equals, value = param.strip().partition("=")
        name, value = name.strip().lower(), value.strip()
        if not (equals and _TOKEN.fullmatch(name)):
            return None
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif not _UNQUOTED.fullmatch(value):
            return None
        params[name] = value
    quality = params.pop("q", "1")
    if not _QVALUE.fullmatch(quality):
        return None
    return f"{main}/{sub}".lower(), params, float(quality)


def _split(text: str, separator: str) -> list[str]:
    """Splits on `separator` outside double-quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts
