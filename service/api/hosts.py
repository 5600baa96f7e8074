"""The Host check: a request whose Host header is not one of the allowed hosts is refused (400) before anything
reads it, so a foreign Host is never reflected into the ids and links the service writes when FACTMARK_PUBLIC_URL
is unset. Litestar's own AllowedHostsMiddleware matches the header with its port attached, so `localhost:8000`
never matches `localhost` (litestar-org/litestar#4869); this one compares the host alone, as Starlette's
TrustedHostMiddleware does."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.config import Settings
from service.errors import MalformedRequest

# Probes and scrapers address a replica by its IP; these paths write no links, so any Host is fine there.
UNCHECKED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def host_of(header: str) -> str:
    """The host of a Host header, lower-cased, without its port; IPv6 literals keep their brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostCheck:
    """ASGI middleware: `allowed` holds exact hosts, `*.example.org` patterns (a subdomain of example.org), or `*`."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.exact = frozenset(host for host in allowed if not host.startswith("*."))
        self.suffixes = tuple(host[1:] for host in allowed if host.startswith("*."))

    def allows(self, host: str) -> bool:
        return self.any or host in self.exact or (bool(host) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["path"] not in UNCHECKED_PATHS:
            given = Headers.from_scope(scope).get("host", "")
            if not self.allows(host_of(given)):
                raise MalformedRequest(
                    f"the Host {given!r} is not served here (allowed: FACTMARK_ALLOWED_HOSTS, FACTMARK_PUBLIC_URL)"
                )
        await self.app(scope, receive, send)


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The allowed hosts plus the host of the public URL."""
    allowed = {host if host.startswith("*") else host_of(host) for host in settings.allowed_hosts}
    if settings.public_url:
        allowed.add(host_of(urlsplit(settings.public_url).netloc.rpartition("@")[2]))
    return frozenset(allowed)


def host_check(settings: Settings) -> DefineMiddleware:
    """The middleware for `settings`."""
    return DefineMiddleware(HostCheck, allowed=allowed_hosts(settings))
