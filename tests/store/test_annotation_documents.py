"""Annotations are rendered to JSON by PostgreSQL on the read path; what it renders must be exactly the wire
Struct built from the same row, field for field, for every kind, offset unit and revision."""

import msgspec
import pytest

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
