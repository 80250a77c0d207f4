"""Text for HTML: escape everything, render ``$...$`` LaTeX as MathML (pure).

latex2mathml produces the markup; nh3 then keeps only MathML elements and a few harmless
attributes, so no LaTeX input can smuggle HTML, scripts or event handlers into a page.
"""

from __future__ import annotations

import re

import nh3
from latex2mathml.converter import convert
from markupsafe import Markup, escape

from paperwire.models import Author

_MATH = re.compile(r"(?<!\\)\$(?![\s$])((?:\\.|[^$\\]){1,400}?)(?<![\s\\])\$(?!\d)")
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


def _mathml(latex: str) -> str | None:
    try:
        markup = str(convert(latex))
    except Exception:  # latex2mathml raises many kinds of errors on bad LaTeX
        return None
    return nh3.clean(markup, tags=MATHML_TAGS, attributes=MATHML_ATTRS, url_schemes=set(),
                     link_rel=None, strip_comments=True)


def render_math_html(text: str | None) -> Markup:
    """Escaped HTML of ``text`` with each ``$...$`` span shown as MathML (else left as text)."""
    if not text:
        return Markup("")
    parts: list[str] = []
    last = 0
    for match in _MATH.finditer(text):
        mathml = _mathml(match.group(1))
        if mathml is None:
            continue
        parts.append(str(escape(text[last : match.start()])))
        parts.append(mathml)
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))


def render_authors_short(authors: tuple[Author, ...], count: int = 0, first: int = 3) -> str:
    """"A, B, C et al." or "5 authors" when only the count is known."""
    visible = [a.name for a in authors if not a.hidden]
    if not visible:
        return f"{count} authors" if count > 1 else ("1 author" if count == 1 else "")
    shown = ", ".join(visible[:first])
    return shown + (" et al." if len(visible) > first else "")
