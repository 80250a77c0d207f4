"""CLI commands that serve the site: serve (one process or ``--workers N``) and demo."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import click

from paperwire.bootstrap import open_store
from paperwire.cli.catalog import echo_report
from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.config import check_serving_secret, env_name
from paperwire.services import demo as demo_catalog

MAX_WORKERS = 64


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
@click.option("--workers", default=1, show_default=True,
              type=click.IntRange(1, MAX_WORKERS),
              help="Worker processes on the one socket; each builds its own services "
                   "(sessions, limits and queues are shared through the database).")
@pass_cli
@cli_errors
def serve(cli: CliContext, host: str, port: int, proxy_headers: bool,
          forwarded_allow_ips: str | None, workers: int) -> None:
    """Serve the configured catalog."""
    check_serving_secret(cli.settings, host)
    proxies = proxy_ips(proxy_headers, forwarded_allow_ips)
    if workers == 1:
        run_server(cli, host, port, proxies)
    else:
        run_workers(cli, host, port, proxies, workers)


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
    """One process: the CLI's own services behind uvicorn."""
    import uvicorn

    from paperwire.web.factory import redact_access_log, serving_app

    cli.listen_on(host, port)
    click.echo(f"search model loaded: {cli.services.search.load_model()}", err=True)  # not on a request
    config = uvicorn.Config(serving_app(cli.services, proxies), host=host, port=port,
                            log_level="info", proxy_headers=proxies is not None,
                            forwarded_allow_ips=proxies or None)
    redact_access_log()  # after uvicorn's set-up
    uvicorn.Server(config).run()


def run_workers(cli: CliContext, host: str, port: int, proxies: list[str] | None,
                workers: int) -> None:
    """``workers`` processes on one socket; uvicorn restarts one that dies. Each builds its
    services from the settings this process leaves in the environment."""
    import uvicorn

    from paperwire.web.factory import WORKER_PROXIES

    cli.listen_on(host, port)
    open_store(cli.settings).close()  # migrations run once, before any worker opens the store
    os.environ[env_name("base_url")] = cli.settings.base_url
    os.environ[WORKER_PROXIES] = json.dumps(proxies)
    click.echo(f"paperwire: {workers} workers on {cli.settings.base_url}/", err=True)
    uvicorn.run("paperwire.web.factory:worker_app", factory=True, host=host, port=port,
                workers=workers, log_level="info", proxy_headers=proxies is not None,
                forwarded_allow_ips=proxies or None)


def register(main: click.Group) -> None:
    """Add this capability's commands to the main group."""
    for command in (serve, demo):
        main.add_command(command)
