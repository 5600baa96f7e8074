"""Messy copies of an article's URL reduce to one canonical form; different pages stay different."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.urls import canonical_url
from service.errors import InvalidInput

CANONICAL = "https://news.example.com/2026/11/riga-grain-port?id=42&page=2"


@pytest.mark.parametrize(
    "messy",
    [
        "https://news.example.com/2026/11/riga-grain-port?id=42&page=2",
        "http://news.example.com/2026/11/riga-grain-port?id=42&page=2",
        "HTTPS://NEWS.Example.COM/2026/11/riga-grain-port?page=2&id=42",
        "https://news.example.com:443/2026/11/riga-grain-port/?id=42&page=2",
        "http://news.example.com:80/2026/11/riga-grain-port?id=42&page=2#comments",
        "https://news.example.com/2026/11/riga-grain-port?utm_source=twitter&utm_medium=social&id=42&page=2",
        "https://news.example.com/2026/11/riga-grain-port?id=42&fbclid=IwAR0x&gclid=abc&page=2&WT.mc_id=rss",
        "https://news.example.com/2026/11/riga-grain-port?mc_cid=1&mc_eid=2&id=42&page=2",
        "https://news.example.com/2026/11/%72iga-grain-port?id=%34%32&page=2",
        "https://news.example.com/2026/./11/x/../riga-grain-port?id=42&page=2",
        "  https://news.example.com/2026/11/riga-grain-port?id=42&page=2  ",
    ],
)
def test_messy_copies_share_the_canonical_form(messy):
    assert canonical_url(messy) == CANONICAL


@pytest.mark.parametrize(
    "other",
    [
        "https://news.example.com/2026/11/riga-grain-port?id=43&page=2",
        "https://news.example.com/2026/11/Riga-grain-port?id=42&page=2",
        "https://news.example.com:8443/2026/11/riga-grain-port?id=42&page=2",
        "https://amp.news.example.com/2026/11/riga-grain-port?id=42&page=2",
    ],
)
def test_different_pages_stay_different(other):
    assert canonical_url(other) != CANONICAL


def test_escapes_of_reserved_characters_are_kept_and_upper_cased():
    assert canonical_url("https://example.com/a%2fb?q=x%26y") == "https://example.com/a%2Fb?q=x%26y"


def test_international_host_and_path_are_encoded():
    assert canonical_url("https://Zeitung.de/München/artikel") == "https://zeitung.de/M%C3%BCnchen/artikel"
    assert canonical_url("https://bücher.example/") == "https://xn--bcher-kva.example"


@pytest.mark.parametrize(
    "bad", ["ftp://example.com/a", "example.com/news", "https://", "javascript:alert(1)", "http://[::1"]
)
def test_non_http_urls_are_rejected_naming_the_field(bad):
    with pytest.raises(InvalidInput) as caught:
        canonical_url(bad, "/alternate_urls/1")
    assert caught.value.location == "/alternate_urls/1"


paths = st.lists(st.text(alphabet="abcXYZ019-_.~%/é ", max_size=8), max_size=4).map("/".join)
params = st.lists(
    st.tuples(st.sampled_from(["id", "page", "utm_source", "q", "fbclid"]), st.text("ab1 &=", max_size=4)), max_size=4
)


@given(paths, params)
def test_canonical_form_is_a_fixed_point(path, query):
    from urllib.parse import urlencode

    url = f"https://Example.com/{path}?{urlencode(query)}"
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("messy", "canonical"),
    [
        ("https://[::1]/x", "https://[::1]/x"),
        ("http://[0:0:0:0:0:0:0:1]:8080/x/", "https://[::1]:8080/x"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        # A browser reads a backslash in an http(s) URL as a slash: the host is a.example, not evil.example.
        ("https://a.example\\@evil.example/story", "https://a.example/@evil.example/story"),
        ("https:\\\\news.example.com\\2026\\story", "https://news.example.com/2026/story"),
        ("https://news.example.com/a\tb\n/c", "https://news.example.com/ab/c"),
        ("\x00 https://news.example.com/a \x1f", "https://news.example.com/a"),
        ("https://desk:secret@news.example.com/a", "https://news.example.com/a"),
    ],
)
def test_urls_are_read_as_a_browser_reads_them(messy, canonical):
    assert canonical_url(messy) == canonical


@pytest.mark.parametrize(
    "bad",
    ["https://exa\x00mple.com/", "https://ex ample.com/", "https://[::1/x", "https://[nope]/", "https://a<b>.com/"],
)
def test_hosts_no_browser_would_accept_are_refused(bad):
    with pytest.raises(InvalidInput):
        canonical_url(bad, "url")


@given(st.text(max_size=60))
def test_any_host_text_either_canonicalises_to_a_clean_host_or_is_refused(host):
    try:
        result = canonical_url(f"https://{host}/story")
    except InvalidInput:
        return
    netloc = result.removeprefix("https://").split("/", 1)[0]
    assert "\x00" not in netloc and " " not in netloc and "@" not in netloc and "\\" not in netloc
