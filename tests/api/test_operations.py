"""What operators see: request ids, JSON logs, Prometheus metrics, rate limits, and behaviour without a database."""

import io
import json
import logging
import os
import time

import pytest
from litestar.testing import AsyncTestClient

from service.api.observability import BatchedStreamHandler, JsonFormatter
from service.app import create_app
from service.config import Settings
from tests.conftest import METRICS_TOKEN, TEST_HOST
from tests.fixtures import riga_article


async def test_a_given_request_id_comes_back_and_one_is_made_otherwise(client):
    given = await client.get("/v1/articles", headers={"X-Request-ID": "cms-42.retry-1"})
    assert given.headers["x-request-id"] == "cms-42.retry-1"
    made = await client.get("/v1/articles", headers={"X-Request-ID": "bad id with spaces\n"})
    assert made.headers["x-request-id"] != "bad id with spaces\n" and len(made.headers["x-request-id"]) == 32


async def test_each_request_is_logged_as_json_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="factmark.requests"):
        await client.get("/v1/articles", headers={"X-Request-ID": "trace-abc"})
    [record] = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-abc"]
    line = json.loads(JsonFormatter().format(record))
    assert line["status"] == 200 and line["path"] == "/v1/articles" and line["duration_ms"] >= 0
    assert line["message"] == "request" and line["request_id"] == "trace-abc"


async def test_a_request_line_is_an_ordinary_log_record_for_any_formatter(client, caplog):
    with caplog.at_level(logging.INFO, logger="factmark.requests"):
        await client.get("/v1/articles", headers={"X-Request-ID": "trace-plain"})
    [record] = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-plain"]
    plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(process)d %(message)s %(status)s")
    line = plain.format(record)
    assert line.endswith(f" INFO factmark.requests {os.getpid()} request 200")
    assert abs(record.created - time.time()) < 60 and record.threadName and record.lineno == 0
    stamp = json.loads(JsonFormatter().format(record))["time"]
    assert stamp == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def _batched_logger(name: str, stream: io.StringIO, interval_s: float) -> tuple[logging.Logger, BatchedStreamHandler]:
    handler = BatchedStreamHandler(stream, interval_s=interval_s)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"factmark.test.{name}")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.INFO
    return logger, handler


def test_request_lines_reach_the_log_within_the_flush_interval_in_order():
    stream = io.StringIO()
    logger, _ = _batched_logger("interval", stream, interval_s=0.05)
    for n in range(5):
        logger.info("request", extra={"n": n})
    deadline = time.monotonic() + 5
    while stream.getvalue().count("\n") < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == [0, 1, 2, 3, 4]


def test_a_warning_is_written_at_once_after_the_lines_before_it():
    stream = io.StringIO()
    logger, _ = _batched_logger("warning", stream, interval_s=3600)
    logger.info("request")
    logger.warning("database unreachable")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        "request", "database unreachable"
    ]  # fmt: skip


def test_lines_waiting_are_written_when_the_handler_closes():
    stream = io.StringIO()
    logger, handler = _batched_logger("close", stream, interval_s=3600)
    logger.info("last request before shutdown")
    handler.close()
    assert json.loads(stream.getvalue())["message"] == "last request before shutdown"


async def test_metrics_count_requests_by_route_and_status(client):
    await client.post("/v1/articles", json=riga_article())
    await client.get("/v1/articles/00000000-0000-4000-8000-000000000000")
    client.headers.clear()
    text = (await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text
    assert 'path="/v1/articles/{article_id}"' in text
    assert "factmark_request_duration_seconds_bucket" in text
    assert 'status_code="404"' in text and 'status_code="201"' in text


async def test_a_key_over_its_rate_limit_gets_429_with_retry_after(settings, tenant):
    limited = Settings(**{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "rate_limit_per_minute": 5})
    async with AsyncTestClient(app=create_app(limited)) as client:
        statuses = [(await client.get("/v1/articles", headers=tenant.headers("read"))) for _ in range(7)]
    assert [r.status_code for r in statuses] == [200] * 5 + [429] * 2
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].headers["content-type"].startswith("application/problem+json")


@pytest.fixture
async def app_without_database():
    settings = Settings(
        database_url="postgresql://factmark@127.0.0.1:1/none", connect_timeout_s=1.0, allowed_hosts=(TEST_HOST,)
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def test_without_a_database_requests_get_503_and_liveness_stays_up(app_without_database, tenant):
    client = app_without_database
    response = await client.get("/v1/articles", headers=tenant.headers("read"))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "retry-after" in response.headers
    assert (await client.get("/readyz")).status_code == 503
    assert (await client.get("/healthz")).status_code == 200
