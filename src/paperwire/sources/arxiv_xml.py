"""Safe XML for arXiv documents (pure): no DTDs, no entity expansion, no network access."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from paperwire.errors import SourceError
from paperwire.text import clean_text


def parse_xml(data: bytes, where: str) -> Element:
    """The root element; SourceError for malformed XML or any DTD/entity declaration."""
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(f"{where}: refused unsafe XML ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise SourceError(f"{where}: malformed XML: {exc}") from exc
    return root


def child_text(element: Element, tag: str) -> str:
    """The cleaned text of the first child ``tag`` (with namespace), or ''."""
    child = element.find(tag)
    if child is None:
        return ""
    return clean_text("".join(child.itertext()))
