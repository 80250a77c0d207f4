"""Behind a TLS reverse proxy: take the public host from ``X-Forwarded-Host``.

uvicorn's own proxy support (``--proxy-headers``) already takes the scheme from
``X-Forwarded-Proto`` and the client from ``X-Forwarded-For``, for trusted proxies only; this
plain ASGI middleware does the same for the host, so that the site's own origin
(``https://papers.example.org``) is what the cross-site check compares a form's Origin with.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send


class ForwardedHostMiddleware:
    def __init__(self, app: ASGIApp, trusted: Sequence[str]) -> None:
        self.app = app
        self.trusted = {t.strip() for t in trusted if t.strip()}

    def _is_trusted(self, scope: Scope) -> bool:
        client = scope.get("client")
        return "*" in self.trusted or (client is not None and client[0] in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._is_trusted(scope):
            headers = list(scope["headers"])
            forwarded = [v for k, v in headers if k == b"x-forwarded-host"]
            if forwarded:
                host = forwarded[-1].split(b",")[-1].strip()
                headers = [(k, v) for k, v in headers if k != b"host"] + [(b"host", host)]
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)
