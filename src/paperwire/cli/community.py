"""CLI commands of the community capability: ``paperwire users ...``."""

from __future__ import annotations

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.services import accounts, organizations


@click.group("users")
def users() -> None:
    """Manage accounts."""


@users.command("make-admin")
@click.argument("name")
@pass_cli
@cli_errors
def make_admin(cli: CliContext, name: str) -> None:
    """Give the account NAME the administrator role."""
    accounts.make_admin(cli.store, name)
    click.echo(f"{name} is now an administrator.")


@users.command("remove-admin")
@click.argument("name")
@pass_cli
@cli_errors
def remove_admin(cli: CliContext, name: str) -> None:
    """Take the administrator role from the account NAME."""
    accounts.make_admin(cli.store, name, is_admin=False)
    click.echo(f"{name} is no longer an administrator.")


@users.command("link-author")
@click.argument("name")
@click.argument("handle")
@pass_cli
@cli_errors
def link_author(cli: CliContext, name: str, handle: str) -> None:
    """Link the imported author handle HANDLE to the account NAME (after checking who it is)."""
    organizations.link_author(cli.store, handle, name)
    click.echo(f"{handle} is now linked to {name}: papers listing it count as theirs.")


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    main.add_command(users)
