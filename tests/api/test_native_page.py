"""The list's JSON page written out from stored documents in one join is, byte for byte, the AnnotationPage
msgspec would encode around the same documents (what clients generated from the OpenAPI document parse)."""

from __future__ import annotations

import uuid

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from service.api.annotations import native_page
from service.store.annotations import DocumentPage
from service.wire import AnnotationPage

documents = st.lists(
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=20), st.none()), max_size=4).map(
        msgspec.json.encode
    ),
    max_size=6,
)
keysets = st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.uuids()))


@given(documents, keysets)
def test_the_page_is_what_msgspec_writes_around_the_documents(docs, last):
    page = native_page(DocumentPage(docs, last, "1:0"))
    decoded = msgspec.json.decode(page)
    assert decoded["items"] == [msgspec.json.decode(doc) for doc in docs]
    expected_items = msgspec.Raw(b"[" + b",".join(docs) + b"]")
    cursor = decoded["next_cursor"]
    assert (cursor is None) == (last is None)
    assert page == msgspec.json.encode(AnnotationPage(items=expected_items, next_cursor=cursor))  # type: ignore[arg-type]


def test_a_page_with_more_after_it_names_its_cursor():
    last = (10, 20, uuid.uuid4())
    page = msgspec.json.decode(native_page(DocumentPage([b'{"id":1}', b'{"id":2}'], last, "2:0")))
    assert page["items"] == [{"id": 1}, {"id": 2}]
    assert isinstance(page["next_cursor"], str) and page["next_cursor"]
