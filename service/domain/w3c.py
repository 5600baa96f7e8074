"""Maps annotations to and from the W3C Web Annotation Data Model and Protocol
(https://www.w3.org/TR/annotation-model/, https://www.w3.org/TR/annotation-protocol/).

Shape of one annotation, and the choices made where the model leaves room:

- ``motivation``: a claim with a verdict other than ``unverified`` is ``assessing`` (a fact-checker's judgement);
  an unverified claim is ``highlighting`` (marked as checkable, nothing said about it yet); an attribution is
  ``identifying`` (it names who a statement comes from); a denial and a figure are ``describing`` (they say what
  the passage is: someone rejecting a claim, a number the story rests on).
- ``body``: first a ``TextualBody`` whose purpose matches the motivation (``describing`` for an unverified
  claim), whose ``value`` is a human-readable summary (the verdict and its explanation, the statement, the source,
  the denier, the number), and which carries the kind and all its own fields, plus ``origin`` and ``confidence``,
  under the key ``FACTMARK_FIELDS``: an absolute IRI, so the document keeps the plain anno.jsonld ``@context``
  (JSON-LD processors ignore the object's inner keys; JSON clients read them as in the native API). Then one
  ``commenting`` TextualBody for the note and one ``tagging`` TextualBody per tag.
- ``creator``: the author as a ``Person``; a machine suggestion as ``Software`` (named by the author when set);
  with no author, the newsroom (``creator_name``) as an ``Organization``, which reads back as "no author".
- ``canonical``: ``urn:uuid:<id>``, the identity that survives copies; ``id`` is this server's IRI.
- ``target``: a SpecificResource on the article URL with a TextQuoteSelector and a TextPositionSelector whose
  offsets are Unicode code points (the W3C unit): pass annotations with code point offsets whatever the request's
  ``offset_unit``. An orphaned annotation's selectors describe the revision its anchor names.
- Pages and collections follow the Protocol: ``partOf`` is the collection IRI, ``startIndex`` is given when the
  caller knows it, ``last`` is left out (keyset pagination cannot name the last page without another query).

``from_w3c`` reads that shape back, and also plain W3C documents from other clients: without the Factmark body
the kind comes from the motivation (``highlighting``/``assessing`` → an unverified claim whose statement is the
``describing`` body, if any; ``identifying`` → an attribution whose source is the ``identifying`` body). The
``id`` property is ignored (the server assigns it, as the Protocol says); a ``urn:uuid:`` canonical IRI gives the
annotation id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from service.domain.claimreview import VERDICT_LABELS
from service.domain.pointers import child
from service.errors import InvalidInput
from service.wire import KIND_FIELDS, Annotation, AnnotationInput, Attribution, Claim, Denial, Figure

ANNO_CONTEXT: Final = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE: Final = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
FACTMARK_NS: Final = "https://factmark.dev/ns#"
FACTMARK_FIELDS: Final = FACTMARK_NS + "fields"
# Fields the Factmark body may carry beside the kind's own ones.
_EXTRA_FIELDS: Final = frozenset({"kind", "origin", "confidence"})
# Motivations of another client's annotation that mark a checkable statement.
_CLAIM_MOTIVATIONS: Final = frozenset({"highlighting", "assessing"})


# ---------------------------------------------------------------- to W3C


def to_w3c(annotation: Annotation, *, article_url: str, base_url: str, creator_name: str | None) -> dict[str, Any]:
    """One W3C ``Annotation`` document (with its ``@context``)."""
    return {"@context": ANNO_CONTEXT, **_annotation_node(annotation, article_url, base_url, creator_name)}


def to_annotation_page(
    items: Sequence[Annotation],
    *,
    article_url: str,
    base_url: str,
    page_url: str,
    next_url: str | None,
    collection_url: str,
    total: int | None,
    creator_name: str | None,
    start_index: int | None = None,
) -> dict[str, Any]:
    """One ``AnnotationPage``: ``partOf`` names the collection, with its ``total`` when known (as in the Protocol's
    examples), ``next`` is given when more pages follow, ``startIndex`` when the caller knows it."""
    part_of: str | dict[str, Any] = collection_url if total is None else {"id": collection_url, "total": total}
    page = _page_node(items, article_url, base_url, page_url, next_url, creator_name, start_index, part_of)
    return {"@context": ANNO_CONTEXT, **page}


def to_annotation_collection(
    items: Sequence[Annotation],
    *,
    article_url: str,
    base_url: str,
    collection_url: str,
    first_page_url: str,
    next_url: str | None,
    total: int,
    creator_name: str | None,
    label: str | None = None,
) -> dict[str, Any]:
    """An ``AnnotationCollection`` with its first page (``items``) embedded; an empty collection has no ``first``."""
    # An LDP BasicContainer as well (Web Annotation Protocol §4): anno.jsonld maps that term to ldp:BasicContainer.
    collection: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": collection_url,
        "type": ["BasicContainer", "AnnotationCollection"],
    }
    if label is not None:
        collection["label"] = label
    collection["total"] = total
    if total > 0 or items:
        collection["first"] = _page_node(
            items, article_url, base_url, first_page_url, next_url, creator_name, 0, collection_url
        )
    return collection


def annotation_iri(base_url: str, annotation_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/v1/annotations/{annotation_id}"


def _page_node(
    items: Sequence[Annotation],
    article_url: str,
    base_url: str,
    page_url: str,
    next_url: str | None,
    creator_name: str | None,
    start_index: int | None,
    part_of: str | dict[str, Any] | None,
) -> dict[str, Any]:
    """A page without ``@context``; its annotations inherit the document's context."""
    page: dict[str, Any] = {"id": page_url, "type": "AnnotationPage"}
    if part_of is not None:
        page["partOf"] = part_of
    if start_index is not None:
        page["startIndex"] = start_index
    if next_url is not None:
        page["next"] = next_url
    page["items"] = [_annotation_node(item, article_url, base_url, creator_name) for item in items]
    return page


def _annotation_node(
    annotation: Annotation, article_url: str, base_url: str, creator_name: str | None
) -> dict[str, Any]:
    motivation, purpose, summary = _describe(annotation)
    builtins = msgspec.to_builtins(annotation)
    kind = builtins["kind"]
    fields = {
        "kind": kind,
        **{name: builtins[name] for name in sorted(KIND_FIELDS[kind])},
        "origin": annotation.origin,
        "confidence": annotation.confidence,
    }
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": purpose, "value": summary, "format": "text/plain", FACTMARK_FIELDS: fields}
    ]
    if annotation.note is not None:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note, "format": "text/plain"})
    body.extend(
        {"type": "TextualBody", "purpose": "tagging", "value": tag, "format": "text/plain"} for tag in annotation.tags
    )
    node: dict[str, Any] = {
        "id": annotation_iri(base_url, annotation.id),
        "type": "Annotation",
        "canonical": annotation.id.urn,
        "motivation": motivation,
        "created": _timestamp(annotation.created_at),
        "modified": _timestamp(annotation.updated_at),
    }
    creator = _creator(annotation, creator_name)
    if creator is not None:
        node["creator"] = creator
    node["generator"] = {"type": "Software", "name": "Factmark", "homepage": base_url}
    node["body"] = body
    node["target"] = {
        "source": article_url,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": annotation.quote,
                "prefix": annotation.prefix,
                "suffix": annotation.suffix,
            },
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
        ],
    }
    return node


def _describe(annotation: Annotation) -> tuple[str, str, str]:
    """(motivation, purpose of the main body, its human-readable text)."""
    match annotation:
        case Claim(verdict="unverified"):
            return "highlighting", "describing", annotation.statement
        case Claim():
            label = VERDICT_LABELS[annotation.verdict]
            explanation = annotation.verdict_explanation
            return "assessing", "assessing", f"{label}: {explanation}" if explanation else label
        case Attribution():
            return "identifying", "identifying", annotation.source
        case Denial():
            return "describing", "describing", annotation.denier
        case Figure():
            return "describing", "describing", _figure_text(annotation)
    raise TypeError(f"not an annotation: {annotation!r}")  # pragma: no cover - the union is exhaustive


def _figure_text(figure: Figure) -> str:
    number = f"{int(figure.value):,}" if figure.value.is_integer() and abs(figure.value) < 1e15 else f"{figure.value:g}"
    words = [figure.qualifier.replace("_", " ") if figure.qualifier else "", number, figure.unit or ""]
    text = " ".join(word for word in words if word)
    return f"{text} ({figure.subject})" if figure.subject else text


def _creator(annotation: Annotation, creator_name: str | None) -> dict[str, Any] | None:
    if annotation.origin == "machine":
        return {"type": "Software", **({"name": annotation.author} if annotation.author is not None else {})}
    if annotation.author is not None:
        return {"type": "Person", "name": annotation.author}
    if creator_name is not None:
        return {"type": "Organization", "name": creator_name}
    return None


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the model's ``created``/``modified`` ask; a naive time is taken as UTC."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- from W3C


def from_w3c(document: Any, pointer: str = "") -> AnnotationInput:
    """The input an annotation document describes; `pointer` locates `document` in the request body.

    Raises InvalidInput naming the offending field (a JSON pointer) when the document is not an annotation
    Factmark can store.
    """
    if not isinstance(document, dict):
        raise InvalidInput(pointer, "a W3C annotation must be a JSON object")
    if "Annotation" not in _strings(document.get("type")):
        raise InvalidInput(f"{pointer}/type", 'a W3C annotation has "type": "Annotation"', actual=document.get("type"))
    found = _Fields()
    _read_identity(document, pointer, found)
    _read_target(document, pointer, found)
    _read_bodies(document, pointer, found)
    try:
        result: AnnotationInput = msgspec.convert(found.data, type=AnnotationInput)
    except msgspec.ValidationError as exc:
        raise found.invalid(str(exc), pointer) from None
    return result


def target_source(document: Any) -> str | None:
    """The IRI of the resource a W3C annotation targets (to check it names the article), if it gives one."""
    target = document.get("target") if isinstance(document, dict) else None
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    if isinstance(target, str):
        return target
    source = target.get("source") if isinstance(target, dict) else None
    if isinstance(source, dict):
        source = source.get("id")
    return source if isinstance(source, str) else None


class _Fields:
    """The input fields read so far, and where in the document each came from (for error pointers)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.where: dict[str, str] = {}

    def put(self, field: str, value: Any, location: str) -> None:
        self.data[field] = value
        self.where[f".{field}"] = location

    def invalid(self, message: str, pointer: str) -> InvalidInput:
        """Turns msgspec's "... - at `$.tags[1]`" into an error at the document field that value came from."""
        text, _, path = message.partition(" - at `$")
        path = path.rstrip("`")
        matches = [key for key in self.where if path == key or path.startswith((key + ".", key + "["))]
        key = max(matches, key=len, default=None)
        base, rest = (pointer, path) if key is None else (self.where[key], path[len(key) :])
        missing = re.search(r"missing required field `(\w+)`", text)
        if missing and not rest:
            rest = "." + missing.group(1)
        return InvalidInput(base + re.sub(r"\[(\d+)\]|\.", lambda m: f"/{m.group(1) or ''}", rest), text)


def _read_identity(document: dict[str, Any], pointer: str, found: _Fields) -> None:
    canonical = document.get("canonical")
    if isinstance(canonical, str) and canonical.lower().startswith("urn:uuid:"):
        try:
            found.put("id", str(uuid.UUID(canonical[len("urn:uuid:") :])), f"{pointer}/canonical")
        except ValueError:
            raise InvalidInput(f"{pointer}/canonical", "not a valid urn:uuid IRI", actual=canonical) from None
    creator = document.get("creator")
    if isinstance(creator, list):
        creator = next((agent for agent in creator if isinstance(agent, dict)), None)
    if not isinstance(creator, dict):
        return
    kinds = _strings(creator.get("type"))
    name = next(iter(_strings(creator.get("name"))), None)
    if "Software" in kinds:
        found.put("origin", "machine", f"{pointer}/creator/type")
    if name is not None and kinds & {"Person", "Software"}:
        found.put("author", name, f"{pointer}/creator/name")


def _read_target(document: dict[str, Any], pointer: str, found: _Fields) -> None:
    here = f"{pointer}/target"
    target = document.get("target")
    if isinstance(target, list):
        if len(target) != 1:
            raise InvalidInput(here, "a Factmark annotation has exactly one target: a span of the article")
        target, here = target[0], f"{here}/0"
    if not isinstance(target, dict):
        raise InvalidInput(
            here,
            "the target must be an object with a source and a TextQuoteSelector or TextPositionSelector",
            actual=target,
        )
    selectors = target.get("selector")
    here = f"{here}/selector"
    listed = list(enumerate(selectors)) if isinstance(selectors, list) else [(None, selectors)]
    quote = position = False
    for index, selector in listed:
        at = here if index is None else f"{here}/{index}"
        if not isinstance(selector, dict):
            continue
        kinds = _strings(selector.get("type"))
        if "TextQuoteSelector" in kinds and not quote:
            quote = True
            if "exact" not in selector:
                raise InvalidInput(f"{at}/exact", "a TextQuoteSelector has the exact text")
            for field, name in (("quote", "exact"), ("prefix", "prefix"), ("suffix", "suffix")):
                if name in selector:
                    found.put(field, selector[name], f"{at}/{name}")
        elif "TextPositionSelector" in kinds and not position:
            position = True
            for name in ("start", "end"):
                if selector.get(name) is None:
                    raise InvalidInput(f"{at}/{name}", "a TextPositionSelector has a start and an end")
                found.put(name, selector[name], f"{at}/{name}")
    if not (quote or position):
        raise InvalidInput(here, "give a TextQuoteSelector or a TextPositionSelector (code points)")


def _read_bodies(document: dict[str, Any], pointer: str, found: _Fields) -> None:
    if "body" in document and "bodyValue" in document:
        raise InvalidInput(f"{pointer}/bodyValue", "an annotation has a body or a bodyValue, never both")
    bodies = list(_bodies(document, pointer))
    # A comment: a commenting body, or a textual body with no purpose at all (a plain "I like this page!").
    notes = [
        (at if at.endswith("/bodyValue") else f"{at}/value", body["value"])
        for at, body in bodies
        if "value" in body
        and ("commenting" in _strings(body.get("purpose")) or ("purpose" not in body and FACTMARK_FIELDS not in body))
    ]
    if notes:
        found.put("note", "\n\n".join(value for _, value in notes), notes[0][0])
    tags = _texts(bodies, "tagging")
    found.data["tags"] = [value for _, value in tags]
    for index, (at, _) in enumerate(tags):
        found.where[f".tags[{index}]"] = at
    own = next(((at, body) for at, body in bodies if FACTMARK_FIELDS in body), None)
    if own is not None:
        _read_factmark_fields(own[1][FACTMARK_FIELDS], child(own[0], FACTMARK_FIELDS), found)
    else:
        _infer_kind(document, bodies, pointer, found)


def _bodies(document: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each embedded body with its pointer; a bodyValue counts as a comment. Bodies given by IRI hold nothing
    Factmark stores, so they are passed over."""
    if "bodyValue" in document:
        value = document["bodyValue"]
        if not isinstance(value, str):
            raise InvalidInput(f"{pointer}/bodyValue", "bodyValue must be a string", actual=value)
        yield f"{pointer}/bodyValue", {"purpose": "commenting", "value": value}
        return
    body = document.get("body")
    listed = list(enumerate(body)) if isinstance(body, list) else [(None, body)] if body is not None else []
    for index, item in listed:
        at = f"{pointer}/body" if index is None else f"{pointer}/body/{index}"
        if isinstance(item, dict):
            if ("value" in item or FACTMARK_FIELDS in item) and not isinstance(item.get("value", ""), str):
                raise InvalidInput(f"{at}/value", "a TextualBody's value must be a string", actual=item["value"])
            yield at, item
        elif not isinstance(item, str):
            raise InvalidInput(at, "a body is an IRI or an object", actual=item)


def _read_factmark_fields(fields: Any, at: str, found: _Fields) -> None:
    if not isinstance(fields, dict):
        raise InvalidInput(at, "the Factmark fields must be an object", actual=fields)
    found.where[""] = at
    kind = fields.get("kind")
    if kind not in KIND_FIELDS:
        raise InvalidInput(f"{at}/kind", f"kind must be one of {', '.join(sorted(KIND_FIELDS))}", actual=kind)
    for name, value in fields.items():
        if name not in KIND_FIELDS[kind] and name not in _EXTRA_FIELDS:
            raise InvalidInput(child(at, name), f"not a field of a {kind} annotation")
        found.put(name, value, child(at, name))


def _infer_kind(
    document: dict[str, Any], bodies: list[tuple[str, dict[str, Any]]], pointer: str, found: _Fields
) -> None:
    motivations = _strings(document.get("motivation"))

    if "identifying" in motivations:
        source = next(iter(_texts(bodies, "identifying")), None)
        if source is None:
            raise InvalidInput(
                f"{pointer}/body", "an identifying annotation needs an identifying TextualBody naming the source"
            )
        found.put("kind", "attribution", f"{pointer}/motivation")
        found.put("source", source[1], source[0])
    elif not motivations or motivations & _CLAIM_MOTIVATIONS:
        found.put("kind", "claim", f"{pointer}/motivation")
        statement = next(iter(_texts(bodies, "describing")), None)
        if statement is not None:
            found.put("statement", statement[1], statement[0])
    else:
        raise InvalidInput(
            f"{pointer}/motivation",
            f"cannot tell the kind of annotation: give a body with the "
            f"{FACTMARK_FIELDS} object, or motivation highlighting or identifying",
            actual=document.get("motivation"),
        )


def _texts(bodies: list[tuple[str, dict[str, Any]]], purpose: str) -> list[tuple[str, str]]:
    """(pointer, text) of each textual body with `purpose`; a bodyValue's pointer is the bodyValue itself."""
    return [
        (at if at.endswith("/bodyValue") else f"{at}/value", body["value"])
        for at, body in bodies
        if purpose in _strings(body.get("purpose")) and "value" in body
    ]


def _strings(value: Any) -> set[str]:
    """A JSON-LD value that may be one string or a list of them, as a set."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()
