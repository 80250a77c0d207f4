"""The composition root: one ``Services`` built from settings, used by the app and the CLI."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.cli import main
from paperwire.cli.context import CliContext
from paperwire.config import Settings, load_settings
from paperwire.errors import ConfigError
from paperwire.mail import ConsoleMailer, SmtpMailer
from paperwire.models import IncomingPaper, Paper
from paperwire.services.digest_interests import UpvoteInterests
from paperwire.storage.postgres import PostgresStore
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app


def test_every_part_is_built_from_the_settings(env: dict[str, str]) -> None:
    settings = load_settings({**env, "PAPERWIRE_ARXIV_API_URL": "http://127.0.0.1:9/api"})
    services = build_services(settings)
    try:
        if settings.database_url.startswith("sqlite:"):
            assert isinstance(services.store, SqliteStore)
            assert settings.database_path.exists()
        else:
            assert isinstance(services.store, PostgresStore)
        assert isinstance(services.mailer, SmtpMailer)
        assert services.paper_fetcher.url == "http://127.0.0.1:9/api"
        assert services.search.store is services.store
        assert isinstance(services.interests, UpvoteInterests)
        assert services.interests.store is services.store
    finally:
        services.close()


def test_the_mailer_setting_picks_the_console_mailer(env: dict[str, str]) -> None:
    services = build_services(load_settings({**env, "PAPERWIRE_MAILER": "console"}))
    try:
        assert isinstance(services.mailer, ConsoleMailer)
    finally:
        services.close()


def test_given_parts_are_used_as_they_are(settings: Settings, store: SqliteStore) -> None:
    mailer = ConsoleMailer(io.StringIO())
    services = build_services(settings, store=store, mailer=mailer)
    assert services.store is store and services.mailer is mailer
    services.paper_fetcher.close()


def test_an_unsupported_database_url_is_refused(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="PAPERWIRE_DATABASE_URL"):
        build_services(replace(settings, database_url="mysql://db/papers"))


def test_the_app_serves_from_the_services_it_is_given(settings: Settings,
                                                      store: SqliteStore) -> None:
    services = build_services(settings, store=store)
    app = create_app(services)
    assert app.state.services is services
    store.upsert_papers([IncomingPaper(Paper(id="2501.00001", title="Given store"))])
    with TestClient(app, base_url="http://testserver") as client:
        assert client.get("/healthz").json() == {"status": "ok", "papers": 1, "database": "writable"}
    services.close()


def test_the_cli_builds_one_services_object(env: dict[str, str]) -> None:
    cli = CliContext(environ=env)
    try:
        assert cli.services is cli.services
        assert cli.store is cli.services.store
    finally:
        cli.close()


def test_a_wrong_choice_stops_the_cli_at_once_naming_it(env: dict[str, str]) -> None:
    result = CliRunner(env={**env, "PAPERWIRE_EMBEDDER": "hub"}).invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "PAPERWIRE_EMBEDDER='hub' must be 'package', 'dir' or 'static'" in result.output
