"""Webhook rules: which addresses are refused, what an answer means, the retry schedule, and signatures that
the standardwebhooks library verifies (with either secret during a rotation)."""

import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.domain.webhooks import (
    Outcome,
    generate_secret,
    outcome_of,
    parse_target,
    refusal,
    retry_after_seconds,
    retry_delay,
    signature_header,
)
from service.errors import InvalidInput

SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fd00:ec2::254",
     "::ffff:10.0.0.1", "0.0.0.0", "100.100.100.200", "224.0.0.1", "198.18.0.1"],
)  # fmt: skip
def test_loopback_private_link_local_and_metadata_addresses_are_refused(address):
    assert refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert refusal(address) is None


@given(st.ip_addresses())
def test_an_address_is_allowed_only_when_it_is_global(ip):
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    allowed = refusal(str(ip)) is None
    assert allowed == (mapped.is_global and not mapped.is_multicast)


def test_urls_name_scheme_host_and_port():
    assert parse_target("https://hooks.example.com/x").port == 443
    assert parse_target("http://hooks.example.com:8080/x").port == 8080
    for bad in ("ftp://example.com/", "https:///nohost", "https://u:p@example.com/", "http://example.com:99999/"):
        with pytest.raises(InvalidInput):
            parse_target(bad)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(200, Outcome.DELIVERED), (204, Outcome.DELIVERED), (301, Outcome.RETRY), (302, Outcome.RETRY),
     (400, Outcome.RETRY), (410, Outcome.DISABLE), (429, Outcome.RETRY), (500, Outcome.RETRY)],
)  # fmt: skip
def test_only_2xx_delivers_and_410_disables(status, outcome):
    assert outcome_of(status) is outcome


def test_retry_after_is_read_for_429_and_503_only():
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert retry_after_seconds(429, "120", now) == 120
    assert retry_after_seconds(503, "Wed, 02 Dec 2026 00:01:00 GMT", now) == 60
    assert retry_after_seconds(500, "120", now) is None
    assert retry_after_seconds(429, "soon", now) is None
    assert retry_after_seconds(429, "99999999", now) == 86400


@given(st.integers(min_value=1, max_value=len(SCHEDULE)), st.integers())
def test_each_retry_is_its_schedule_entry_within_jitter(attempt, seed):
    delay = retry_delay(attempt, SCHEDULE, random.Random(seed))
    assert delay is not None
    assert SCHEDULE[attempt - 1] * 0.8 <= delay <= SCHEDULE[attempt - 1] * 1.2


def test_the_schedule_spans_about_a_day_and_then_gives_up():
    assert 24 * 3600 < sum(SCHEDULE) < 30 * 3600
    assert retry_delay(len(SCHEDULE) + 1, SCHEDULE) is None


@given(st.text(max_size=200), st.text(alphabet="0123456789", min_size=1, max_size=12))
def test_signatures_verify_with_standardwebhooks_with_either_secret(body, message_id):
    old, new = generate_secret(), generate_secret()
    now = datetime.now(UTC)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header([new, old], message_id, now, body),
    }
    for secret in (old, new):
        Webhook(secret).verify(body.encode(), headers, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body.encode(), headers, json_parse=False)
    stale = {**headers, "webhook-timestamp": str(int((now - timedelta(minutes=10)).timestamp()))}
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.encode(), stale, json_parse=False)
