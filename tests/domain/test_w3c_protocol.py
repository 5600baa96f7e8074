"""The Web Annotation Protocol's containers: Prefer, page tokens, container and page documents, canonical/via."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.w3c_protocol import (
    FIRST_PAGE,
    LAST_PAGE,
    PREFER_DESCRIPTIONS,
    PREFER_IRIS,
    PREFER_MINIMAL,
    Container,
    Identity,
    Page,
    PageRequest,
    container_document,
    container_root,
    page_node,
    parse_page,
    parse_prefer,
    read_identity,
    with_identity,
)
from service.errors import InvalidInput

ROOT = container_root("https://annotations.example/", uuid.UUID("6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01"))
KEY = (12, 30, uuid.UUID("00000000-0000-4000-8000-000000000001"))


def items(count, start=0):
    return [
        ((i, i + 5, uuid.UUID(int=i)), {"id": f"{ROOT}{uuid.UUID(int=i)}", "type": "Annotation"})
        for i in range(start, start + count)
    ]


# ---------------------------------------------------------------- Prefer


def test_the_suites_minimal_container_preference_is_understood_and_echoed():
    preference = parse_prefer(f'return=representation;include="{PREFER_MINIMAL}"')
    assert preference.minimal and not preference.iris
    assert preference.applied_header == f'return=representation; include="{PREFER_MINIMAL}"'


def test_several_includes_and_spacing_as_rfc_7240_allows():
    preference = parse_prefer(f'respond-async, return=representation ; include="{PREFER_MINIMAL} {PREFER_IRIS}"')
    assert preference.minimal and preference.iris
    assert preference.applied == (PREFER_MINIMAL, PREFER_IRIS)


def test_asking_for_iris_and_descriptions_gets_descriptions():
    preference = parse_prefer(f'return=representation; include="{PREFER_IRIS} {PREFER_DESCRIPTIONS}"')
    assert not preference.iris and preference.applied == (PREFER_DESCRIPTIONS,)


@pytest.mark.parametrize(
    "header",
    [None, "", "return=minimal", f'include="{PREFER_MINIMAL}"', f'return=minimal; include="{PREFER_MINIMAL}"',
     f'return=representation, include="{PREFER_MINIMAL}"', 'return=representation; include="urn:x:unknown"'],
)  # fmt: skip
def test_preferences_not_about_the_container_representation_change_nothing(header):
    preference = parse_prefer(header)
    assert not preference.minimal and not preference.iris and preference.applied_header is None


@given(st.text(max_size=300))
def test_any_prefer_header_is_read_without_error(header):
    preference = parse_prefer(header)
    assert set(preference.applied) <= {PREFER_MINIMAL, PREFER_IRIS, PREFER_DESCRIPTIONS}


# ---------------------------------------------------------------- pages


@given(
    st.sampled_from(["after", "before"]),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**31 - 1),
    st.uuids(),
)
def test_a_page_token_names_the_page_it_was_made_for(direction, start, end, annotation_id):
    page = PageRequest(direction, (start, end, annotation_id))
    assert parse_page(page.token) == page


def test_the_ends_of_the_sequence_have_readable_tokens():
    assert parse_page("first") == FIRST_PAGE and FIRST_PAGE.token == "first"
    assert parse_page("last") == LAST_PAGE and LAST_PAGE.token == "last"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", max_size=80))
def test_a_made_up_page_token_is_a_422_on_the_parameter(token):
    try:
        parse_page(token)
    except InvalidInput as exc:
        assert exc.location == "page"


def test_container_iris_keep_the_representation_in_the_query():
    container = Container(ROOT, iris=True, limit=2)
    assert container.collection == f"{ROOT}?iris=1&limit=2"
    assert container.page(LAST_PAGE) == f"{ROOT}?iris=1&limit=2&page=last"
    assert Container(ROOT).collection == ROOT and ROOT.endswith("/")
    assert Container(ROOT).annotation(KEY[2]) == f"{ROOT}{KEY[2]}"


def test_the_first_page_starts_at_zero_and_links_only_forwards():
    node = page_node(Container(ROOT), FIRST_PAGE, Page(items(3), more_before=False, more_after=True), 9, embedded=False)
    assert node["startIndex"] == 0 and "prev" not in node
    assert parse_page(node["next"].split("page=")[1]) == PageRequest("after", items(3)[-1][0])
    assert node["partOf"] == {"id": ROOT, "total": 9} and node["@context"] == "http://www.w3.org/ns/anno.jsonld"


def test_the_last_page_knows_its_start_index_and_links_only_backwards():
    node = page_node(
        Container(ROOT), LAST_PAGE, Page(items(3, 6), more_before=True, more_after=False), 9, embedded=False
    )
    assert node["startIndex"] == 6 and "next" not in node
    assert parse_page(node["prev"].split("page=")[1]) == PageRequest("before", items(3, 6)[0][0])


def test_a_page_emptied_by_deletions_still_leads_back_to_the_sequence():
    after = page_node(Container(ROOT), PageRequest("after", KEY), Page([], False, False), 0, embedded=False)
    assert after["items"] == [] and after["prev"].endswith("page=last") and "next" not in after
    before = page_node(Container(ROOT), PageRequest("before", KEY), Page([], False, False), 0, embedded=False)
    assert before["next"].endswith("page=first") and "prev" not in before


def test_items_are_iris_in_the_iris_representation():
    node = page_node(Container(ROOT, iris=True), FIRST_PAGE, Page(items(2), False, False), 2, embedded=False)
    assert node["items"] == [document["id"] for _, document in items(2)]


def test_the_container_is_a_basic_container_and_collection_with_first_and_last():
    document = container_document(
        Container(ROOT), total=2, label="Riga", modified=None, first_page=Page(items(2), False, False)
    )
    assert document["type"] == ["BasicContainer", "AnnotationCollection"] and document["id"] == ROOT
    assert document["first"]["id"] == f"{ROOT}?page=first" and "partOf" not in document["first"]
    assert document["last"] == f"{ROOT}?page=last" and document["label"] == "Riga"
    minimal = container_document(Container(ROOT), total=2, label=None, modified=None, first_page=None)
    assert minimal["first"] == f"{ROOT}?page=first" and "items" not in str(minimal)


def test_an_empty_container_has_no_pages():
    document = container_document(
        Container(ROOT), total=0, label=None, modified=None, first_page=Page([], False, False)
    )
    assert document["total"] == 0 and "first" not in document and "last" not in document


# ---------------------------------------------------------------- canonical and via


def test_a_canonical_iri_is_kept_as_sent_and_the_clients_id_moves_to_via():
    identity = read_identity({"canonical": "https://desk.example/a/1", "id": "https://desk.example/copy/1"}, None, None)
    assert identity == Identity("https://desk.example/a/1", ("https://desk.example/copy/1",))


def test_a_replacement_keeps_the_canonical_iri_and_refuses_another():
    kept = Identity("urn:uuid:6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01", ("https://a.example/1",))
    own = f"{ROOT}6f0c2a52-5b1e-4e8e-9a57-0d7d2b4c1a01"
    assert read_identity({"id": own, "via": "https://a.example/1"}, own, kept) == kept
    assert read_identity({"id": own}, own, kept).via == ()  # via is what the replacement says
    with pytest.raises(InvalidInput) as refused:
        read_identity({"canonical": "urn:uuid:00000000-0000-4000-8000-000000000001"}, own, kept)
    assert refused.value.location == "/canonical"


@pytest.mark.parametrize(
    ("document", "pointer"),
    [({"canonical": 7}, "/canonical"), ({"via": ["ok:1", "not an iri"]}, "/via/1"), ({"id": ""}, "/id"),
     ({"via": "bad\x00iri"}, "/via"), ({"canonical": "x:" + "a" * 5000}, "/canonical")],
)  # fmt: skip
def test_identity_iris_that_are_not_iris_are_refused_naming_the_field(document, pointer):
    with pytest.raises(InvalidInput) as refused:
        read_identity(document, None, None)
    assert refused.value.location == pointer


def test_the_document_carries_its_container_iri_and_kept_identity():
    node = with_identity(
        {"id": "old", "canonical": "urn:uuid:x"}, f"{ROOT}1", Identity("https://c.example/1", ("https://v.example/1",))
    )
    assert node == {"id": f"{ROOT}1", "canonical": "https://c.example/1", "via": "https://v.example/1"}
    assert with_identity({"id": "old"}, "new", None) == {"id": "new"}
