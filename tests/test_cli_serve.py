"""``paperwire serve``: the secret check off loopback, reverse-proxy headers, and an access
log without tokens, against a real server process on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from paperwire.cli import main
from paperwire.config import ConfigError, load_settings
from tests.browser import running_paperwire
from tests.helpers import free_port

PUBLIC = {"Origin": "https://papers.example.org", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "papers.example.org"}


@pytest.mark.parametrize("secret", ["", "x", "short-secret-of-31-bytes-000000"])
def test_serving_off_loopback_refuses_a_default_or_short_secret(
        tmp_path: Path, secret: str) -> None:
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
           "PAPERWIRE_BASE_URL": "http://127.0.0.1:8000"}
    if secret:
        env["PAPERWIRE_SECRET_KEY"] = secret
    for command in ("serve", "demo"):
        result = CliRunner(env=env).invoke(main, [command, "--host", "0.0.0.0"])
        assert result.exit_code == 1, result.output
        assert "PAPERWIRE_SECRET_KEY" in result.output and "0.0.0.0" in result.output
    with pytest.raises(ConfigError, match="shorter than 32 bytes"):
        load_settings({"PAPERWIRE_BASE_URL": "https://papers.example.org",
                       "PAPERWIRE_SECRET_KEY": "x"})


def server_env(tmp_path: Path, port: int) -> dict[str, str]:
    return {"PAPERWIRE_DATA_DIR": str(tmp_path / "data"), "PAPERWIRE_SEARCH_REFRESH": "0",
            "PAPERWIRE_SECRET_KEY": "serve-test-secret-0123456789-abcdefghij",
            "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}", "PAPERWIRE_MAILER": "console"}


def login_behind_proxy(base: str) -> int:
    with httpx.Client(base_url=base, headers=PUBLIC) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        answer = browser.post("/login", data={"username": "nobody", "password": "wrong-pass-1",
                                              "csrf_token": token.group(1)})
        return answer.status_code


def test_behind_a_tls_proxy_forms_work_only_with_proxy_headers(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, port)
    with running_paperwire(["serve", "--port", str(port)], env, port, tmp_path / "a.log") as base:
        assert login_behind_proxy(base) == 403  # the Origin is not the site's own
    args = ["serve", "--port", str(port), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    with running_paperwire(args, env, port, tmp_path / "b.log") as base:
        assert login_behind_proxy(base) == 400  # reached the form: a wrong password


def test_tokens_stay_out_of_the_access_log(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    secrets = ["ResetTokenAAAA1111", "ConfirmTokenBBBB2222", "PrefsTokenCCCC3333",
               "UnsubTokenDDDD4444", "PreviewTokenEEEE5555"]
    paths = [f"/reset/{secrets[0]}", f"/subscribe/confirm/{secrets[1]}",
             f"/subscriptions/{secrets[2]}", f"/unsubscribe/{secrets[3]}",
             f"/digest/preview?token={secrets[4]}"]
    with running_paperwire(["serve", "--port", str(port)], server_env(tmp_path, port), port,
                           log) as base:
        for path in paths:
            httpx.get(base + path)
    text = log.read_text()
    assert "/reset/[redacted]" in text and "/unsubscribe/[redacted]" in text
    assert "token=[redacted]" in text
    assert not [s for s in secrets if s in text], text
