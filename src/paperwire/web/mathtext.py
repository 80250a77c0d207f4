r"""Text for HTML: escape everything, render ``$...$`` and ``$$...$$`` LaTeX as MathML, the
common text-mode macros (``\%``, ``~``, ``\_``, ``\emph{}``, ``\textbf{}``…) as what they
mean, and http(s) URLs as links (pure).

latex2mathml produces the markup; nh3 then keeps only MathML elements and a few harmless
attributes, so no LaTeX input can smuggle HTML, scripts or event handlers into a page.
"""

from __future__ import annotations

import re

import nh3
from latex2mathml.converter import convert
from markupsafe import Markup, escape

from paperwire.models import Author
from paperwire.text import shorten_authors
from paperwire.web.links import URL_IN_TEXT, link_html, trim_url

_MATH = re.compile(r"(?<!\\)\$(?![\s$])((?:\\.|[^$\\]){1,400}?)(?<![\s\\])\$(?!\d)")
_DISPLAY = re.compile(r"(?<!\\)\$\$((?:\\.|[^$\\]){1,1000}?)\$\$"
                      r"|\\\[((?:\\[^\]]|[^\\]){1,1000}?)\\\]")
_URL_MACRO = re.compile(r"\\url\{([^{}]{1,2000})\}")
_STYLE_MACRO = re.compile(r"\\(emph|textit|textbf|texttt|textsc|underline|mbox|text)"
                          r"\{([^{}]{0,400})\}")
STYLE_TAGS = {"emph": "em", "textit": "em", "textbf": "strong", "texttt": "code"}
ESCAPED_CHARS = {"\\%": "%", "\\_": "_", "\\&amp;": "&amp;", "\\#": "#", "\\$": "$",
                 "\\{": "{", "\\}": "}", "~": "\u00a0", "\\ldots": "\u2026",
                 "\\dots": "\u2026"}
_ESCAPED = re.compile("|".join(re.escape(k) for k in ESCAPED_CHARS))
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose",
    "munder", "mover", "munderover", "mtable", "mtr", "mtd", "semantics", "annotation",
}
MATHML_ATTRS = {
    "math": {"display", "xmlns"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop",
           "movablelimits", "accent"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mi": {"mathvariant"},
    "mspace": {"width"},
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"},
    "mtd": {"columnalign"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "annotation": {"encoding"},
}


def _mathml(latex: str, display: bool = False) -> str | None:
    try:
        markup = str(convert(latex, display="block" if display else "inline"))
    except Exception:  # latex2mathml raises many kinds of errors on bad LaTeX
        return None
    return nh3.clean(markup, tags=MATHML_TAGS, attributes=MATHML_ATTRS, url_schemes=set(),
                     link_rel=None, strip_comments=True)


def math_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, MathML) of each ``$$…$$``, ``\\[…\\]`` and ``$…$`` that converts."""
    spans: list[tuple[int, int, str]] = []
    for match in _DISPLAY.finditer(text):
        mathml = _mathml(match.group(1) or match.group(2) or "", display=True)
        if mathml is not None:
            spans.append((match.start(), match.end(), mathml))
    taken = [(a, b) for a, b, _ in spans]
    for match in _MATH.finditer(text):
        if any(a <= match.start() < b or a < match.end() <= b for a, b in taken):
            continue
        mathml = _mathml(match.group(1))
        if mathml is not None:
            spans.append((match.start(), match.end(), mathml))
    return sorted(spans)


def _text_macros(escaped: str) -> str:
    """Text-mode LaTeX in already escaped text: styles become tags, escapes their character."""
    def style(match: re.Match[str]) -> str:
        tag = STYLE_TAGS.get(match.group(1))
        return f"<{tag}>{match.group(2)}</{tag}>" if tag else match.group(2)

    styled = _STYLE_MACRO.sub(style, escaped)
    return _ESCAPED.sub(lambda m: ESCAPED_CHARS[m.group(0)], styled)


def render_text(text: str, links: bool = True) -> str:
    """HTML of plain text: escaped, text macros applied, http(s) URLs as safe links."""
    text = _URL_MACRO.sub(lambda m: m.group(1), text)
    if not links:
        return _text_macros(str(escape(text)))
    parts: list[str] = []
    last = 0
    for match in URL_IN_TEXT.finditer(text):
        url, tail = trim_url(match.group(0))
        parts.append(_text_macros(str(escape(text[last:match.start()]))))
        parts.append(str(link_html(url)))
        parts.append(_text_macros(str(escape(tail))))
        last = match.end()
    parts.append(_text_macros(str(escape(text[last:]))))
    return "".join(parts)


def render_math_html(text: str | None, links: bool = True) -> Markup:
    """HTML of ``text``: math as MathML, the rest through ``render_text`` (``links`` False:
    URLs stay text, for titles that are themselves inside a link)."""
    if not text:
        return Markup("")
    parts: list[str] = []
    last = 0
    for start, end, mathml in math_spans(text):
        parts.append(render_text(text[last:start], links))
        parts.append(mathml)
        last = end
    parts.append(render_text(text[last:], links))
    return Markup("".join(parts))


def render_authors_short(authors: tuple[Author, ...], count: int = 0, first: int = 3) -> str:
    """"A, B, C and 4 more" or "5 authors" when only the count is known."""
    return shorten_authors([a.name for a in authors if not a.hidden], count, first)


def render_excerpt(text: str | None, limit: int = 300) -> Markup:
    """The start of an abstract, about ``limit`` characters, cut between words and never inside
    a formula; math rendered, URLs left as text (the card has its own links)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return render_math_html(text, links=False)
    cut = limit
    for start, end, _ in math_spans(text):
        if start < cut < end:
            cut = start
    space = text.rfind(" ", 0, cut + 1)
    cut = space if space > limit // 2 else cut
    return render_math_html(text[:cut].rstrip(" ,;:") + "…", links=False)
