"""Settings and concrete classes for CLI commands: the only place (with create_app) that picks
SQLite or another engine, SMTP or a console mailer, from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click

from paperwire.config import Settings, load_settings, with_demo_defaults, with_listen_address
from paperwire.errors import ConfigError, PaperwireError
from paperwire.storage import Store
from paperwire.storage.sqlite import SqliteStore

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliContext:
    environ: Mapping[str, str]
    _settings: Settings | None = None
    _store: Store | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.environ)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def listen_on(self, host: str, port: int) -> None:
        """A server is about to listen on ``host:port``: links follow it unless the base URL is set."""
        try:
            self._settings = with_listen_address(self.settings, self.environ, host, port)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def use_demo_defaults(self) -> None:
        self._settings = with_demo_defaults(self.settings, self.environ)

    def build_extras(self) -> dict[str, Any]:
        """Concrete capability objects (sources, embedder, mailer) chosen from settings."""
        return dict(self.extras)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def open_store(settings: Settings) -> Store:
    """The Store the database URL names."""
    if settings.database_url.startswith("sqlite:///"):
        return SqliteStore(settings.database_path)
    raise ConfigError(
        f"PAPERWIRE_DATABASE_URL={settings.database_url!r}: only sqlite:/// URLs are supported."
    )


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn paperwire's own errors into a one-line message and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PaperwireError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper




pass_cli = click.make_pass_decorator(CliContext)
