"""Canonical form of an article URL, so that messy copies of one address (tracking parameters,
http vs https, default ports, escapes, trailing slashes) find the same article."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, parse_qsl, quote, urlsplit

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


# WHATWG URL rules a browser applies before parsing: leading and trailing C0 controls and spaces are stripped,
# tabs and newlines anywhere are removed, and in http(s) URLs a backslash is a path separator.
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# A domain after IDNA (letters, digits, hyphens, dots, and the underscores some real hosts have).
_DOMAIN = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def _split(url: str, pointer: str) -> tuple[SplitResult, str, int | None]:
    """(parts, host, port) of an absolute http(s) URL read as a browser reads it; an input error otherwise.

    The host is lower-case ASCII: a domain in IDNA form, an IPv4 address, or an IPv6 address in brackets.
    """
    candidate = _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))
    scheme, colon, rest = candidate.partition(":")
    if not colon or scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidInput(pointer, "must be an absolute http or https URL", actual=url)
    try:
        parts = urlsplit(scheme + ":" + rest.replace("\\", "/"))
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise InvalidInput(pointer, f"not a valid URL: {exc}", actual=url) from None
    if not host or not parts.netloc:
        raise InvalidInput(pointer, "must be an absolute http or https URL with a host", actual=url)
    if ":" in host:  # urlsplit has taken the brackets off an IPv6 literal
        try:
            return parts, f"[{ipaddress.IPv6Address(host).compressed}]", port
        except ValueError:
            raise InvalidInput(pointer, "the host is not a valid IPv6 address", actual=url) from None
    try:
        host = host.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        raise InvalidInput(pointer, "the host name is not a valid domain name", actual=url) from None
    if not _DOMAIN.match(host):
        raise InvalidInput(pointer, "the host name holds characters no host name may have", actual=url)
    return parts, host, port


def check_url(url: str, pointer: str) -> None:
    """Only validate: an absolute http(s) URL with a valid host and port (cheaper than canonicalising)."""
    _split(url, pointer)


def canonical_url(url: str, pointer: str = "/url") -> str:
    """The canonical form of an absolute http(s) URL; anything else is an input error at `pointer`."""
    parts, host, port = _split(url, pointer)
    # http and https name the same article; the canonical form always says https. Credentials are dropped.
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
