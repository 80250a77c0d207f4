import json

from click.testing import CliRunner

from paperwire.cli import main
from tests.helpers import DAILY_PAGE, HF_RESPONSE


def test_import_twice_gives_80_papers(cli: CliRunner) -> None:
    hf = str(HF_RESPONSE)
    page = str(DAILY_PAGE)
    for args in (["import", "hf", hf], ["import", "hf-page", page], ["import", "hf-page", page]):
        result = cli.invoke(main, args)
        assert result.exit_code == 0, result.output
    again = json.loads(cli.invoke(main, ["import", "hf-page", page]).output)
    assert again["inserted"] == 0 and again["unchanged"] == 71
    counts = json.loads(cli.invoke(main, ["stats"]).output)
    assert counts["papers"] == 80
    assert counts["organizations"] == 3 and counts["daily_submissions"] == 78


def test_bad_records_are_reported_and_exit_non_zero(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "2401.00001", "title": "Good"},\n{"id": "2401.00002"}]')
    result = cli.invoke(main, ["import", "hf", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: missing field 'title'" in result.output
    assert json.loads(cli.invoke(main, ["stats"]).output)["papers"] == 1


def test_missing_file_and_bad_setting_are_clear(cli: CliRunner) -> None:
    result = cli.invoke(main, ["import", "hf", "/nonexistent.json"])
    assert result.exit_code == 1 and "no such file" in result.output
    bad = cli.invoke(main, ["stats"], env={"PAPERWIRE_TIMEZONE": "Nowhere/Land"})
    assert bad.exit_code == 1 and "PAPERWIRE_TIMEZONE" in bad.output


def test_gzip_files_import(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import gzip

    target = tmp_path / "page.txt.gz"
    target.write_bytes(gzip.compress((DAILY_PAGE).read_bytes()))
    result = cli.invoke(main, ["import", "hf-page", "--year", "2025", str(target)])
    assert result.exit_code == 0 and json.loads(result.output)["inserted"] == 71
