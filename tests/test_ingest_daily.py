"""``paperwire daily``: runs the configured steps in order and exits 1 when any failed."""

from __future__ import annotations

import os

import click
from click.testing import CliRunner

from paperwire.cli import ingest as ingest_cli
from paperwire.cli import main
from paperwire.cli.context import CliContext
from tests.fake_arxiv import FakeArxiv, Fault


def group_with_steps(calls: list[str]) -> click.Group:
    """A paperwire-like root with stand-in ``index`` and ``digest send`` commands."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = CliContext(environ=dict(os.environ))

    @root.command("index")
    def index() -> None:
        calls.append("index")

    @root.group("digest")
    def digest() -> None:
        pass

    @digest.command("send")
    def send() -> None:
        calls.append("digest")
        raise click.ClickException("smtp down")

    ingest_cli.register(root)
    return root


def test_daily_arxiv_and_oai(ingest_env: dict[str, str], fake: FakeArxiv) -> None:
    env = {**ingest_env, "PAPERWIRE_DAILY_STEPS": "arxiv,oai",
           "PAPERWIRE_DAILY_CATEGORIES": "cs.LG,cs.AI,math.GT,hep-th"}
    result = CliRunner(env=env).invoke(main, ["daily"])
    assert result.exit_code == 0, result.output
    paths = [(r.path, r.query.get("set")) for r in fake.requests]
    assert paths[0][0] == "/api/query"
    sets = [s for p, s in paths if p == "/oai" and s]
    assert sets == ["cs", "math", "physics:hep-th"]
    assert "daily: all steps done" in result.stderr


def test_steps_run_in_order_and_a_failure_exits_1(ingest_env: dict[str, str],
                                                   fake: FakeArxiv) -> None:
    calls: list[str] = []
    fake.fail("/api/query", Fault(status=403))
    env = {**ingest_env, "PAPERWIRE_DAILY_STEPS": "arxiv,index,digest"}
    result = CliRunner(env=env).invoke(group_with_steps(calls), ["daily"])
    assert result.exit_code == 1
    assert calls == ["index", "digest"]  # a failed step does not stop the next ones
    assert "step arxiv failed" in result.stderr and "smtp down" in result.stderr
    assert "daily steps failed: arxiv, digest" in result.stderr


def test_missing_and_unknown_steps(ingest_env: dict[str, str], fake: FakeArxiv) -> None:
    root = click.Group("bare", callback=click.pass_context(
        lambda ctx: setattr(ctx, "obj", CliContext(environ=dict(os.environ)))))
    ingest_cli.register(root)
    runner = CliRunner(env={**ingest_env, "PAPERWIRE_DAILY_STEPS": "index,digest"})
    result = runner.invoke(root, ["daily"])
    assert result.exit_code == 0, result.output
    assert "step index skipped" in result.stderr and "step digest skipped" in result.stderr
    runner = CliRunner(env={**ingest_env, "PAPERWIRE_DAILY_STEPS": "arxiv,fetch-all"})
    result = runner.invoke(root, ["daily"])
    assert result.exit_code == 1 and "unknown step 'fetch-all'" in result.stderr
