"""CLI commands of the search capability: ``paperwire index`` and ``paperwire search``."""

from __future__ import annotations

import click

from paperwire.bootstrap import open_store
from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.services.backfill import BackfillReport, ray_available, run_backfill
from paperwire.services.search_results import MODES


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Build both indexes anew and swap them in.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--backfill", is_flag=True,
              help="First embed every paper lacking a current vector, in chunks.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="", default=None,
              metavar="[ADDRESS]", help="Backfill on a Ray cluster (no ADDRESS: "
              "PAPERWIRE_RAY_ADDRESS, else a local cluster).")
@click.option("--workers", type=click.IntRange(1, 4096), default=2, show_default=True,
              help="Ray actors for the backfill, one CPU and one model each.")
@click.option("--chunk", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Papers per backfill chunk (one read, one write).")
@pass_cli
@cli_errors
def index(cli: CliContext, rebuild: bool, quiet: bool, backfill: bool, ray_address: str | None,
          workers: int, chunk: int) -> None:
    """Bring the keyword and vector indexes up to date with the catalog."""
    svc = cli.services.search
    if backfill or ray_address is not None:
        address = _ray_address(ray_address, cli.settings.ray_address)
        _echo_backfill(run_backfill(cli.settings, cli.store, open_store, svc.embedder, address,
                                    workers, chunk, progress=not quiet), address)
    report = svc.index(rebuild=rebuild, progress=not quiet)
    click.echo(f"indexed {report.papers} papers ({report.embedded} embedded, "
               f"{report.keyword_docs} keyword documents); {report.vectors} vectors"
               + (" (rebuilt)" if report.rebuilt else ""))


def _ray_address(option: str | None, setting: str) -> str | None:
    """None: in-process; "": a local cluster; else the cluster's address."""
    if option:
        return option
    return setting if option is not None or setting else None


def _echo_backfill(report: BackfillReport, address: str | None) -> None:
    if address is not None and not ray_available():
        click.echo("ray is not installed (pip install 'paperwire[cluster]'): "
                   "backfilling in this process", err=True)
    where = f"ray, {report.workers} workers" if report.engine == "ray" else report.engine
    click.echo(f"backfilled {report.embedded} of {report.missing} papers lacking a vector "
               f"in {report.seconds:.1f} s ({report.rate:.0f} papers/s, {where})")


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
