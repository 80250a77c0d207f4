"""CLI commands of the database: ``db copy`` moves a whole instance to another database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click

from paperwire.bootstrap import open_store_url
from paperwire.cli.context import cli_errors
from paperwire.errors import InvalidInput
from paperwire.services import db_copy


def describe_url(url: str) -> str:
    """The URL without its password; a SQLite file by its absolute path."""
    if url.startswith("sqlite:///"):
        return "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))


@click.group("db")
def db_group() -> None:
    """The database: copy a whole instance to another database."""


@db_group.command("copy")
@click.argument("source_url")
@click.argument("target_url")
@cli_errors
def copy(source_url: str, target_url: str) -> None:
    """Copy everything from SOURCE_URL into the empty database TARGET_URL (sqlite:///PATH or
    postgresql://…), in batches; run it again to resume a copy that was stopped. Each table is
    then compared (rows and SHA-256 of its content) and the result printed."""
    source_name = describe_url(source_url)
    if source_name == describe_url(target_url):
        raise InvalidInput("the source and the destination are the same database")
    source = open_store_url(source_url, "source", must_exist=True)
    target = open_store_url(target_url, "destination")
    try:
        total = db_copy.count_rows(source)
        with click.progressbar(length=total, label="copying rows", file=sys.stderr) as bar:
            report = db_copy.copy_database(source, target, source_name, bar.update)
    finally:
        source.close()
        target.close()
    echo_report(report)
    if not report.same:
        raise click.ClickException("the copy differs from the source (see the tables above)")


def echo_report(report: db_copy.CopyReport) -> None:
    """One line per table, then a JSON summary."""
    for check in report.tables:
        state = "same" if check.same else (f"DIFFERS: {check.copied_rows} rows, "
                                           f"sha256 {check.copied_hash[:16]}")
        click.echo(f"{check.table:28} {check.source_rows:>9} rows  "
                   f"sha256 {check.source_hash[:16]}  {state}")
    click.echo(json.dumps({"tables": len(report.tables),
                           "rows": sum(c.source_rows for c in report.tables),
                           "written": report.rows, "resumed": report.resumed,
                           "same": report.same}))


def register(main: click.Group) -> None:
    main.add_command(db_group)
