"""Connection abuse against a live `factmark serve`: connections that never finish their headers (slowloris) are
timed out, counted against a cap past which requests get 503, and cannot starve the process of file descriptors."""

import json
import resource
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from tests.live_server import create_key, live_server

HALF_OPEN = 2_000
PARTIAL_HEAD = b"GET /v1/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "  # the blank line never comes


@pytest.fixture(scope="module", autouse=True)
def descriptors() -> Iterator[None]:
    """This process holds one end of every half-open connection: its soft `ulimit -n` goes up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * HALF_OPEN + 500
    if hard != resource.RLIM_INFINITY and hard < needed:
        try:  # root (CI) may raise the hard limit itself
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            hard = needed
        except (ValueError, OSError):
            pytest.fail(f"`ulimit -Hn` is {hard}; these tests need {needed} file descriptors (raise it)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def connect(base: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=10)


@contextmanager
def half_open(base: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections to the server, each with a request head that stops half-way."""
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            connection = stack.enter_context(connect(base))
            connection.sendall(PARTIAL_HEAD)
            sockets.append(connection)
        yield sockets


def read_until_closed(connection: socket.socket, timeout: float = 15) -> bytes:
    """What the server sends before it closes the connection (b"" for a reset)."""
    connection.settimeout(timeout)
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_a_request_answers_while_2000_connections_never_finish_their_headers(migrated):
    key = create_key(migrated, "Slowloris Desk", "read")
    # A soft limit of 1,024 descriptors is the common default: without the fix the server stops accepting there.
    with live_server(migrated, descriptors=1024) as (base, _), half_open(base, HALF_OPEN):
        response = httpx.get(f"{base}/v1/articles", headers={"Authorization": f"Bearer {key}"}, timeout=20)
        assert response.status_code == 200
        assert httpx.get(f"{base}/healthz", timeout=20).status_code == 200


def test_headers_that_never_finish_are_answered_408_and_closed(migrated):
    with live_server(migrated, header_timeout_s="1") as (base, _), half_open(base, 3) as sockets:
        for connection in sockets:
            head, _, body = read_until_closed(connection).partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 ") and b"content-type: application/problem+json" in head
            assert json.loads(body)["status"] == 408


def test_a_connection_that_sends_nothing_is_closed(migrated):
    with live_server(migrated, header_timeout_s="1") as (base, _), connect(base) as silent:
        assert read_until_closed(silent).startswith(b"HTTP/1.1 408 ")


def test_a_kept_alive_connection_that_stalls_in_its_second_request_is_closed(migrated):
    with live_server(migrated, header_timeout_s="1") as (base, _), connect(base) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + PARTIAL_HEAD)
        received = read_until_closed(connection)
    assert received.startswith(b"HTTP/1.1 200 ") and b"HTTP/1.1 408 " in received


def test_a_slow_but_steady_client_within_the_timeout_is_served(migrated):
    with live_server(migrated, header_timeout_s="3") as (base, _), connect(base) as connection:
        for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"Connection: close\r\n\r\n"):
            connection.sendall(piece)
            time.sleep(0.3)
        assert read_until_closed(connection).startswith(b"HTTP/1.1 200 ")


def answer_within(connection: socket.socket, seconds: float) -> bytes:
    """What the server has sent on `connection` within `seconds` (b"" if nothing)."""
    connection.settimeout(seconds)
    try:
        return connection.recv(4096)
    except TimeoutError:
        return b""


def test_past_the_cap_a_whole_request_is_served_in_place_of_a_stalled_connection(migrated):
    with (
        live_server(migrated, max_connections="20", header_timeout_s="30") as (base, _),
        half_open(base, 25) as stalled,
    ):
        served = httpx.get(f"{base}/healthz", timeout=5)
        assert served.status_code == 200  # at once, not after the 30 s header timeout
        answers = [answer_within(connection, 0.2) for connection in stalled]
        cut = [answer for answer in answers if answer]
        assert len(cut) == 1 and cut[0].startswith(b"HTTP/1.1 408 ")  # one stalled connection gave up its place
        assert answers[0] == cut[0]  # the one that has waited longest


def test_past_the_cap_with_no_stalled_connection_requests_get_503(migrated):
    with live_server(migrated, max_connections="20", header_timeout_s="30") as (base, _), ExitStack() as stack:
        for _ in range(25):  # kept-alive connections that finished a request: busy clients, not stalled ones
            connection = stack.enter_context(connect(base))
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert connection.recv(4096).startswith(b"HTTP/1.1 ")
        refused = httpx.get(f"{base}/healthz", timeout=5)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 503 and refused.json()["type"].endswith("/over-capacity")


def test_connections_past_twice_the_cap_are_closed_at_once(migrated):
    with (
        live_server(migrated, max_connections="10", header_timeout_s="30") as (base, _),
        half_open(base, 20),
        half_open(base, 5) as extra,
    ):
        for connection in extra:
            assert read_until_closed(connection, timeout=10) == b""  # closed without waiting 30 s
