"""LaTeX in titles, abstracts and comments: display math, text-mode macros, links, sanitizing."""

from __future__ import annotations

from paperwire.web.comment_markup import render_comment_html
from paperwire.web.mathtext import render_math_html


def test_display_math_leaves_no_stray_dollars() -> None:
    html = str(render_math_html(r"We show $$E = mc^2$$ holds and \[a+b\] too."))
    assert "$" not in html and "\\[" not in html
    assert html.count('display="block"') == 2


def test_text_mode_macros_are_what_they_mean() -> None:
    html = str(render_math_html(r"48.4\% better, see~Table 2, my\_var, \emph{new} and "
                                r"\textbf{fast}, \textit{ok}, \url{https://example.org/x}"))
    assert "48.4% better" in html and "see\u00a0Table 2" in html and "my_var" in html
    assert "<em>new</em>" in html and "<strong>fast</strong>" in html and "<em>ok</em>" in html
    assert '<a href="https://example.org/x"' in html and "\\" not in html


def test_macros_cannot_inject_markup() -> None:
    html = str(render_math_html(r"\emph{<script>alert(1)</script>} \textbf{\" onmouseover=x}"))
    assert "<script" not in html and "&lt;script&gt;" in html and "onmouseover=x}" not in html


def test_urls_in_abstracts_become_links_but_only_http_and_https() -> None:
    html = str(render_math_html("Code: https://github.com/a/b. Also (https://x.org/~u) and "
                                "javascript:alert(1) and ftp://files.example.org/x"))
    assert '<a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>.' \
        in html
    assert '<a href="https://x.org/~u"' in html and "(<a" in html and "</a>)" in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert 'href="ftp' not in html


def test_titles_inside_links_keep_urls_as_text() -> None:
    html = str(render_math_html("See https://example.org for $x$", links=False))
    assert "<a " not in html and "<math" in html


def test_math_in_comments_goes_through_the_same_path() -> None:
    html = str(render_comment_html(r"Note $a_1 * b_2$ and **bold** $$\sum_i x_i$$ <b>x</b>"))
    assert html.count("<math") == 2 and "<msub>" in html
    assert "<strong>bold</strong>" in html and "&lt;b&gt;" in html
    assert "<em>" not in html  # the _ and * inside the formula stay math
    evil = str(render_comment_html(r"$\href{javascript:alert(1)}{x}$ $<img src=x onerror=y>$"))
    assert "javascript:" not in evil and "<img" not in evil
