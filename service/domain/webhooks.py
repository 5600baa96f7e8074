"""Webhook rules without I/O: signing secrets and signatures (Standard Webhooks), which addresses a webhook may
reach, what an answer means, and when the next attempt is due."""

from __future__ import annotations

import base64
import enum
import ipaddress
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from service.errors import InvalidInput

SECRET_PREFIX = "whsec_"
JITTER = 0.2


def generate_secret() -> str:
    """A new signing secret: 32 random bytes, base64, with the `whsec_` prefix the Standard Webhooks libraries
    accept as it is."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signature_header(signing_secrets: Sequence[str], message_id: str, timestamp: datetime, body: str) -> str:
    """`webhook-signature`: one `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret, space-separated (during
    a rotation's overlap the receiver may hold either secret)."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in signing_secrets)


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int


def parse_target(url: str, location: str = "/url") -> Target:
    """Scheme, host and port of a webhook URL (http or https, no credentials), else a 422 naming `location`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(location, f"not a URL: {exc}", actual=url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(location, "a webhook URL is http:// or https:// with a host", actual=url)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(location, "a webhook URL may not carry credentials", actual=url)
    scheme = parts.scheme.lower()
    return Target(scheme, parts.hostname, port or (443 if scheme == "https" else 80))


def refusal(address: str) -> str | None:
    """Why a webhook may not be sent to this IP address (loopback, private, link-local such as the cloud metadata
    service at 169.254.169.254, multicast, reserved...), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address (cloud metadata services live there)"
    if ip.is_private:
        return f"{ip} is a private address"
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is not a public address"
    return None


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DISABLE = "disable"
    """410 Gone: the receiver asks for no more deliveries."""


def outcome_of(status_code: int) -> Outcome:
    """Only a 2xx answer is a delivery; a redirect is a failure (never followed); 410 disables the endpoint."""
    if 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.DISABLE
    return Outcome.RETRY


def retry_after_seconds(status_code: int, header: str | None, now: datetime) -> float | None:
    """The delay a 429 or 503 asks for in `Retry-After` (seconds or an HTTP date), capped at a day."""
    if status_code not in (429, 503) or not header:
        return None
    header = header.strip()
    if header.isdigit():
        return min(float(header), 86400.0)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, min((when - now).total_seconds(), 86400.0))


def retry_delay(failed_attempts: int, schedule: Sequence[float], rng: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after `failed_attempts` failures (1: the first), the schedule's entry with
    +-20 % jitter so that retries of many deliveries spread out; None when the schedule is exhausted."""
    if failed_attempts < 1 or failed_attempts > len(schedule):
        return None
    base = schedule[failed_attempts - 1]
    return base * (1 + JITTER * (2 * (rng or random).random() - 1))
