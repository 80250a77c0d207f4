"""``paperwire daily``: runs the configured steps in order and exits 1 when any failed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from paperwire.cli import main
from tests.fake_arxiv import FakeArxiv, Fault


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
    fake.fail("/api/query", Fault(status=403))
    env = {**ingest_env, "PAPERWIRE_DAILY_STEPS": "arxiv,index,digest",
           "PAPERWIRE_EMBEDDER": "static", "PAPERWIRE_MAILER": "outbox"}
    result = CliRunner(env=env).invoke(main, ["daily"])
    assert result.exit_code == 1
    steps = [line for line in result.stderr.splitlines() if line.startswith("daily: ")]
    assert steps[0] == "daily: arxiv ..." and steps[1].startswith("daily: step arxiv failed")
    assert steps[2:4] == ["daily: index ...", "daily: digest ..."]  # the others still ran
    assert steps[4].startswith("daily: step digest failed: Setting PAPERWIRE_MAILER='outbox'")
    data = Path(env["PAPERWIRE_DATA_DIR"])
    assert (data / "search" / "manifest.json").is_file()  # index ran after arxiv failed
    assert "daily steps failed: arxiv, digest" in result.stderr


def test_an_unknown_step_stops_before_any_step_runs(ingest_env: dict[str, str],
                                                    fake: FakeArxiv) -> None:
    runner = CliRunner(env={**ingest_env, "PAPERWIRE_DAILY_STEPS": "arxiv,fetch-all"})
    result = runner.invoke(main, ["daily"])
    assert result.exit_code == 1
    assert "PAPERWIRE_DAILY_STEPS='fetch-all' must be 'arxiv', 'oai'" in result.stderr
    assert "daily: arxiv" not in result.stderr and fake.requests == []
