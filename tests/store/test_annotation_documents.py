"""Annotations are rendered to JSON by PostgreSQL on the read path; what it renders must be exactly the wire
Struct built from the same row, field for field, for every kind, offset unit and revision."""

import msgspec
import pytest

from service.domain.offsets import OffsetUnit
from service.store import annotations as annotation_store
from service.wire import Annotation
from tests.fixtures import RIGA, riga_article


@pytest.fixture
async def article(client, db):
    body = riga_article()
    body["annotations"][0] |= {"reviewed_at": "2026-11-24T10:00:00.5Z", "note": "Port log \U0001f6a2 checked",
                               "confidence": 0.25, "origin": "machine", "author": "Desk \u201cA\u201d"}  # fmt: skip
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 201
    await client.put(f"/v1/articles/{response.json()['id']}/text", json={"text": "Lead.\r\n" + RIGA})
    return response.json()


@pytest.mark.parametrize("unit", ["codepoint", "utf16"])
@pytest.mark.parametrize("revision", [None, 1])
async def test_documents_rendered_in_sql_decode_to_the_structs_of_the_same_rows(db, tenant, article, unit, revision):
    at_revision = "$2" if revision else None
    args = (article["id"], revision) if revision else (article["id"],)
    where = " WHERE article_id = $1 ORDER BY id"
    await db.set_type_codec("json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")
    structs = await db.fetch(annotation_store.select_annotations(unit, at_revision=at_revision) + where, *args)
    documents = await db.fetch(
        annotation_store.select_annotations(unit, at_revision=at_revision, as_json=True) + where, *args
    )
    assert len(structs) == len(documents) == 4
    for row, document in zip(structs, documents, strict=True):
        assert msgspec.json.decode(document["doc"], type=Annotation) == annotation_store.to_annotation(row)


async def _stored_documents_that_differ_from_the_rendering(db) -> list[str]:
    """Ids of rows whose stored document (either unit) is not, byte for byte, what the read SQL renders."""
    rendered = {unit: annotation_store._json_document(unit) for unit in OffsetUnit}
    rows = await db.fetch(
        f"""SELECT id FROM annotations
            WHERE document_cp::text IS DISTINCT FROM ({rendered[OffsetUnit.CODEPOINT]})::text
               OR document_utf16::text IS DISTINCT FROM ({rendered[OffsetUnit.UTF16]})::text"""
    )
    return [str(row["id"]) for row in rows]


async def test_stored_documents_follow_every_write_byte_for_byte(client, db, article):
    """Created (COPY), patched, re-anchored (positions and review flags), reviewed, linked and unlinked: after
    each write every stored document is exactly what rendering the row's columns gives."""
    article_id = article["id"]
    ids = {a["kind"]: a["id"] for a in article["annotations"]}
    assert await db.fetchval("SELECT count(*) FROM annotations") == 4
    assert await _stored_documents_that_differ_from_the_rendering(db) == []
    steps = [
        ("PATCH", f"/v1/annotations/{ids['figure']}", {"value": 4600, "tags": ["checked", "\u00a0nbsp"]}),
        ("PATCH", f"/v1/annotations/{ids['claim']}", {"verdict": "false", "reviewed_at": "2026-12-01T00:00:00Z"}),
        ("PUT", f"/v1/articles/{article_id}/text", {"text": "\U0001f4f0 " + RIGA.replace("4,500", "4,800")}),
        ("POST", f"/v1/articles/{article_id}/suggestions", None),
        ("DELETE", f"/v1/annotations/{ids['claim']}", None),
    ]
    for method, path, body in steps:
        answer = await client.request(method, path, json=body)
        assert answer.status_code < 300, (method, path, answer.text)
        assert await _stored_documents_that_differ_from_the_rendering(db) == [], (method, path)
    page = await client.get(f"/v1/articles/{article_id}/annotations", params={"offset_unit": "utf16"})
    stored = await db.fetch("SELECT id, document_utf16 FROM annotations WHERE article_id = $1", article_id)
    assert {item["id"]: item for item in page.json()["items"]} == {
        str(row["id"]): msgspec.json.decode(row["document_utf16"]) for row in stored
    }
