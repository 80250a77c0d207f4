"""safe_url accepts only http(s); paper pages link arXiv, or a title search when no id."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.models import IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.links import linkify, paper_links, render_marked, safe_url
from tests.community_helpers import add_paper


def test_safe_url_accepts_only_absolute_http_and_https() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org", "/local",
                "https://", "http://exa mple.org\n", "vbscript:x", ""):
        assert safe_url(bad) is None, bad


def test_linkify_escapes_the_text_around_links() -> None:
    html = str(linkify('<b> https://example.org/?a=1&b="2" end'))
    assert html.startswith("&lt;b&gt; <a href=\"https://example.org/?a=1&amp;b=\"")


def test_links_of_a_paper_without_an_arxiv_id_search_arxiv_for_its_title() -> None:
    paper = Paper(id="rl-makes-mllms-see-better", title="RL makes MLLMs see better than SFT",
                  github_repo="javascript:alert(1)", project_page="https://proj.example.org")
    links = paper_links(paper)
    assert [link.kind for link in links] == ["search", "project"]
    assert links[0].url == ("https://arxiv.org/search/?query=RL+makes+MLLMs+see+better+than+SFT"
                            "&searchtype=title")
    arxiv = paper_links(Paper(id="2510.01234", title="T"))
    assert [link.url for link in arxiv] == ["https://arxiv.org/abs/2510.01234",
                                            "https://arxiv.org/pdf/2510.01234"]


def test_paper_page_shows_author_count_search_link_and_abstract_links(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    paper = Paper(id="diffusion-link", title="Diffusion-Link", author_count=5,
                  summary="Code will be released at https://github.com/DevKiHyun/Diffusion-Link")
    store.upsert_papers([IncomingPaper(paper)])
    page = client.get("/papers/diffusion-link").text
    assert "5 authors" in page
    assert 'href="https://arxiv.org/search/?query=Diffusion-Link&amp;searchtype=title"' in page
    assert '<a href="https://github.com/DevKiHyun/Diffusion-Link" rel="nofollow noopener">' in page
    add_paper(store, settings, "2510.00002", "An arXiv paper")
    assert 'href="https://arxiv.org/abs/2510.00002"' in client.get("/papers/2510.00002").text


def test_highlight_parts_render_as_escaped_html_with_marks() -> None:
    parts = [{"type": "text", "text": "<b>Dense</b> & "},
             {"type": "highlight", "text": "retrieval<script>"},
             {"type": "text", "text": " \"end\""}]
    assert render_marked(parts) == ("&lt;b&gt;Dense&lt;/b&gt; &amp; "
                                    "<mark>retrieval&lt;script&gt;</mark> &#34;end&#34;")
    assert render_marked([]) == ""
