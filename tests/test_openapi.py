"""The checked-in OpenAPI document is what the app generates, and it gives generators one class per kind."""

import json
from pathlib import Path

from service.app import create_app
from service.config import Settings

CHECKED_IN = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def generated() -> dict:
    return json.loads(json.dumps(create_app(Settings()).openapi_schema.to_schema(), sort_keys=True))


def test_checked_in_document_matches_the_app():
    assert json.loads(CHECKED_IN.read_text()) == generated(), "run `make openapi` and commit openapi/openapi.json"


def test_kinds_are_a_discriminated_union():
    schemas = generated()["components"]["schemas"]
    for union, suffix in (("Annotation", ""), ("AnnotationInput", "Input")):
        mapping = schemas[union]["discriminator"]["mapping"]
        assert schemas[union]["discriminator"]["propertyName"] == "kind"
        assert mapping == {
            k: f"#/components/schemas/{k.capitalize()}{suffix}" for k in ("claim", "attribution", "denial", "figure")
        }
        for ref in mapping.values():
            member = schemas[ref.rsplit("/", 1)[-1]]
            assert "kind" in member["required"]


def test_every_operation_has_an_id_and_documents_its_problems():
    for path, item in generated()["paths"].items():
        for method, operation in item.items():
            assert operation.get("operationId"), f"{method} {path}"
            if path.startswith("/v1"):
                for status in ("401", "422"):
                    content = operation["responses"][status]["content"]
                    assert "application/problem+json" in content
