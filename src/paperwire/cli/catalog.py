"""CLI commands of the catalog: import, stats, serve, demo."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.config import check_serving_secret
from paperwire.models import ImportReport
from paperwire.services import catalog
from paperwire.services import demo as demo_catalog


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


def server_options(func: Callable[..., None]) -> Callable[..., None]:
    """--host, --port and the reverse-proxy options shared by serve and demo."""
    for option in reversed([
        click.option("--host", default="127.0.0.1", show_default=True),
        click.option("--port", default=8000, show_default=True, type=int),
        click.option("--proxy-headers", is_flag=True,
                     help="Behind a reverse proxy: trust its X-Forwarded-Proto, -For and "
                          "-Host headers (see docs/deploy.md)."),
        click.option("--forwarded-allow-ips", default=None,
                     help="Comma-separated proxy addresses to trust ('*': any); implies "
                          "--proxy-headers. Default with --proxy-headers: 127.0.0.1."),
    ]):
        func = option(func)
    return func


@click.command()
@server_options
@pass_cli
@cli_errors
def serve(cli: CliContext, host: str, port: int, proxy_headers: bool,
          forwarded_allow_ips: str | None) -> None:
    """Serve the configured catalog."""
    check_serving_secret(cli.settings, host)
    run_server(cli, host, port, proxy_ips(proxy_headers, forwarded_allow_ips))


@click.command()
@server_options
@pass_cli
@cli_errors
def demo(cli: CliContext, host: str, port: int, proxy_headers: bool,
         forwarded_allow_ips: str | None) -> None:
    """Load the demo corpus into an empty catalog, then serve the site (mail: /dev/mail)."""
    check_serving_secret(cli.settings, host)
    cli.use_demo_defaults()
    cli.listen_on(host, port)
    cli.settings.data_dir.mkdir(parents=True, exist_ok=True)
    if cli.store.count_papers() == 0:
        for report in demo_catalog.load_demo(cli.store, cli.settings):
            echo_report(report)
    base = cli.settings.base_url
    click.echo(f"paperwire demo: {base}/ ({cli.store.count_papers()} papers; mail: {base}/dev/mail)")
    run_server(cli, host, port, proxy_ips(proxy_headers, forwarded_allow_ips))


def proxy_ips(proxy_headers: bool, allow_ips: str | None) -> list[str] | None:
    """The trusted proxy addresses, or None when proxy headers are ignored."""
    if allow_ips is not None:
        return [ip.strip() for ip in allow_ips.split(",") if ip.strip()]
    return ["127.0.0.1"] if proxy_headers else None


def run_server(cli: CliContext, host: str, port: int, proxies: list[str] | None = None) -> None:
    import uvicorn

    from paperwire.web.access_log import RedactTokens
    from paperwire.web.app import create_app
    from paperwire.web.proxy import ForwardedHostMiddleware

    cli.listen_on(host, port)
    click.echo(f"search model loaded: {cli.services.search.load_model()}", err=True)  # not on a request
    app: Any = create_app(cli.services)
    if proxies is not None:
        app = ForwardedHostMiddleware(app, proxies)
    config = uvicorn.Config(app, host=host, port=port, log_level="info",
                            proxy_headers=proxies is not None,
                            forwarded_allow_ips=proxies or None)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())  # after uvicorn's set-up
    uvicorn.Server(config).run()


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    for command in (import_group, stats, serve, demo):
        main.add_command(command)
