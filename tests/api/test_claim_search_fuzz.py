"""Search never errors, whatever `q` holds: operators, quotes, unicode, NUL, nothing. Through a real server."""

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.claim_stories import FRIDAY, FRIDAY_CLAIMS, THURSDAY, THURSDAY_CLAIMS, story
from tests.live_server import create_key, live_server

_OPERATORS = st.sampled_from(
    ['"', "-", " or ", "OR", "&", "|", "!", "<->", "(", ")", ":*", "'", "\\", "\x00", "12,000", "twelve thousand",
     "troops", "🇱🇻", "ё", "\u00a0", "*", "%", "$5bn", "--", '-"', " ", "\x1f", "\t"]
)  # fmt: skip
QUERIES = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200) | st.lists(
    _OPERATORS, max_size=12
).map("".join)


def test_search_answers_every_q_without_a_server_error(migrated):
    key = create_key(migrated, "Search Fuzz Desk")
    with (
        live_server(migrated) as (base, _),
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client,
    ):
        for url, text, quotes in (("https://fuzz.example/thu", THURSDAY, THURSDAY_CLAIMS),
                                  ("https://fuzz.example/fri", FRIDAY, FRIDAY_CLAIMS)):  # fmt: skip
            assert client.post("/v1/articles", json=story(url, text, quotes, "2026-11-26T00:00:00Z")).status_code == 201

        @settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        @given(QUERIES)
        def answers(q):
            response = client.get("/v1/claims", params={"q": q})
            assert response.status_code == 200, (q, response.text)
            page = response.json()
            assert isinstance(page["items"], list)

        answers()
        assert client.get("/v1/claims", params={"q": "x" * 1001}).status_code == 422
