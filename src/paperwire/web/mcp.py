"""The MCP server (official ``mcp`` SDK): read-only tools for AI agents.

Tools: ``search_papers``, ``daily_papers``, ``trending``, ``get_paper`` (the paper as
Markdown) and ``similar_papers``. ``paperwire mcp`` serves them over stdio; with
``PAPERWIRE_MCP_HTTP`` on, the site serves them over streamable HTTP at ``/mcp``. Calls
are limited to ``PAPERWIRE_MCP_CALLS_PER_MINUTE`` per site, counted in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from paperwire import __version__
from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import PaperwireError, PermissionDenied
from paperwire.periods import day_period, month_period, week_period
from paperwire.services import catalog, papers_api
from paperwire.services.search import SearchService
from paperwire.storage import Store
from paperwire.web.hf_shapes import build_daily_item, build_paper
from paperwire.web.routes.search import build_filters, build_search_item

MAX_TOOL_LIMIT = 50
CALLS_BUCKET = "mcp-call"
MINUTE = timedelta(minutes=1)


class CallLimiter:
    """At most ``per_minute`` calls in any 60 seconds, counted in the database: every worker
    process of a site (and ``paperwire mcp``) takes its calls from the same count."""

    def __init__(self, store: Store, per_minute: int,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.store = store
        self.per_minute = per_minute
        self.clock = clock

    def check(self) -> None:
        now = self.clock()
        if not self.store.take_rate_slot(CALLS_BUCKET, "all", now, now - MINUTE,
                                         self.per_minute):
            raise PermissionDenied(f"rate limit: {self.per_minute} calls a minute; "
                                   "retry within a minute")


class PaperTools:
    """The tools' logic over the services (plain methods, so errors stay paperwire's)."""

    def __init__(self, settings: Settings, store: Store, search: SearchService) -> None:
        self.settings, self.store, self.search = settings, store, search
        self.limiter = CallLimiter(store, settings.mcp_calls_per_minute)

    def search_papers(self, query: str, mode: str, filters: dict[str, Any],
                      limit: int) -> list[dict[str, Any]]:
        self.limiter.check()
        wanted = build_filters(filters.get("date_from"), filters.get("date_to"),
                               filters.get("category"), filters.get("organization"),
                               bool(filters.get("has_code")))
        results = self.search.search(query, mode, _bounded(limit), 0, wanted, refresh=False)
        return [build_search_item(hit, self.settings.base_url) for hit in results.hits]

    def daily_papers(self, date: str | None, week: str | None, month: str | None, sort: str,
                     limit: int) -> list[dict[str, Any]]:
        self.limiter.check()
        period = catalog.resolve_period(self.store, self.settings, date, week, month)
        listing = catalog.daily_listing(self.store, period, sort, 0, _bounded(limit),
                                        gravity=self.settings.trending_gravity)
        return [build_daily_item(entry, self.settings.base_url) for entry in listing.page.items]

    def trending(self, period: str, limit: int) -> list[dict[str, Any]]:
        self.limiter.check()
        day = catalog.latest_day(self.store, self.settings)
        span = {"day": day_period(day), "week": week_period(day),
                "month": month_period(day.year, day.month)}[period]
        listing = catalog.daily_listing(self.store, span, "trending", 0, _bounded(limit),
                                        gravity=self.settings.trending_gravity)
        return [build_daily_item(entry, self.settings.base_url) for entry in listing.page.items]

    def get_paper(self, paper_id: str, comments: bool) -> str:
        self.limiter.check()
        return papers_api.paper_markdown(self.store, paper_id, comments)

    def similar_papers(self, paper_id: str, limit: int) -> list[dict[str, Any]]:
        self.limiter.check()
        return [build_paper(p) for p in self.search.similar(paper_id, _bounded(limit),
                                                            refresh=False)]


def _bounded(limit: int) -> int:
    return max(1, min(MAX_TOOL_LIMIT, limit))


def _safely(call: Any) -> Any:
    """A paperwire error becomes the tool's error message (the SDK marks it isError)."""
    try:
        return call()
    except PaperwireError as exc:
        raise ToolError(str(exc)) from exc


def build_mcp_server(tools: PaperTools) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        name="paperwire", version=__version__,
        instructions="Read-only tools over this paperwire catalog: search, daily lists, "
                     "trending, a paper as Markdown, similar papers.")

    @server.tool()
    def search_papers(query: str, mode: Literal["hybrid", "keyword", "semantic"] = "hybrid",
                      filters: dict[str, Any] | None = None,
                      limit: int = 10) -> list[dict[str, Any]]:
        """Search papers. filters: date_from, date_to (YYYY-MM-DD), category (e.g. cs.CL,
        comma-separated), organization, has_code (true/false)."""
        return _safely(lambda: tools.search_papers(query, mode, filters or {}, limit))  # type: ignore[no-any-return]

    @server.tool()
    def daily_papers(date: str | None = None, week: str | None = None,
                     month: str | None = None,
                     sort: Literal["publishedAt", "upvotes", "comments", "trending"] = "upvotes",
                     limit: int = 20) -> list[dict[str, Any]]:
        """The daily list of a date (YYYY-MM-DD), an ISO week (YYYY-Www) or a month (YYYY-MM);
        the latest day when none is given."""
        return _safely(lambda: tools.daily_papers(date, week, month, sort, limit))  # type: ignore[no-any-return]

    @server.tool()
    def trending(period: Literal["day", "week", "month"] = "week",
                 limit: int = 20) -> list[dict[str, Any]]:
        """Trending papers of the latest day, week or month."""
        return _safely(lambda: tools.trending(period, limit))  # type: ignore[no-any-return]

    @server.tool()
    def get_paper(id: str, comments: bool = False) -> str:
        """One paper as Markdown: title, authors, links, keywords, abstract (and comments)."""
        return _safely(lambda: tools.get_paper(id, comments))  # type: ignore[no-any-return]

    @server.tool()
    def similar_papers(id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Papers nearest in meaning to the paper ``id``."""
        return _safely(lambda: tools.similar_papers(id, limit))  # type: ignore[no-any-return]

    return server


def http_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection: only the site's own host (and loopback) may call."""
    host = settings.base_url.split("://", 1)[1].split("/", 1)[0]
    hosts = [host, "127.0.0.1:*", "localhost:*", "127.0.0.1", "localhost"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=[settings.base_url.rstrip("/")])
