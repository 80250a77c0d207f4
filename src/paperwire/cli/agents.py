"""CLI commands for agents and enrichment: ``paperwire mcp`` and ``paperwire enrich``."""

from __future__ import annotations

import click

from paperwire.cli.context import CliContext, cli_errors, pass_cli
from paperwire.services.search import SearchService


@click.command("mcp")
@pass_cli
@cli_errors
def mcp(cli: CliContext) -> None:
    """Serve the read-only MCP tools over stdio (for an agent that starts this command)."""
    from paperwire.web.mcp import PaperTools, build_mcp_server

    search = SearchService(cli.settings, cli.store, cli.extras.get("embedder"))
    search.refresh()
    build_mcp_server(PaperTools(cli.settings, cli.store, search)).run("stdio")


def register(main: click.Group) -> None:
    main.add_command(mcp)
