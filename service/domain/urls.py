"""Canonical form of an article URL, so that messy copies of one address (tracking parameters,
http vs https, default ports, escapes, trailing slashes) find the same article."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit

from service.errors import InvalidInput

# Query parameters that identify a campaign or a click, never the page itself.
_TRACKING_EXACT = frozenset(
    {
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ocid",
        "ref_src",
        "smid",
        "sr_share",
    }
)
_TRACKING_PREFIXES = ("utm_", "wt.", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in a path: unreserved, sub-delims, ':' '@' '/' and '%' (escapes, fixed below).
_PATH_SAFE = "/:@!$&'()*+,;=%-._~"
_QUERY_SAFE = "/:@!$'()*,;-._~"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def _normalise_escapes(component: str) -> str:
    """Decode escapes of unreserved characters (`%7E` → `~`), upper-case the hex digits of the rest."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(fix, component)


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.split("/")[-1] in (".", ".."):
        output.append("")
    return "/" + "/".join(output)


def check_url(url: str, pointer: str) -> None:
    """Only validate: an absolute http(s) URL with a host and a valid port (cheaper than canonicalising)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError as exc:
        raise InvalidInput(pointer, f"not a valid URL: {exc}", actual=url) from exc
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidInput(pointer, "must be an absolute http or https URL", actual=url)


def canonical_url(url: str, pointer: str = "/url") -> str:
    """The canonical form of an absolute http(s) URL; anything else is an input error at `pointer`."""
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise InvalidInput(pointer, f"not a valid URL: {exc}", actual=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise InvalidInput(pointer, "must be an absolute http or https URL", actual=url)
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidInput(pointer, "the host name is not a valid domain name", actual=url) from exc
    host = host.rstrip(".")
    # http and https name the same article; the canonical form always says https.
    netloc = host if port in (None, *_DEFAULT_PORTS.values()) else f"{host}:{port}"

    path = _normalise_escapes(quote(parts.path, safe=_PATH_SAFE))
    path = _remove_dot_segments(path) if path else ""
    path = path.rstrip("/")

    pairs = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(name)]
    pairs.sort()
    query = "&".join(
        f"{quote(name, safe=_QUERY_SAFE)}={quote(value, safe=_QUERY_SAFE)}" if value else quote(name, safe=_QUERY_SAFE)
        for name, value in pairs
    )
    return f"https://{netloc}{path}" + (f"?{query}" if query else "")
