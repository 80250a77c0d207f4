"""The MCP tools through the SDK's own client: over stdio (``paperwire mcp`` as a
subprocess) and over streamable HTTP (``/mcp`` on a live loopback server)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from paperwire.bootstrap import build_services, open_store
from paperwire.config import Settings, load_settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from paperwire.web.mcp import CallLimiter
from tests.helpers import load_demo
from tests.live_server import serving
from tests.search_helpers import search_env

TOOLS = {"search_papers", "daily_papers", "trending", "get_paper", "similar_papers"}


@pytest.fixture(scope="module")
def catalog_env(tmp_path_factory: pytest.TempPathFactory,
                embedder: OnnxEmbedder) -> Iterator[tuple[dict[str, str], Settings, SqliteStore]]:
    env = search_env(tmp_path_factory.mktemp("mcp"))
    settings = load_settings(env)
    store = open_store(settings)
    load_demo(store, settings)
    SearchService(settings, store, embedder).index()
    yield env, settings, store
    store.close()


def payload(result: Any) -> Any:
    assert not result.is_error, result.content
    structured = result.structured_content
    assert structured is not None and "result" in structured
    value = structured["result"]
    texts = [block.text for block in result.content]
    assert texts == [value] if isinstance(value, str) else [json.loads(t) for t in texts] == value
    return value


async def exercise(client: Client) -> dict[str, Any]:
    tools = await client.list_tools()
    seen: dict[str, Any] = {"tools": {t.name for t in tools.tools}}
    seen["search"] = payload(await client.call_tool(
        "search_papers", {"query": "kazakh question answering", "mode": "keyword",
                          "filters": {"has_code": True}, "limit": 3}))
    seen["daily"] = payload(await client.call_tool(
        "daily_papers", {"month": "2025-07", "sort": "upvotes", "limit": 5}))
    seen["trending"] = payload(await client.call_tool("trending", {"period": "month"}))
    seen["paper"] = payload(await client.call_tool("get_paper", {"id": "2404.04487"}))
    seen["similar"] = payload(await client.call_tool("similar_papers",
                                                     {"id": "2404.04487", "limit": 3}))
    seen["missing"] = await client.call_tool("get_paper", {"id": "2501.99999"})
    return seen


def check(seen: dict[str, Any]) -> None:
    assert seen["tools"] == TOOLS
    assert seen["search"][0]["paper"]["id"] == "2404.04487"
    assert all(item["paper"]["githubRepo"] for item in seen["search"])
    upvotes = [item["paper"]["upvotes"] for item in seen["daily"]]
    assert 0 < len(upvotes) <= 5 and upvotes == sorted(upvotes, reverse=True)
    assert all(item["publishedAt"].startswith("2025-07") for item in seen["daily"])
    assert isinstance(seen["trending"], list)
    assert seen["paper"].startswith("# KazQAD") and "## Abstract" in seen["paper"]
    assert len(seen["similar"]) == 3 and all("Kaz" in p["title"] for p in seen["similar"])
    assert seen["missing"].is_error and "not in the catalog" in seen["missing"].content[0].text


def test_tools_over_stdio(catalog_env: tuple[dict[str, str], Settings, SqliteStore]) -> None:
    env, _, _ = catalog_env
    params = StdioServerParameters(command=sys.executable, args=["-m", "paperwire", "mcp"],
                                   env={**os.environ, **env})

    async def run() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=120) as client:
            return await exercise(client)

    check(asyncio.run(run()))


def test_tools_over_streamable_http(
        catalog_env: tuple[dict[str, str], Settings, SqliteStore], embedder: OnnxEmbedder,
        tmp_path: Path) -> None:
    _, settings, store = catalog_env
    on = replace(settings, mcp_http=True, base_url="http://127.0.0.1")
    app = create_app(build_services(on, store=store, embedder=embedder))

    async def run(url: str) -> dict[str, Any]:
        async with Client(url, read_timeout_seconds=120) as client:
            return await exercise(client)

    with serving(app) as base:
        check(asyncio.run(run(f"{base}/mcp")))


def test_http_endpoint_is_off_by_default(
        catalog_env: tuple[dict[str, str], Settings, SqliteStore]) -> None:
    from fastapi.testclient import TestClient

    _, settings, store = catalog_env
    with TestClient(create_app(build_services(settings, store=store))) as client:
        assert client.post("/mcp", json={}).status_code in (404, 405)


def test_calls_are_rate_limited_across_worker_processes(
        catalog_env: tuple[dict[str, str], Settings, SqliteStore]) -> None:
    _, settings, store = catalog_env
    now = [datetime.now(UTC) + timedelta(days=1)]  # after the calls of the other tests
    other = open_store(settings)  # another worker process's store
    try:
        first = CallLimiter(store, 2, clock=lambda: now[0])
        second = CallLimiter(other, 2, clock=lambda: now[0])
        first.check()
        second.check()
        with pytest.raises(Exception, match="rate limit"):
            first.check()
        now[0] += timedelta(seconds=61)
        second.check()
    finally:
        other.close()
