"""CLI commands of the search capability: ``paperwire index`` and ``paperwire search``."""

from __future__ import annotations

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.services.search import MODES


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Build both indexes anew and swap them in.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@pass_cli
@cli_errors
def index(cli: CliContext, rebuild: bool, quiet: bool) -> None:
    """Bring the keyword and vector indexes up to date with the catalog."""
    report = cli.services.search.index(rebuild=rebuild, progress=not quiet)
    click.echo(f"indexed {report.papers} papers ({report.embedded} embedded, "
               f"{report.keyword_docs} keyword documents); {report.vectors} vectors"
               + (" (rebuilt)" if report.rebuilt else ""))


@click.command("search")
@click.argument("query")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--limit", type=click.IntRange(1, 120), default=10, show_default=True)
@pass_cli
@cli_errors
def search(cli: CliContext, query: str, mode: str, limit: int) -> None:
    """Search the catalog from the terminal (matches in bold)."""
    results = cli.services.search.search(query, mode, limit, refresh=True)
    if not results.hits:
        click.echo("no papers match")
    for rank, hit in enumerate(results.hits, start=1):
        title = "".join(click.style(part["text"], bold=True) if part["type"] == "highlight"
                        else part["text"] for part in hit.highlighted_title)
        click.echo(f"{rank:>3}. {title}  [{hit.paper.id}]")


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    for command in (index, search):
        main.add_command(command)
