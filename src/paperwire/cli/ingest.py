"""CLI commands of the ingest capability: ``ingest oai``, ``ingest arxiv``,
``import arxiv-snapshot`` and ``daily``."""

from __future__ import annotations

from pathlib import Path

import click

from paperwire.cli.agents import enrich
from paperwire.cli.catalog import finish_import
from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.cli.digests import send
from paperwire.cli.search import index
from paperwire.services import ingest as ingest_service
from paperwire.services.ingest_oai import harvest_oai
from paperwire.services.ingest_snapshot import BATCH, import_snapshot
from paperwire.sources.arxiv_oai import FORMATS, oai_set_for


@click.group("ingest")
def ingest_group() -> None:
    """Fetch papers from arXiv (polite: one request at a time, spaced; resumable)."""


@ingest_group.command("oai")
@click.option("--set", "set_spec", default="", help="OAI-PMH set, e.g. cs or physics:hep-th "
              "(default: every set).")
@click.option("--from", "from_", default=None, metavar="YYYY-MM-DD",
              help="First datestamp (default: where the last complete run began).")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last datestamp.")
@click.option("--format", "metadata_format", type=click.Choice(sorted(FORMATS)),
              default="arXivRaw", show_default=True, help="Metadata format (arXivRaw has versions).")
@click.option("--restart", is_flag=True, help="Ignore an unfinished run and start afresh.")
@pass_cli
@cli_errors
def ingest_oai(cli: CliContext, set_spec: str, from_: str | None, until: str | None,
               metadata_format: str, restart: bool) -> None:
    """Harvest arXiv OAI-PMH ListRecords, resuming an interrupted run where it stopped."""
    finish_import(harvest_oai(cli.store, cli.settings, set_spec, from_, until,
                              metadata_format, restart))


@ingest_group.command("arxiv")
@click.option("--categories", default="", help="Comma-separated, e.g. cs.LG,cs.CL "
              "(default: PAPERWIRE_DAILY_CATEGORIES).")
@click.option("--days", default=2.0, show_default=True, type=float,
              help="How far back to go, in days.")
@pass_cli
@cli_errors
def ingest_arxiv(cli: CliContext, categories: str, days: float) -> None:
    """The newest submissions from the arXiv API (daily-list candidates)."""
    cats = [c for c in categories.split(",") if c.strip()]
    finish_import(ingest_service.ingest_arxiv(cli.store, cli.settings, cats, days))


@click.command("arxiv-snapshot")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar with rate and ETA (default: on a terminal).")
@click.option("--batch", default=BATCH, show_default=True, type=click.IntRange(1, 100_000),
              help="Lines per transaction (and checkpoint).")
@click.option("--workers", default=None, type=click.IntRange(0, 64),
              help="Extra processes parsing lines while this one writes (default: 2 with two "
              "cores or more, 0 on one core; about 30-50 MB each).")
@pass_cli
@cli_errors
def import_arxiv_snapshot(cli: CliContext, file: Path, progress: bool | None, batch: int,
                          workers: int | None) -> None:
    """The arXiv metadata snapshot (JSON lines, plain or gzip); resumes after a kill."""
    from tqdm import tqdm

    size = file.stat().st_size if file.is_file() else 0
    with tqdm(total=size, unit="B", unit_scale=True, disable=None if progress is None
              else not progress, desc=file.name, smoothing=0.1) as bar:
        def show(done: int, records: int) -> None:
            bar.update(done - bar.n)
            bar.set_postfix_str(f"{records} records", refresh=False)

        report = import_snapshot(cli.store, file, show, batch, workers)
    finish_import(report)


@click.command("daily")
@click.pass_context
def daily(ctx: click.Context) -> None:
    """Run PAPERWIRE_DAILY_STEPS in order (arxiv, oai, enrich, index, digest); exit 1 if any
    failed."""
    cli: CliContext = ctx.ensure_object(CliContext)
    failed = []
    for step in cli.settings.daily_steps:
        click.echo(f"daily: {step} ...", err=True)
        try:
            run_step(ctx, cli, step)
        except click.exceptions.Exit as exc:
            if exc.exit_code:
                failed.append(step)
        except (click.ClickException, Exception) as exc:  # one step never stops the others
            click.echo(f"daily: step {step} failed: {exc}", err=True)
            failed.append(step)
    if failed:
        raise click.ClickException(f"daily steps failed: {', '.join(failed)}")
    click.echo("daily: all steps done", err=True)


def run_step(ctx: click.Context, cli: CliContext, step: str) -> None:
    """One step of ``daily`` (the settings checked the name): its command, run in ``ctx``."""
    if step == "oai":
        for set_spec in dict.fromkeys(oai_set_for(c) for c in cli.settings.daily_categories):
            ctx.invoke(ingest_oai, set_spec=set_spec)
        return
    commands: dict[str, click.Command] = {"arxiv": ingest_arxiv, "enrich": enrich,
                                          "index": index, "digest": send}
    ctx.invoke(commands[step])


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    main.add_command(ingest_group)
    main.add_command(daily)
    group = main.commands.get("import")
    if not isinstance(group, click.Group):
        group = click.Group("import", help="Import papers from a file.")
        main.add_command(group)
    group.add_command(import_arxiv_snapshot)
