"""Code links and project pages found in paper text."""

from __future__ import annotations

import pytest

from paperwire.links import Links, clean_url, github_repo_of, parse_links


@pytest.mark.parametrize(("texts", "expected"), [
    (["Code is available at https://github.com/foo/bar.git."],
     Links("https://github.com/foo/bar")),
    (["Our code: github.com/a-b/c_d (MIT)."], Links("https://github.com/a-b/c_d")),
    (["See https://github.com/Org/Repo/tree/main/src for details"],
     Links("https://github.com/Org/Repo")),
    (["Project page: https://foo.github.io/bar/."], Links(None, "https://foo.github.io/bar/")),
    (["Visit our website https://example.com/x)"], Links(None, "https://example.com/x")),
    (["A pointer https://example.com/x without cue"], Links()),
    (["see arXiv https://arxiv.org/abs/2401.00001 and DOI https://doi.org/10.1/x"], Links()),
    (["https://github.com/features/copilot and https://github.com/only-owner"], Links()),
    ([None, "12 pages. Code: https://github.com/acme/widget; demo: https://acme.ai/demo"],
     Links("https://github.com/acme/widget", "https://acme.ai/demo")),
])
def test_parse_links(texts: list[str | None], expected: Links) -> None:
    assert parse_links(texts) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://example.org/x", "https://localhost/",
                                 "https://user:pw@evil.com/", "https://exa mple.com",
                                 "https://example.com:99999/", "http://" + "a" * 600 + ".com"])
def test_unsafe_or_odd_urls_are_dropped(raw: str) -> None:
    assert clean_url(raw) is None


def test_only_repository_urls_are_code_links() -> None:
    assert github_repo_of("https://gitlab.com/a/b") is None
    assert github_repo_of("https://github.com/a/b/issues/3") == "https://github.com/a/b"
    assert parse_links(["project page javascript:alert(1) ftp://x.org/y"]) == Links()
