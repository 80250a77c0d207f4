"""CLI commands of the catalog: import, stats."""

from __future__ import annotations

import json
from pathlib import Path

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.models import ImportReport
from paperwire.services import catalog


def echo_report(report: ImportReport) -> None:
    """Print each bad record to stderr and a JSON summary to stdout."""
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors)} more errors", err=True)
    click.echo(json.dumps({"source": report.source, "read": report.read,
                           "inserted": report.inserted, "updated": report.updated,
                           "unchanged": report.unchanged, "merged": report.merged,
                           "errors": report.error_count}))


def finish_import(report: ImportReport) -> None:
    """Report, then exit with status 1 when any record was bad (the good ones are stored)."""
    echo_report(report)
    if report.error_count:
        raise click.ClickException(f"{report.error_count} records could not be imported")


@click.group("import")
def import_group() -> None:
    """Import papers from a file (streaming, idempotent, errors reported per record)."""


@import_group.command("hf")
@click.argument("file", type=click.Path(path_type=Path))
@pass_cli
@cli_errors
def import_hf(cli: CliContext, file: Path) -> None:
    """The HF papers API JSON: a daily_papers or search response, or a list of papers."""
    finish_import(catalog.import_file(cli.store, cli.settings, "hf", file))


@import_group.command("hf-page")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--year", type=int, default=None,
              help="Year of dates written without one (default: the current year).")
@pass_cli
@cli_errors
def import_hf_page(cli: CliContext, file: Path, year: int | None) -> None:
    """The plain-text dump of a Daily Papers page."""
    finish_import(catalog.import_file(cli.store, cli.settings, "hf-page", file, year=year))


@click.command()
@pass_cli
@cli_errors
def stats(cli: CliContext) -> None:
    """Print one JSON object of counts."""
    click.echo(json.dumps(catalog.stats(cli.store), sort_keys=True))


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    for command in (import_group, stats):
        main.add_command(command)
