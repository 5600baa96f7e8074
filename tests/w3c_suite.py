"""The W3C Web Annotation test suite (web-platform-tests annotation-model): its JSON schemas, as a validator
for our documents."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# The suite's copy lies in ../shared beside the repository; FACTMARK_WPT_ANNOTATION_MODEL points elsewhere.
WPT_DIR = Path(
    os.environ.get(
        "FACTMARK_WPT_ANNOTATION_MODEL",
        Path(__file__).resolve().parents[2] / "shared" / "conformance" / "wpt-annotation-model",
    )
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # raises on 2026-13-40 and the like
    return True


class Suite:
    """The W3C annotation-model test suite: definition schemas registered under their draft-04 ids, assertion
    files listed by the .test manifests, and `uri`/`date-time` format checks (jsonschema has none built in)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        registry: Registry[Any] = Registry()
        for path in sorted((root / "definitions").glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            registry = registry.with_resource(contents["id"], Resource.from_contents(contents, DRAFT4))
        self.registry = registry
        self.formats = jsonschema.FormatChecker(formats=())
        self.formats.checks("uri", raises=ValueError)(_is_uri)
        self.formats.checks("date-time", raises=ValueError)(_is_date_time)

    def assertions(self, manifest: str) -> list[dict[str, Any]]:
        entries = json.loads((self.root / manifest).read_text(encoding="utf-8"))["assertions"]
        found: list[dict[str, Any]] = []
        while entries:
            entry, *entries = entries
            if isinstance(entry, list):
                entries = entry + entries
            elif isinstance(entry, str):
                found.append(json.loads((self.root / entry).read_text(encoding="utf-8")) | {"file": entry})
            else:
                found.append(entry)
        return found

    def is_valid(self, schema: dict[str, Any], document: Any) -> bool:
        validator = jsonschema.Draft4Validator(schema, registry=self.registry, format_checker=self.formats)
        return bool(validator.is_valid(document))

    def definition(self, ref: str, document: Any) -> bool:
        return self.is_valid({"$ref": ref}, document)

    def failures(self, manifest: str, document: dict[str, Any], severities: set[str]) -> list[str]:
        """Titles of the manifest's assertions of these severities whose outcome is not the expected one."""
        return [
            f"{assertion['file']}: {assertion['title']}"
            for assertion in self.assertions(manifest)
            if assertion["assertionType"] in severities
            and self.is_valid(assertion, document) != (assertion.get("expectedResult", "valid") == "valid")
        ]


def load_suite() -> Suite:
    """The suite, from its copy beside the repository (../shared, as every checkout of Factmark has it). A missing
    copy fails the tests that need it, saying where it looked: they are never skipped silently."""
    if not (WPT_DIR / "definitions").is_dir():
        message = f"W3C annotation-model test suite not found at {WPT_DIR} (set FACTMARK_WPT_ANNOTATION_MODEL)"
        pytest.fail(message, pytrace=False)
    return Suite(WPT_DIR)
