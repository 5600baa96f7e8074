"""The W3C Web Annotation Protocol's containers (https://www.w3.org/TR/annotation-protocol/): the IRIs of an
article's container, its pages and its annotations; the client's `Prefer` header; the container and page
documents; and the `canonical`/`via` identity a client sends with an annotation.

Choices where the Protocol leaves room:

- The container of an article's annotations is ``{base}/w3c/articles/{article_id}/``; an annotation's IRI is the
  container's followed by the annotation id. Query parameters name other representations of the same container:
  ``iris=1`` (items as IRIs, Protocol §4.1.1) and ``limit`` (page size); ``page`` names one page.
- Pages are keyset pages in text order, like the rest of the API: ``page=first``, ``page=last``, and
  ``page=after.<key>`` / ``page=before.<key>`` (the key of the item next to the page, opaque to clients). Pages
  reached by ``next`` and by ``prev`` need not line up: each is a stable slice of the sequence, which is what
  keeps pagination free of skipped or repeated items while annotations are added and removed.
  ``startIndex`` is given for the first and last pages (known without counting).
- ``Prefer`` (RFC 7240) with ``include`` of ``ldp#PreferMinimalContainer`` answers the container without any
  annotations (``first`` and ``last`` as IRIs); ``oa#PreferContainedIRIs`` lists IRIs;
  ``oa#PreferContainedDescriptions`` (also the default) embeds the first page with full annotations. When a
  client asks for both IRIs and descriptions, it gets descriptions (the Protocol says not to ask for both).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import msgspec

from service.domain.w3c import ANNO_CONTEXT
from service.errors import InvalidInput

LDP_CONTEXT: Final = "http://www.w3.org/ns/ldp.jsonld"
PREFER_MINIMAL: Final = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS: Final = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS: Final = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
CONSTRAINED_BY: Final = '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
CONTAINER_LINK: Final = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/ns/oa#AnnotationCollection>; rel="type", ' + CONSTRAINED_BY
)
PAGE_LINK: Final = '<http://www.w3.org/ns/oa#AnnotationPage>; rel="type"'
RESOURCE_LINK: Final = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
CONTAINER_ALLOW: Final = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW: Final = "DELETE, GET, HEAD, OPTIONS, PUT"
PROFILE_MEDIA_TYPE: Final = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

Key = tuple[int, int, uuid.UUID]
"""Where an annotation stands in text order: code point start, end, id."""


# ---------------------------------------------------------------- Prefer


@dataclass(frozen=True, slots=True)
class Preference:
    """How the client wants the container: with its annotations embedded or not, as IRIs or descriptions."""

    minimal: bool = False
    iris: bool = False
    applied: tuple[str, ...] = ()

    @property
    def applied_header(self) -> str | None:
        """The `Preference-Applied` value, when the request's preferences were honoured."""
        if not self.applied:
            return None
        return f'return=representation; include="{" ".join(self.applied)}"'


# One preference or parameter: a token, optionally `=` a token or a quoted string, then `;`, `,` or the end.
_PREFER_ITEM = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^\s;,"]*))?\s*([;,]|$)')


def parse_prefer(header: str | None) -> Preference:
    """The container preferences in a `Prefer` header (RFC 7240); anything else in it is ignored, as the RFC
    asks of preferences a server does not support. Cost: one pass over the header."""
    if not header:
        return Preference()
    includes: list[str] = []
    representation = False
    position = 0
    in_return_representation = False
    while position < len(header):
        match = _PREFER_ITEM.match(header, position)
        if match is None or match.end() == position:
            break  # malformed from here on: keep what was understood
        name, raw, separator = match.group(1).lower(), match.group(2) or "", match.group(3)
        value = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
        if name == "return":
            in_return_representation = value.lower() == "representation"
            representation = representation or in_return_representation
        elif name == "include" and in_return_representation:
            includes.extend(value.split())
        if separator == ",":
            in_return_representation = False
        position = match.end()
    if not representation:
        return Preference()
    minimal = PREFER_MINIMAL in includes
    descriptions = PREFER_DESCRIPTIONS in includes
    iris = PREFER_IRIS in includes and not descriptions
    applied = tuple(
        iri
        for iri, used in ((PREFER_MINIMAL, minimal), (PREFER_IRIS, iris), (PREFER_DESCRIPTIONS, descriptions))
        if used
    )
    return Preference(minimal=minimal, iris=iris, applied=applied)


# ---------------------------------------------------------------- pages and IRIs

Direction = Literal["after", "before"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A page: the items after `key` (None: from the start) or before it (None: up to the end)."""

    direction: Direction
    key: Key | None

    @property
    def token(self) -> str:
        if self.key is None:
            return "first" if self.direction == "after" else "last"
        start, end, annotation_id = self.key
        raw = msgspec.json.encode([start, end, str(annotation_id)])
        return f"{self.direction}.{base64.urlsafe_b64encode(raw).decode('ascii').rstrip('=')}"


FIRST_PAGE: Final = PageRequest("after", None)
LAST_PAGE: Final = PageRequest("before", None)


def parse_page(token: str) -> PageRequest:
    """The page a `page` parameter names; 422 on the parameter for anything this service did not hand out."""
    if token == "first":
        return FIRST_PAGE
    if token == "last":
        return LAST_PAGE
    direction, _, encoded = token.partition(".")
    if direction in ("after", "before"):
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            start, end, annotation_id = msgspec.json.decode(raw, type=tuple[int, int, uuid.UUID])
        except (binascii.Error, ValueError, msgspec.DecodeError):
            pass
        else:
            return PageRequest("after" if direction == "after" else "before", (start, end, annotation_id))
    raise InvalidInput("page", "not a page of this container: follow first, last, next or prev", actual=token)


@dataclass(frozen=True, slots=True)
class Container:
    """The IRIs of one representation of an article's container (items as IRIs or not, a page size or not)."""

    root: str
    """The container's own IRI, ending in a slash."""
    iris: bool = False
    limit: int | None = None

    def _query(self, page: PageRequest | None) -> str:
        parameters = [("iris", "1")] if self.iris else []
        parameters += [("limit", str(self.limit))] if self.limit is not None else []
        parameters += [("page", page.token)] if page is not None else []
        return "?" + "&".join(f"{name}={value}" for name, value in parameters) if parameters else ""

    @property
    def collection(self) -> str:
        """The `id` (and Content-Location) of this representation of the container."""
        return self.root + self._query(None)

    def page(self, page: PageRequest) -> str:
        return self.root + self._query(page)

    def annotation(self, annotation_id: uuid.UUID) -> str:
        return f"{self.root}{annotation_id}"


def container_root(base_url: str, article_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/w3c/articles/{article_id}/"


@dataclass(frozen=True, slots=True)
class Page:
    """One page as the store read it: the items (W3C annotation documents, in text order) with their keys, and
    whether items lie before and after it."""

    items: Sequence[tuple[Key, dict[str, Any]]]
    more_before: bool
    more_after: bool


def _neighbours(request: PageRequest, page: Page) -> tuple[PageRequest | None, PageRequest | None]:
    """(prev, next) of a page: the pages before its first item and after its last, where items lie there."""
    if not page.items:
        # Nothing here: the neighbours are the ends of the sequence, if the page is not at one already.
        prev = LAST_PAGE if request.direction == "after" and request.key is not None else None
        following = FIRST_PAGE if request.direction == "before" and request.key is not None else None
        return prev, following
    prev = PageRequest("before", page.items[0][0]) if page.more_before else None
    following = PageRequest("after", page.items[-1][0]) if page.more_after else None
    return prev, following


def page_node(container: Container, request: PageRequest, page: Page, total: int, *, embedded: bool) -> dict[str, Any]:
    """An ``AnnotationPage``: its own IRI, ``partOf`` the container (with its total), ``startIndex`` when known,
    ``prev``/``next``, and the items as IRIs or full annotations. `embedded` leaves out the ``@context`` and
    ``partOf`` that the enclosing container gives."""
    node: dict[str, Any] = {} if embedded else {"@context": ANNO_CONTEXT}
    node |= {"id": container.page(request), "type": "AnnotationPage"}
    if not embedded:
        node["partOf"] = {"id": container.collection, "total": total}
    if request == FIRST_PAGE:
        node["startIndex"] = 0
    elif request == LAST_PAGE:
        node["startIndex"] = total - len(page.items)
    prev, following = _neighbours(request, page)
    if prev is not None:
        node["prev"] = container.page(prev)
    if following is not None:
        node["next"] = container.page(following)
    node["items"] = [document["id"] if container.iris else document for _, document in page.items]
    return node


def container_document(
    container: Container,
    *,
    total: int,
    label: str | None,
    modified: str | None,
    first_page: Page | None,
) -> dict[str, Any]:
    """The container: a ``BasicContainer`` and ``AnnotationCollection`` with its ``total``, ``first`` and ``last``
    pages (none when it is empty). With `first_page`, the first page is embedded (PreferContainedDescriptions);
    without, ``first`` is an IRI (PreferMinimalContainer, PreferContainedIRIs)."""
    document: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, LDP_CONTEXT],
        "id": container.collection,
        "type": ["BasicContainer", "AnnotationCollection"],
    }
    if label is not None:
        document["label"] = label
    document["total"] = total
    if modified is not None:
        document["modified"] = modified
    if total > 0:
        if first_page is None:
            document["first"] = container.page(FIRST_PAGE)
        else:
            document["first"] = page_node(container, FIRST_PAGE, first_page, total, embedded=True)
        document["last"] = container.page(LAST_PAGE)
    return document


# ---------------------------------------------------------------- canonical and via


@dataclass(frozen=True, slots=True)
class Identity:
    """What a client said about an annotation's identity: its canonical IRI and the IRIs it came ``via``."""

    canonical: str | None = None
    via: tuple[str, ...] = ()


MAX_IRI = 4096
MAX_VIA = 100


def _iri(value: Any, pointer: str) -> str:
    if not isinstance(value, str) or not value or any(char.isspace() or char == "\x00" for char in value):
        raise InvalidInput(pointer, "must be an IRI (a string without spaces)", actual=value)
    if len(value) > MAX_IRI:
        raise InvalidInput(pointer, f"an IRI of at most {MAX_IRI} characters")
    return value


def read_identity(document: dict[str, Any], own_iri: str | None, stored: Identity | None) -> Identity:
    """The identity of an annotation a client sent (created, or replaced when `stored` is what was kept).

    ``canonical`` is kept as sent and may never change (Protocol §5.1; a replacement may leave it out).
    ``via`` is kept as sent; an ``id`` the client gave, other than this server's IRI `own_iri`, joins it, as the
    Protocol asks of a server that assigns its own IRI. Cost: linear in the number of ``via`` IRIs.
    """
    canonical = stored.canonical if stored is not None else None
    if "canonical" in document:
        sent = _iri(document["canonical"], "/canonical")
        if canonical is not None and sent != canonical:
            raise InvalidInput("/canonical", f"the canonical IRI never changes: it is {canonical}", actual=sent)
        canonical = sent
    raw_via = document.get("via", [])
    listed = raw_via if isinstance(raw_via, list) else [raw_via]
    if len(listed) > MAX_VIA:
        raise InvalidInput("/via", f"at most {MAX_VIA} IRIs")
    via = [_iri(value, f"/via/{index}" if isinstance(raw_via, list) else "/via") for index, value in enumerate(listed)]
    sent_id = document.get("id")
    if sent_id is not None:
        sent_id = _iri(sent_id, "/id")
        if sent_id != own_iri and sent_id not in via:
            via.append(sent_id)
    return Identity(canonical, tuple(via))


def with_identity(node: dict[str, Any], iri: str, identity: Identity | None) -> dict[str, Any]:
    """An annotation document under its IRI in the container, with the canonical and via IRIs kept for it."""
    node = {**node, "id": iri}
    if identity is not None:
        if identity.canonical is not None:
            node["canonical"] = identity.canonical
        if identity.via:
            node["via"] = list(identity.via) if len(identity.via) > 1 else identity.via[0]
    return node
