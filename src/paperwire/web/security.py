"""Security headers on every response and the cross-site check for state-changing requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from paperwire.web.deps import services_of

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Paths whose POST is protected by an unguessable token instead (RFC 8058 one-click).
CROSS_SITE_ALLOWED_PREFIXES: list[str] = ["/unsubscribe/"]

Handler = Callable[[Request], Awaitable[Response]]


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


async def security_middleware(request: Request, call_next: Handler) -> Response:
    settings = services_of(request).settings
    path = request.url.path
    exempt = any(path.startswith(prefix) for prefix in CROSS_SITE_ALLOWED_PREFIXES)
    if request.method not in SAFE_METHODS and not exempt and is_cross_site(
        request, settings.base_url
    ):
        message = "Cross-site request refused."
        if path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=403)
        return PlainTextResponse(message, status_code=403)
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
