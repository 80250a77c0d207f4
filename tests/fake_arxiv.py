"""A fake arXiv on loopback: OAI-PMH ``/oai``, the API ``/api/query`` and PDFs ``/pdf/<id>``
(the bodies in ``state.pdfs``), over real HTTP.

Serves ``FakePaper`` records in the real formats (OAI-PMH ``arXiv`` and ``arXivRaw`` with
resumption tokens and deleted records; the API's Atom feed with paging, ``id_list`` and
``cat:`` queries). Scripted ``Fault``s replace the next responses of a path: an HTTP status
with Retry-After, a delay, a raw body, or a connection dropped in the middle of the body.
Every request is recorded with its start and end time, and the most requests in flight at
once is kept, so tests can check spacing and one-at-a-time.

    with FakeArxiv(papers) as fake:
        env["PAPERWIRE_ARXIV_OAI_URL"] = fake.oai_url
        fake.fail("/oai", Fault(status=503, retry_after="1"))
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"


@dataclass(frozen=True)
class FakePaper:
    id: str
    title: str
    published: datetime
    versions: int = 1
    abstract: str = "An abstract."
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    categories: tuple[str, ...] = ("cs.LG",)
    datestamp: date | None = None
    deleted: bool = False
    raw_oai: str | None = None  # replaces the whole <record> (for malformed records)
    comments: str = ""

    @property
    def stamp(self) -> date:
        return self.datestamp or self.published.date()

    @property
    def set_specs(self) -> tuple[str, ...]:
        specs = []
        for cat in self.categories:
            archive = cat.split(".")[0]
            specs.append(archive if archive in {"cs", "math", "stat", "q-bio", "q-fin", "eess",
                                                "econ"} else f"physics:{archive}")
        return tuple(dict.fromkeys(specs))


NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def sample_papers() -> list[FakePaper]:
    """Ten papers of every id shape, one deleted, one titled "0"."""
    day = timedelta(days=1)
    return [
        FakePaper("2401.00001", "Attention Is All You Need Again", NOW - day, versions=2),
        FakePaper("2401.00002", "0", NOW - day, categories=("cs.CL",)),
        FakePaper("2401.00003", "Sparse $x<y$ & Mixtures", NOW - 2 * day,
                  abstract="We  study\n $\\alpha$ <b>bold</b> & more."),
        FakePaper("0704.0001", "Calculation of prompt diphoton production",
                  NOW - 30 * day, categories=("hep-ph",)),
        FakePaper("hep-th/9901001", "An old-style paper", NOW - 3 * day,
                  categories=("hep-th",), versions=3),
        FakePaper("math.GT/0309136", "Knots with subject class", NOW - 3 * day,
                  categories=("math.GT",)),
        FakePaper("2312.99999", "A withdrawn paper", NOW - 4 * day, deleted=True),
        FakePaper("2401.00004", "Vision paper", NOW - 5 * day, categories=("cs.CV",)),
        FakePaper("2401.00005", "Old news", NOW - 40 * day, categories=("cs.LG", "stat.ML")),
        FakePaper("2401.00006", "Fresh cs.AI paper", NOW - day / 2, categories=("cs.AI",)),
    ]


@dataclass
class Fault:
    status: int = 200
    retry_after: str | None = None
    delay: float = 0.0
    body: bytes | None = None
    drop_after: int | None = None  # send this many bytes of a longer body, then close


@dataclass
class Request:
    path: str
    query: dict[str, str]
    start: float
    end: float = 0.0
    status: int = 0
    user_agent: str = ""


@dataclass
class FakeState:
    papers: list[FakePaper]
    page_size: int = 3
    response_date: datetime = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_request: Callable[[Request], bool] | None = None  # True: drop without answering
    pdfs: dict[str, bytes] = field(default_factory=dict)  # arXiv id -> body of /pdf/<id>


class FakeArxiv:
    """Start with ``with FakeArxiv(papers) as fake`` (or ``start()``/``stop()``)."""

    def __init__(self, papers: Iterable[FakePaper] = (), page_size: int = 3) -> None:
        self.state = FakeState(list(papers), page_size)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def oai_url(self) -> str:
        return self.base_url + "/oai"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/query"

    @property
    def requests(self) -> list[Request]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def max_in_flight(self) -> int:
        return self.state.max_in_flight

    def on_request(self, hook: Callable[[Request], bool] | None) -> None:
        """Call ``hook`` on each request as it arrives; when it returns True the connection
        is closed without an answer (e.g. after the hook killed the client)."""
        self.state.on_request = hook

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests to ``path`` with these faults, in order."""
        with self.state.lock:
            self.state.faults.setdefault(path, deque()).extend(faults)

    def gaps(self, path: str | None = None) -> list[float]:
        """Seconds between the end of each request and the start of the next one."""
        reqs = [r for r in self.requests if path is None or r.path == path]
        reqs.sort(key=lambda r: r.start)
        return [b.start - a.end for a, b in itertools.pairwise(reqs)]

    def start(self) -> FakeArxiv:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeArxiv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    state: FakeState
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        record = Request(parts.path, query, time.time(),
                         user_agent=self.headers.get("User-Agent", ""))
        with self.state.lock:
            self.state.requests.append(record)
            self.state.in_flight += 1
            self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
            queue = self.state.faults.get(parts.path)
            fault = queue.popleft() if queue else None
        hook = self.state.on_request
        try:
            if hook is not None and hook(record):
                self.close_connection = True
                return
            self._answer(record, parts.path, query, fault)
        finally:
            with self.state.lock:
                self.state.in_flight -= 1
                record.end = time.time()

    def _answer(self, record: Request, path: str, query: dict[str, str],
                fault: Fault | None) -> None:
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.body is not None:
            body, status = fault.body, fault.status
        elif fault is not None and fault.status != 200:
            body, status = f"error {fault.status}".encode(), fault.status
        elif path == "/oai":
            body, status = render_oai(self.state, query).encode(), 200
        elif path == "/api/query":
            body, status = render_api(self.state, query).encode(), 200
        elif path.startswith("/pdf/") and path[5:] in self.state.pdfs:
            body, status = self.state.pdfs[path[5:]], 200
        else:
            body, status = b"not found", 404
        record.status = status  # before the answer leaves: the client may look at once
        self.send_response(status)
        self.send_header("Content-Type", "application/pdf" if path.startswith("/pdf/")
                         else "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if fault is not None and fault.retry_after is not None:
            self.send_header("Retry-After", fault.retry_after)
        self.end_headers()
        if fault is not None and fault.drop_after is not None:
            self.wfile.write(body[: fault.drop_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


# -- OAI-PMH ---------------------------------------------------------------------------
def render_oai(state: FakeState, query: dict[str, str]) -> str:
    if query.get("verb") != "ListRecords":
        return _oai_doc(state, '<error code="badVerb">only ListRecords</error>')
    token = query.get("resumptionToken")
    if token is not None:
        try:
            offset_text, prefix, set_spec, start, until = token.split("|")
            offset = int(offset_text)
        except ValueError:
            return _oai_doc(state, '<error code="badResumptionToken">bad token</error>')
    else:
        offset, prefix = 0, query.get("metadataPrefix", "")
        set_spec, start, until = query.get("set", ""), query.get("from", ""), query.get("until", "")
        if prefix not in {"arXiv", "arXivRaw"}:
            return _oai_doc(state, '<error code="cannotDisseminateFormat">no</error>')
    matching = [p for p in state.papers
                if (not set_spec or set_spec in p.set_specs)
                and (not start or p.stamp.isoformat() >= start)
                and (not until or p.stamp.isoformat() <= until)]
    matching.sort(key=lambda p: (p.stamp, p.id))
    if not matching:
        return _oai_doc(state, '<error code="noRecordsMatch">nothing</error>')
    page = matching[offset : offset + state.page_size]
    records = "".join(p.raw_oai if p.raw_oai is not None else oai_record(p, prefix) for p in page)
    end = offset + len(page)
    size = f'completeListSize="{len(matching)}" cursor="{offset}"'
    if end < len(matching):
        next_token = escape(f"{end}|{prefix}|{set_spec}|{start}|{until}")
        records += f"<resumptionToken {size}>{next_token}</resumptionToken>"
    elif token is not None:
        records += f"<resumptionToken {size}/>"
    return _oai_doc(state, f"<ListRecords>{records}</ListRecords>")


def _oai_doc(state: FakeState, inner: str) -> str:
    stamp = state.response_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}">'
            f"<responseDate>{stamp}</responseDate>"
            f'<request verb="ListRecords">http://export.arxiv.org/oai2</request>{inner}</OAI-PMH>')


def oai_record(paper: FakePaper, prefix: str) -> str:
    specs = "".join(f"<setSpec>{s}</setSpec>" for s in paper.set_specs)
    status = ' status="deleted"' if paper.deleted else ""
    header = (f"<header{status}><identifier>oai:arXiv.org:{paper.id}</identifier>"
              f"<datestamp>{paper.stamp.isoformat()}</datestamp>{specs}</header>")
    if paper.deleted:
        return f"<record>{header}</record>"
    body = _raw_metadata(paper) if prefix == "arXivRaw" else _arxiv_metadata(paper)
    return f"<record>{header}<metadata>{body}</metadata></record>"


def _arxiv_metadata(paper: FakePaper) -> str:
    authors = ""
    for name in paper.authors:
        forenames, _, keyname = name.rpartition(" ")
        authors += (f"<author><keyname>{escape(keyname)}</keyname>"
                    f"<forenames>{escape(forenames)}</forenames></author>")
    return (f'<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{paper.id}</id>'
            f"<created>{paper.published.date().isoformat()}</created>"
            f"<updated>{paper.stamp.isoformat()}</updated><authors>{authors}</authors>"
            f"<title>{escape(paper.title)}</title>"
            f"<categories>{' '.join(paper.categories)}</categories>"
            f"<comments>{escape(paper.comments)}</comments>"
            f"<abstract>{escape(paper.abstract)}</abstract></arXiv>")


def _raw_metadata(paper: FakePaper) -> str:
    versions = "".join(
        f'<version version="v{n}"><date>'
        f"{paper.published.strftime('%a, %d %b %Y %H:%M:%S GMT')}</date><size>10kb</size>"
        "</version>" for n in range(1, paper.versions + 1))
    return (f'<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>{paper.id}</id>'
            f"<submitter>{escape(paper.authors[0])}</submitter>{versions}"
            f"<title>{escape(paper.title)}</title>"
            f"<authors>{escape(', '.join(paper.authors))}</authors>"
            f"<categories>{' '.join(paper.categories)}</categories>"
            f"<comments>{escape(paper.comments)}</comments>"
            f"<abstract>{escape(paper.abstract)}</abstract></arXivRaw>")


# -- API (Atom) --------------------------------------------------------------------------
def render_api(state: FakeState, query: dict[str, str]) -> str:
    start = int(query.get("start", "0"))
    size = int(query.get("max_results", "10"))
    ids = [i for i in query.get("id_list", "").split(",") if i]
    if ids:
        if any(not re.fullmatch(r"[a-zA-Z.-]*/?[0-9.]+(v[0-9]+)?", i) for i in ids):
            return _feed(0, 0, [_api_error(ids[0])])
        bases = {re.sub(r"v[0-9]+$", "", i) for i in ids}
        found = [p for p in state.papers if p.id in bases and not p.deleted]
    else:
        cats = [part.strip()[4:] for part in query.get("search_query", "").split(" OR ")
                if part.strip().startswith("cat:")]
        found = [p for p in state.papers if not p.deleted and set(cats) & set(p.categories)]
        found.sort(key=lambda p: (p.published, p.id), reverse=True)
    entries = [api_entry(p) for p in found[start : start + size]]
    return _feed(len(found), start, entries)


def _feed(total: int, start: int, entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            "<title>arXiv Query</title><id>http://arxiv.org/api/x</id>"
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>"
            f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
            + "".join(entries) + "</feed>")


def _api_error(bad: str) -> str:
    return (f"<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad)}</id>"
            f"<title>Error</title><summary>incorrect id format for {escape(bad)}</summary>"
            "</entry>")


def api_entry(paper: FakePaper) -> str:
    vid = f"{paper.id}v{paper.versions}"
    stamp = paper.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in paper.authors)
    cats = "".join(f"<category term={quoteattr(c)} scheme=\"http://arxiv.org/schemas/atom\"/>"
                   for c in paper.categories)
    return (f"<entry><id>http://arxiv.org/abs/{vid}</id><updated>{stamp}</updated>"
            f"<published>{stamp}</published><title>{escape(paper.title)}</title>"
            f"<summary>{escape(paper.abstract)}</summary>{authors}"
            f"<arxiv:comment>{escape(paper.comments)}</arxiv:comment>"
            f'<link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>'
            f'<link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" '
            'type="application/pdf"/>'
            f'<arxiv:primary_category term="{paper.categories[0]}" '
            'scheme="http://arxiv.org/schemas/atom"/>' + cats + "</entry>")
