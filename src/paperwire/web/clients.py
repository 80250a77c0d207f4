"""Who the client is, by network address, and the per-address limit dependency of routes.

Behind a reverse proxy the address is the one the proxy reports, when the server was started
with ``--proxy-headers`` and the proxy is in ``--forwarded-allow-ips`` (uvicorn rewrites the
client before the app sees it)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from paperwire.clock import now_utc
from paperwire.services import limits
from paperwire.web.deps import services_of


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(action: str) -> Callable[[Request], None]:
    """A route dependency counting one ``action`` of the client (429 past its limit)."""
    if action not in limits.ACTIONS:
        raise ValueError(f"unknown limited action {action!r}")

    def check(request: Request) -> None:
        services = services_of(request)
        limits.check_rate(services.store, services.settings, action, client_address(request), now_utc())

    return check
