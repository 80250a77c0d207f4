"""arXiv OAI-PMH ``ListRecords`` pages in the ``arXiv`` and ``arXivRaw`` formats (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from paperwire.errors import InvalidInput, SourceError
from paperwire.ids import parse_arxiv_id
from paperwire.models import Author, IncomingPaper, Paper, RecordError
from paperwire.sources.arxiv_xml import child_text, parse_xml
from paperwire.sources.records import RecordInvalid, parse_iso_datetime
from paperwire.text import clean_text

OAI = "{http://www.openarchives.org/OAI/2.0/}"
FORMATS = {"arXiv": "{http://arxiv.org/OAI/arXiv/}", "arXivRaw": "{http://arxiv.org/OAI/arXivRaw/}"}


TOP_LEVEL_SETS = {"cs", "econ", "eess", "math", "q-bio", "q-fin", "stat"}


def oai_set_for(category: str) -> str:
    """The OAI-PMH set holding an arXiv category: ``cs.LG`` -> ``cs``,
    ``hep-th`` -> ``physics:hep-th``, ``physics.optics`` -> ``physics:physics``."""
    archive = category.split(".")[0]
    return archive if archive in TOP_LEVEL_SETS else f"physics:{archive}"


class BadResumptionToken(SourceError):
    """The server no longer knows the resumption token (it expired)."""


@dataclass(frozen=True)
class Deleted:
    """A record the server reports as deleted: the paper is withdrawn, its row kept."""

    paper_id: str
    at: datetime


OaiRecord = IncomingPaper | RecordError | Deleted


@dataclass(frozen=True)
class OaiPage:
    records: tuple[OaiRecord, ...]
    token: str | None
    response_date: str
    complete_size: int | None = None


def parse_oai_page(data: bytes, where: str = "OAI-PMH") -> OaiPage:
    """One ListRecords response; bad records become RecordErrors naming their identifier."""
    root = parse_xml(data, where)
    response_date = child_text(root, OAI + "responseDate")
    error = root.find(OAI + "error")
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return OaiPage((), None, response_date, 0)
        message = f"{where}: OAI-PMH error {code}: {clean_text(''.join(error.itertext()))}"
        if code == "badResumptionToken":
            raise BadResumptionToken(message)
        raise SourceError(message)
    listing = root.find(OAI + "ListRecords")
    if listing is None:
        raise SourceError(f"{where}: no ListRecords element in the response")
    records = tuple(_record(element, where) for element in listing.findall(OAI + "record"))
    token_el = listing.find(OAI + "resumptionToken")
    token = (token_el.text or "").strip() if token_el is not None else ""
    size = token_el.get("completeListSize") if token_el is not None else None
    return OaiPage(records, token or None, response_date,
                   int(size) if size and size.isdigit() else None)


def _record(element: Element, where: str) -> OaiRecord:
    header = element.find(OAI + "header")
    identifier = child_text(header, OAI + "identifier") if header is not None else ""
    try:
        if header is None:
            raise RecordInvalid("no header")
        if header.get("status") == "deleted":
            stamp = parse_iso_datetime(child_text(header, OAI + "datestamp"), "datestamp")
            return Deleted(_base_id(identifier, "identifier"), stamp)
        return parse_oai_metadata(element.find(OAI + "metadata"))
    except RecordInvalid as exc:
        return RecordError(f"{where} record {identifier[:100] or '(no identifier)'}", str(exc))


def _base_id(text: str, field: str) -> str:
    try:
        return parse_arxiv_id(text).base
    except InvalidInput as exc:
        raise RecordInvalid(f"{field}: {exc}") from exc


def parse_oai_metadata(metadata: Element | None) -> IncomingPaper:
    """The paper inside a record's <metadata> (``arXiv`` or ``arXivRaw`` format)."""
    if metadata is None or len(metadata) == 0:
        raise RecordInvalid("no metadata")
    body = metadata[0]
    for name, ns in FORMATS.items():
        if body.tag == f"{ns}{name}":
            return _paper(body, ns, raw=name == "arXivRaw")
    raise RecordInvalid(f"unknown metadata format {body.tag[:80]!r}")


def _paper(body: Element, ns: str, raw: bool) -> IncomingPaper:
    aid = parse_arxiv_id_field(child_text(body, ns + "id"))
    title = child_text(body, ns + "title")
    if not title:
        raise RecordInvalid("missing title")
    if raw:
        version, published, updated = _raw_versions(body, ns)
        authors = split_author_list(child_text(body, ns + "authors"))
    else:
        version = None
        published = parse_iso_datetime(child_text(body, ns + "created"), "created")
        stamp = child_text(body, ns + "updated")
        updated = parse_iso_datetime(stamp, "updated") if stamp else None
        authors = tuple(_structured_author(a, ns) for a in body.iter(ns + "author"))
    paper = Paper(id=aid, version=version, title=title, summary=child_text(body, ns + "abstract"),
                  authors=tuple(a for a in authors if a.name),
                  categories=tuple(child_text(body, ns + "categories").split()),
                  published_at=published, updated_at=updated,
                  pdf_url=f"https://arxiv.org/pdf/{aid}", source="arxiv")
    return IncomingPaper(paper, comment=child_text(body, ns + "comments") or None)


def parse_arxiv_id_field(text: str) -> str:
    if not text:
        raise RecordInvalid("missing id")
    return _base_id(text, "id")


def _structured_author(author: Element, ns: str) -> Author:
    parts = (child_text(author, ns + "forenames"), child_text(author, ns + "keyname"),
             child_text(author, ns + "suffix"))
    return Author(" ".join(p for p in parts if p))


def _raw_versions(body: Element, ns: str) -> tuple[int | None, datetime | None, datetime | None]:
    found: list[tuple[int, datetime | None]] = []
    for element in body.findall(ns + "version"):
        label = element.get("version", "")
        if not (label.startswith("v") and label[1:].isdigit()):
            raise RecordInvalid(f"version {label[:20]!r} is not vN")
        found.append((int(label[1:]), _rfc2822(child_text(element, ns + "date"))))
    if not found:
        return None, None, None
    found.sort(key=lambda pair: pair[0])
    return found[-1][0], found[0][1], found[-1][1]


def _rfc2822(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as exc:
        raise RecordInvalid(f"version date {text[:40]!r} is not an RFC 2822 date") from exc


def split_author_list(text: str) -> tuple[Author, ...]:
    """``"A. One, B. Two (MIT, CMU) and C. Three"`` -> three authors (commas in parentheses
    belong to affiliations)."""
    names: list[str] = []
    depth, current = 0, ""
    for char in text.replace(" and ", ", "):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return tuple(Author(clean_text(n)) for n in names if clean_text(n))
