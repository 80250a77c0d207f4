"""CLI commands of the digests capability: ``paperwire digest send``, ``digest import`` and
``digest train-models``."""

from __future__ import annotations

from pathlib import Path

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.models_digests import outbox_key
from paperwire.services import digest_send, digests, for_you_pretrain


@click.group("digest")
def digest_group() -> None:
    """Email digests."""


@digest_group.command("send")
@click.option("--period", type=click.Choice(["daily", "weekly"]), default="daily",
              show_default=True, help="Which subscribers and which days.")
@click.option("--date", "day", metavar="YYYY-MM-DD", default=None,
              help="A day of the period (default: the latest daily list / last full week).")
@click.option("--dry-run", is_flag=True, help="Compose and count; queue and send nothing.")
@pass_cli
@cli_errors
def send(cli: CliContext, period: str, day: str | None, dry_run: bool) -> None:
    """Queue this period's digests and send every queued digest (safe to re-run)."""
    services = cli.services
    run = digest_send.send_digests(services.store, services.digest_mailer(), services.settings, period,
                                   day, dry_run, services.interests)
    key = outbox_key(run.period) if run.period else f"{period}:{day or 'latest'}"
    r = run.sending
    click.echo(f"digest {key}: {run.subscribers} subscribers, {run.composed} composed, "
               f"{run.queued} queued, {r.sent} sent, {r.retried} retried, {r.bounced} bounced, "
               f"{r.skipped} skipped, {r.failed} failed{' (dry run)' if dry_run else ''}"
               f"{'; ' + run.note if run.note else ''}")
    if r.stopped:
        raise click.ClickException(r.stopped)
    if not run.ok:
        raise click.ClickException(f"{r.failed} digests failed: " + "; ".join(r.errors[:3]))


@digest_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default="daily",
              show_default=True)
@pass_cli
@cli_errors
def import_(cli: CliContext, file: Path, frequency: str) -> None:
    """Add addresses (one per line) that already agreed to receive the digest elsewhere.
    Unsubscribed, bounced and existing addresses are left as they are."""
    with file.open(encoding="utf-8") as lines:
        result = digests.import_subscribers(cli.store, cli.settings, lines, frequency)
    click.echo(f"subscribers: {result.added} added, {result.kept} already known (unchanged), "
               f"{result.invalid} invalid lines")
    if result.invalid:
        raise click.ClickException(f"{result.invalid} lines are not valid addresses")


@digest_group.command("train-models")
@pass_cli
@cli_errors
def train_models(cli: CliContext) -> None:
    """Train the stale "For you" models of linked subscribers and recent "For you" users
    ahead of the digest (safe to re-run: fresh models are left as they are)."""
    run = for_you_pretrain.pretrain_models(cli.store, cli.settings)
    click.echo(f"for-you models: {run.users} users, {run.trained} trained, {run.fresh} fresh, "
               f"{run.skipped} with nothing to learn")


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    main.add_command(digest_group)
