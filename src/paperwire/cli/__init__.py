"""The ``paperwire`` command. Each capability adds its commands from its own module.

Commands are thin: parse options, call a service, print. Errors from services become
``click.ClickException`` here, so every failure exits non-zero with a one-line message.
"""

from __future__ import annotations

import os

import click

from paperwire.cli import (
    agents,
    catalog,
    community,
    database,
    digests,
    ingest,
    search,
    serve,
)
from paperwire.cli.context import CliContext


@click.group()
@click.version_option(package_name="paperwire")
@click.pass_context
def main(ctx: click.Context) -> None:
    """paperwire: daily papers, search, community and email digests."""
    ctx.obj = CliContext(environ=dict(os.environ))
    ctx.call_on_close(ctx.obj.close)


for _module in (catalog, serve, ingest, search, community, digests, agents, database):
    _module.register(main)
