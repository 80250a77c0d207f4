"""Fixtures for mail and digest tests: settings pointing at the loopback SMTP server."""

from __future__ import annotations

import pytest

from paperwire.config import Settings, load_settings
from tests.smtp_sink import SmtpSink


@pytest.fixture
def mail_env(env: dict[str, str], smtp_server: SmtpSink) -> dict[str, str]:
    """``env`` plus the loopback SMTP server and a send rate fast enough for tests."""
    return {**env, "PAPERWIRE_SMTP_HOST": "127.0.0.1",
            "PAPERWIRE_SMTP_PORT": str(smtp_server.port), "PAPERWIRE_MAIL_RATE": "100000",
            "PAPERWIRE_DIGEST_RETRY_BASE": "0.02"}


@pytest.fixture
def mail_settings(mail_env: dict[str, str]) -> Settings:
    return load_settings(mail_env)

