"""OpenAPI and CORS configuration, and the one fix-up Litestar's generator needs: a discriminator on
every `oneOf` of the annotation kinds, so generated clients get one typed class per kind."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    Discriminator,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIType,
    Reference,
    Schema,
    SecurityScheme,
)

from service import __version__
from service.api.docs import docs_render_plugins
from service.domain.offsets import OffsetUnit
from service.wire import (
    ANNOTATION_CLASSES,
    AnchorStatus,
    AttributionInput,
    ClaimInput,
    DenialInput,
    FigureInput,
    Kind,
    Origin,
    Qualifier,
    Review,
    SourceType,
    Verdict,
)

# The unions of the four kinds, each published as a named component with a discriminator on `kind`.
_KIND_UNIONS: dict[str, dict[str, str]] = {
    "Annotation": {kind: cls.__name__ for kind, cls in ANNOTATION_CLASSES.items()},
    "AnnotationInput": {
        str(cls.__struct_config__.tag): cls.__name__ for cls in (ClaimInput, AttributionInput, DenialInput, FigureInput)
    },
}


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Factmark",
        version=__version__,
        description=(
            "Fact-check annotations on news articles: offset-anchored claims, attributions, denials and "
            "figures. Offsets are Unicode code points unless `offset_unit=utf16`. Errors are RFC 9457 "
            "problem+json. Authenticate with `Authorization: Bearer <API key>`."
        ),
        path="/docs",
        render_plugins=docs_render_plugins(),
        components=Components(
            security_schemes={"apiKey": SecurityScheme(type="http", scheme="bearer", description="A Factmark API key")}
        ),
        security=[{"apiKey": []}],
        use_handler_docstrings=False,
    )


def _ref_name(node: Any) -> str | None:
    return node.ref.rsplit("/", 1)[-1] if isinstance(node, Reference) else None


def _rewrite(node: Any, fix: Callable[[Schema], Any]) -> Any:
    """Return `node` with `fix` applied to every Schema inside it, innermost first; `fix` returns the Schema
    (changed in place) or what replaces it."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if value is not None:
                setattr(node, field.name, _rewrite(value, fix))
    elif isinstance(node, dict):
        return {key: _rewrite(value, fix) for key, value in node.items()}
    elif isinstance(node, list):
        return [_rewrite(value, fix) for value in node]
    return fix(node) if isinstance(node, Schema) else node


def _rewrite_document(document: OpenAPI, fix: Callable[[Schema], Any]) -> None:
    document.paths = _rewrite(document.paths, fix)
    document.components.schemas = _rewrite(document.components.schemas, fix)


def _fold_union(node: Schema) -> Any:
    """An inline oneOf of the four kinds becomes a reference to its named union."""
    if node.one_of and node.discriminator is None:
        names = {_ref_name(item) for item in node.one_of}
        for union, members in _KIND_UNIONS.items():
            if set(members.values()) <= names:
                rest = [item for item in node.one_of if _ref_name(item) not in members.values()]
                ref = Reference(ref=f"#/components/schemas/{union}")
                if not rest:
                    return ref
                node.one_of = [ref, *rest]
    return node


def _tidy(node: Schema) -> Schema:
    """Two shapes that client generators mangle, rewritten to the document's usual ones:
    a `oneOf` of a single schema (a field that may be left out, `T | UnsetType`) becomes that schema, and an enum
    with null among its values (`Literal[...] | None`) becomes `oneOf: [enum, null]` like every other nullable
    field; openapi-python-client otherwise makes a wrapper enum (`...Type0`) or three identical ones."""
    if node.one_of and len(node.one_of) == 1 and isinstance(node.one_of[0], Schema):
        (only,) = node.one_of
        node.one_of = None
        for field in dataclasses.fields(only):
            value = getattr(only, field.name)
            if value is not None and getattr(node, field.name) is None:
                setattr(node, field.name, value)
    if node.enum and None in node.enum and isinstance(node.type, list) and OpenAPIType.NULL in node.type:
        types = [t for t in node.type if t != OpenAPIType.NULL]
        values = [value for value in node.enum if value is not None]
        node.one_of = [
            Schema(type=types[0] if len(types) == 1 else types, enum=values),
            Schema(type=OpenAPIType.NULL),
        ]
        node.enum = node.type = None
    return node


def add_kind_discriminators(document: OpenAPI) -> None:
    """Publish `Annotation` and `AnnotationInput` as discriminated unions and refer to them everywhere."""
    _rewrite_document(document, _fold_union)
    assert document.components.schemas is not None
    for union, members in _KIND_UNIONS.items():
        document.components.schemas[union] = Schema(
            title=union,
            one_of=[Reference(ref=f"#/components/schemas/{name}") for name in members.values()],
            discriminator=Discriminator(
                property_name="kind",
                mapping={kind: f"#/components/schemas/{name}" for kind, name in members.items()},
            ),
        )


# Operations that also speak the W3C Web Annotation Protocol (content negotiation on Accept / Content-Type).
_W3C_OPERATIONS = {"createAnnotations": "201", "listAnnotations": "200", "getAnnotation": "200"}
_W3C_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="A W3C Web Annotation (or AnnotationCollection / AnnotationPage) as JSON-LD, "
    'chosen with `Accept: application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`.',
)


_W3C_WRITE = (
    "Also accepts a W3C Web Annotation, or an array of them, with `Content-Type: application/ld+json`; their "
    "TextPositionSelectors count code points whatever `offset_unit` says."
)


def add_w3c_media_types(document: OpenAPI) -> None:
    """Document the JSON-LD representation beside the native JSON on the negotiated operations' responses.
    The JSON-LD request body is described in words, not as a second request media type: openapi-python-client
    chooses among several request media types with `isinstance(body, AnnotationInput | list[...])`, which raises
    TypeError for every call of the operation."""
    for item in (document.paths or {}).values():
        for method in ("get", "post"):
            operation = getattr(item, method, None)
            status = _W3C_OPERATIONS.get(getattr(operation, "operation_id", "") or "")
            if operation is None or status is None:
                continue
            response = (operation.responses or {}).get(status)
            if response is not None and not isinstance(response, Reference) and response.content is not None:
                response.content["application/ld+json"] = OpenAPIMediaType(schema=_W3C_SCHEMA)
            if operation.request_body is not None:
                described = operation.description
                operation.description = f"{described}\n\n{_W3C_WRITE}" if described else _W3C_WRITE


PUBLIC_PATHS = ("/healthz", "/readyz")


# The StrEnums of the API: Litestar publishes each as a named component itself.
_ENUMS: tuple[type[StrEnum], ...] = (Verdict, SourceType, Qualifier, Origin, AnchorStatus, Kind, OffsetUnit, Review)


def _clean_enum_components(document: OpenAPI) -> None:
    """Litestar (2.x) builds a shared enum component from the first field that uses the enum, copying that field's
    `default` and `description` into it (so `Verdict` itself claimed a default of `unverified`, and `OffsetUnit` a
    parameter's text); no upstream issue found. Each component says what the enumeration is, and nothing else."""
    schemas = document.components.schemas or {}
    for enum in _ENUMS:
        component = schemas.get(enum.__name__)
        if isinstance(component, Schema):
            component.default = None
            component.description = (enum.__doc__ or "").strip() or None


def finalize(document: OpenAPI) -> None:
    """Everything Litestar's generator leaves out: discriminated kinds, the W3C media types, and the probes'
    lack of authentication (Litestar drops an empty `security` list); and shapes client generators trip on."""
    _rewrite_document(document, _tidy)
    _clean_enum_components(document)
    add_kind_discriminators(document)
    add_w3c_media_types(document)
    for path in PUBLIC_PATHS:
        item = (document.paths or {}).get(path)
        if item is not None and item.get is not None:
            item.get.security = []
