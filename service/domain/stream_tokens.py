"""Stream tokens: short-lived credentials an EventSource passes in the URL (it cannot send headers).
A token is `fmst_<id>_<secret>`; only a hash of the secret is stored, as for API keys."""

from __future__ import annotations

import secrets

from service.domain.keys import NewKey, hash_secret

_PREFIX = "fmst"


def generate_stream_token() -> NewKey:
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return NewKey(token_id, hash_secret(secret), f"{_PREFIX}_{token_id}_{secret}")


def parse_stream_token(token: str) -> tuple[str, str] | None:
    """(token id, secret) of a well-formed stream token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX or len(parts[1]) != 16 or not parts[2].isascii():
        return None
    return parts[1], parts[2]
