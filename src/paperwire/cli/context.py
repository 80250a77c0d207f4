"""What CLI commands run with: the settings and the ``Services`` built from them, once per
invocation (``paperwire.bootstrap`` picks the concrete classes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from paperwire.bootstrap import Services, build_services
from paperwire.config import Settings, load_settings, with_demo_defaults, with_listen_address
from paperwire.errors import ConfigError, PaperwireError
from paperwire.storage import Store

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliContext:
    environ: Mapping[str, str]
    _settings: Settings | None = None
    _services: Services | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.environ)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._settings

    @property
    def services(self) -> Services:
        """Built on first use, closed when the command ends."""
        if self._services is None:
            try:
                self._services = build_services(self.settings)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._services

    @property
    def store(self) -> Store:
        return self.services.store

    def listen_on(self, host: str, port: int) -> None:
        """A server is about to listen on ``host:port``: links follow it unless the base URL is set."""
        try:
            self._use_settings(with_listen_address(self.settings, self.environ, host, port))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def use_demo_defaults(self) -> None:
        self._use_settings(with_demo_defaults(self.settings, self.environ))

    def _use_settings(self, settings: Settings) -> None:
        """Settings change only before the services are built from them."""
        if self._services is not None and settings != self._services.settings:
            raise RuntimeError("settings changed after the services were built from them")
        self._settings = settings

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None


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
