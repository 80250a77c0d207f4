"""The arXiv API (Atom): parse feeds (pure) and fetch papers through the polite client."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from paperwire.config import Settings
from paperwire.errors import InvalidInput, SourceError
from paperwire.ids import parse_arxiv_id
from paperwire.models import Author, IncomingPaper, Paper, RecordError
from paperwire.sources.arxiv_http import PoliteClient, RequestGate
from paperwire.sources.arxiv_xml import child_text, parse_xml
from paperwire.sources.records import RecordInvalid, parse_iso_datetime

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
PAGE_SIZE = 100
Record = IncomingPaper | RecordError


@dataclass(frozen=True)
class ApiPage:
    records: tuple[Record, ...]
    total: int
    start: int


def parse_api_entry(entry: Element) -> IncomingPaper:
    """One Atom entry as an IncomingPaper; RecordInvalid names the bad field."""
    raw_id = child_text(entry, ATOM + "id")
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidInput as exc:
        raise RecordInvalid(f"id: {exc}") from exc
    title = child_text(entry, ATOM + "title")
    if not title:
        raise RecordInvalid("missing title")
    authors = tuple(Author(child_text(a, ATOM + "name"))
                    for a in entry.findall(ATOM + "author") if child_text(a, ATOM + "name"))
    primary = entry.find(ARXIV + "primary_category")
    cats = [primary.get("term", "")] if primary is not None else []
    cats += [c.get("term", "") for c in entry.findall(ATOM + "category")]
    paper = Paper(
        id=aid.base, version=aid.version, title=title,
        summary=child_text(entry, ATOM + "summary"), authors=authors,
        categories=tuple(dict.fromkeys(c for c in cats if c)),
        published_at=parse_iso_datetime(child_text(entry, ATOM + "published"), "published"),
        updated_at=parse_iso_datetime(child_text(entry, ATOM + "updated"), "updated"),
        pdf_url=aid.pdf_url, source="arxiv")
    return IncomingPaper(paper, comment=child_text(entry, ARXIV + "comment") or None)


def parse_api_feed(data: bytes, where: str = "arXiv API") -> ApiPage:
    """A feed page; bad entries become RecordErrors, an API error entry raises SourceError."""
    root = parse_xml(data, where)
    records: list[Record] = []
    for index, entry in enumerate(root.findall(ATOM + "entry")):
        entry_id = child_text(entry, ATOM + "id")
        if "/api/errors" in entry_id:
            raise SourceError(f"{where}: {child_text(entry, ATOM + 'summary') or entry_id}")
        try:
            records.append(parse_api_entry(entry))
        except RecordInvalid as exc:
            records.append(RecordError(f"{where} entry {index} ({entry_id[:80]})", str(exc)))
    return ApiPage(tuple(records), _int(root, OPENSEARCH + "totalResults"),
                   _int(root, OPENSEARCH + "startIndex"))


def _int(root: Element, tag: str) -> int:
    text = child_text(root, tag)
    return int(text) if text.isdigit() else 0


def build_category_query(categories: Sequence[str]) -> str:
    for cat in categories:
        if not cat or not all(ch.isalnum() or ch in ".-" for ch in cat):
            raise InvalidInput(f"category {cat!r} is not an arXiv category", field="categories")
    return " OR ".join(f"cat:{cat}" for cat in categories)


class ArxivApiSource:
    """The arXiv API through the polite client (one request at a time, spaced, retried)."""

    def __init__(self, settings: Settings, gate: RequestGate | None = None) -> None:
        self.url = settings.arxiv_api_url
        self.retries = settings.arxiv_max_retries
        self.client = PoliteClient(settings, gate)

    def close(self) -> None:
        self.client.close()

    def fetch_page(self, params: dict[str, str]) -> ApiPage:
        where = f"{self.url} start={params.get('start', '0')}"
        return parse_api_feed(self.client.fetch(self.url, params), where)

    def fetch_paper(self, arxiv_id: str) -> IncomingPaper | None:
        """One paper by id (any shape, with or without version); None if arXiv has none."""
        aid = parse_arxiv_id(arxiv_id)
        page = self.fetch_page({"id_list": str(aid), "max_results": "1"})
        for record in page.records:
            if isinstance(record, IncomingPaper) and record.paper.id == aid.base:
                return record
            if isinstance(record, RecordError):
                raise SourceError(f"arXiv sent an unusable record for {aid}: {record.reason}")
        return None

    def fetch_newest(self, categories: Sequence[str], since: datetime,
                     page_size: int = PAGE_SIZE) -> Iterator[Record]:
        """Newest submissions in ``categories`` published at or after ``since``, newest first."""
        query = build_category_query(categories)
        start, empty_tries = 0, 0
        while True:
            page = self.fetch_page({"search_query": query, "sortBy": "submittedDate",
                                    "sortOrder": "descending", "start": str(start),
                                    "max_results": str(page_size)})
            if not page.records:
                if start >= page.total:
                    return
                empty_tries += 1  # the API sometimes answers an empty page mid-listing
                if empty_tries > self.retries:
                    raise SourceError(f"{self.url}: empty page at {start} of {page.total}")
                continue
            empty_tries = 0
            for record in page.records:
                if isinstance(record, IncomingPaper) and record.paper.published_at and \
                        record.paper.published_at < since:
                    return
                yield record
            start += len(page.records)
