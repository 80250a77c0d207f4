"""Security headers on every response and the cross-site check for state-changing requests."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperwire.web.deps import services_of

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Paths whose POST is protected by an unguessable token instead (RFC 8058 one-click).
CROSS_SITE_ALLOWED_PREFIXES: list[str] = ["/unsubscribe/"]


def is_cross_site(request: Request, base_url: str) -> bool:
    """True when a browser says the request came from another site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    allowed = {_origin_of(base_url), _origin_of(str(request.base_url))}
    return _origin_of(origin) not in allowed


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SecurityMiddleware:
    """Security headers on every response; a state-changing request a browser says came
    from another site is refused (403). Plain ASGI: no task or stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = refusal(request)
        if refused is not None:
            await refused(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def refusal(request: Request) -> Response | None:
    """The 403 answer to a cross-site state-changing request, None for any other."""
    path = request.url.path
    exempt = any(path.startswith(prefix) for prefix in CROSS_SITE_ALLOWED_PREFIXES)
    if request.method in SAFE_METHODS or exempt or not is_cross_site(
            request, services_of(request).settings.base_url):
        return None
    message = "Cross-site request refused."
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=403)
    return PlainTextResponse(message, status_code=403)


def add_security_headers(headers: MutableHeaders) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
