"""A loopback fake of GitHub's ``GET /repos/{owner}/{repo}``: ETags and 304s, a token check,
rate-limit headers and a 403 once the budget is spent. It records every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeGithub:
    stars: dict[str, int] = field(default_factory=dict)
    budget: int = 100
    reset: int = 1_900_000_000
    token: str | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    def etag(self, name: str) -> str:
        return f'"{name}-{self.stars[name]}"'


def _handler(fake: FakeGithub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            fake.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            if fake.token and self.headers.get("Authorization") != f"Bearer {fake.token}":
                return self._send(401, {"message": "Bad credentials"})
            if fake.budget <= 0:
                return self._send(403, {"message": "API rate limit exceeded"}, remaining=0)
            name = self.path.removeprefix("/repos/")
            if name not in fake.stars:
                fake.budget -= 1
                return self._send(404, {"message": "Not Found"})
            if self.headers.get("If-None-Match") == fake.etag(name):
                return self._send(304, None, etag=fake.etag(name))
            fake.budget -= 1
            return self._send(200, {"full_name": name, "stargazers_count": fake.stars[name]},
                              etag=fake.etag(name))

        def _send(self, status: int, body: object, etag: str | None = None,
                  remaining: int | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-RateLimit-Remaining",
                             str(fake.budget if remaining is None else remaining))
            self.send_header("X-RateLimit-Reset", str(fake.reset))
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_github(fake: FakeGithub) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
