"""Schemathesis against our own contract: every operation of openapi/openapi.json, fuzzed through a real server
process on the test database, with the default checks (no 5xx, responses match the schema, statuses documented).
FACTMARK_FUZZ_EXAMPLES sets the budget per operation (`make fuzz` runs a long one)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.fixtures import riga_article

OPENAPI = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("FACTMARK_FUZZ_EXAMPLES", "20"))
schema = schemathesis.openapi.from_path(str(OPENAPI))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def factmark(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "service", *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def live(migrated):
    """A `factmark serve` process on the test database, a write key, and one stored article to aim at."""
    key = factmark(migrated, "keys", "create", "--tenant", "Fuzz Desk", "--scopes", "read,write").stdout.split()[-1]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": migrated,
        "FACTMARK_RATE_LIMIT_PER_MINUTE": "0",
        "FACTMARK_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {key}"}
        article = httpx.post(f"{base}/v1/articles", json=riga_article(url="https://fuzz.example/a"), headers=headers)
        assert article.status_code == 201, article.text
        yield base, headers, article.json()
    finally:
        server.terminate()
        server.wait(timeout=20)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_honours_the_contract(case, live):
    base, headers, article = live
    # Aim valid requests at stored resources (except deletes, which would leave nothing to aim at).
    positive = case.meta is None or case.meta.generation.mode.value == "positive"
    if positive and case.method.upper() != "DELETE" and case.path_parameters:
        if "article_id" in case.path_parameters:
            case.path_parameters["article_id"] = article["id"]
        if "annotation_id" in case.path_parameters:
            case.path_parameters["annotation_id"] = article["annotations"][0]["id"]
    case.call_and_validate(base_url=base, headers=headers)
