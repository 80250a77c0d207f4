"""CLI commands for agents and enrichment: ``paperwire mcp``, ``enrich`` and ``thumbnails``."""

from __future__ import annotations

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.services import enrichment, thumbnails
from paperwire.sources.github import GithubSource


@click.command("mcp")
@pass_cli
@cli_errors
def mcp(cli: CliContext) -> None:
    """Serve the read-only MCP tools over stdio (for an agent that starts this command)."""
    from paperwire.web.mcp import PaperTools, build_mcp_server

    search = cli.services.search
    search.refresh()
    build_mcp_server(PaperTools(cli.settings, cli.store, search)).run("stdio")


@click.command("enrich")
@pass_cli
@cli_errors
def enrich(cli: CliContext) -> None:
    """Fill code links, project pages and keywords; refresh GitHub stars when allowed."""
    source = GithubSource(cli.settings) if cli.settings.github_stars else None
    try:
        report = enrichment.enrich(cli.store, cli.settings, source)
    finally:
        if source is not None:
            source.close()
    click.echo(f"enriched: {report.links} papers got links, {report.keywords} got keywords, "
               f"{report.repos_checked} repositories checked "
               f"({report.repos_not_modified} unchanged)")
    if report.stars_skipped:
        click.echo(f"stars: {report.stars_skipped}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if cli.settings.thumbnails:
        run_thumbnails(cli, 100)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} repositories could not be checked")


@click.command("thumbnails")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="Most papers to make a thumbnail for in this run.")
@pass_cli
@cli_errors
def make_thumbnails(cli: CliContext, limit: int) -> None:
    """Draw the first page of arXiv papers that have no thumbnail yet (from their PDFs)."""
    run_thumbnails(cli, limit)


def run_thumbnails(cli: CliContext, limit: int) -> None:
    report = thumbnails.make_thumbnails(cli.store, cli.settings, limit)
    click.echo(f"thumbnails: {report.made} made, {len(report.errors)} failed")
    for error in report.errors:
        click.echo(f"thumbnail not made: {error}", err=True)


def register(main: click.Group) -> None:
    main.add_command(mcp)
    main.add_command(enrich)
    main.add_command(make_thumbnails)
