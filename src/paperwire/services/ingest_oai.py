"""The OAI-PMH harvest: resumable, one page per transaction together with its checkpoint.

The checkpoint ``oai:<format>:<set>`` holds the resumption token of the next page (or none
when the list is complete), the ``from``/``until`` of the run, and ``next_from``: the date
the server reported when the last complete run began, the default ``from`` of the next run.
A kill at any point leaves the database at a page boundary; the next run resumes there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from paperwire.config import Settings
from paperwire.dates import parse_optional_day
from paperwire.errors import InvalidInput
from paperwire.models import ImportReport, IncomingPaper, RecordError
from paperwire.services.ingest import OAI_GATE, store_gate
from paperwire.sources.arxiv_http import PoliteClient
from paperwire.sources.arxiv_oai import FORMATS, BadResumptionToken, Deleted, OaiPage, parse_oai_page
from paperwire.storage import Store


def checkpoint_name(set_spec: str, metadata_format: str) -> str:
    return f"oai:{metadata_format}:{set_spec}"


def check_day(value: str | None, field: str) -> str | None:
    day = parse_optional_day(value, field, f"--{field}")
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class OaiRun:
    """One harvest run: its date range, the token of its next page (None: start, or done),
    the server date when it began (``started``) and the ``from`` of the next run."""

    from_: str | None = None
    until: str | None = None
    token: str | None = None
    started: str | None = None
    next_from: str | None = None
    pages: int = 0
    resumed: bool = False
    finished: bool = False

    @classmethod
    def from_checkpoint(cls, saved: dict[str, Any]) -> OaiRun:
        return cls(saved.get("from"), saved.get("until"), saved.get("token"),
                   saved.get("started"), saved.get("next_from"), int(saved.get("pages", 0)),
                   finished=bool(saved.get("finished")))

    def to_checkpoint(self) -> dict[str, Any]:
        saved = {"from": self.from_, "until": self.until, "token": self.token,
                 "started": self.started, "next_from": self.next_from, "pages": self.pages}
        return {**saved, "finished": True} if self.finished else saved


def plan_run(saved: dict[str, Any] | None, from_: str | None, until: str | None,
             restart: bool) -> OaiRun:
    """The run to do: resume the saved unfinished one when it matches, else start afresh."""
    last = OaiRun.from_checkpoint(saved or {})
    same = from_ in (None, last.from_) and until in (None, last.until)
    if last.token and same and not restart:
        return replace(last, resumed=True)
    return OaiRun(from_ or last.next_from, until, next_from=last.next_from)


def first_params(run: OaiRun, set_spec: str, metadata_format: str) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": metadata_format}
    if set_spec:
        params["set"] = set_spec
    if run.from_:
        params["from"] = run.from_
    if run.until:
        params["until"] = run.until
    return params


def harvest_oai(store: Store, settings: Settings, set_spec: str, from_: str | None = None,
                until: str | None = None, metadata_format: str = "arXivRaw",
                restart: bool = False) -> ImportReport:
    """Harvest ``set_spec`` (all sets when empty) and store every page with its checkpoint."""
    if metadata_format not in FORMATS:
        raise InvalidInput(f"format {metadata_format!r} is not one of {', '.join(FORMATS)}",
                           field="format")
    name = checkpoint_name(set_spec, metadata_format)
    run = plan_run(store.get_checkpoint(name), check_day(from_, "from"),
                   check_day(until, "until"), restart)
    report = ImportReport(source="arxiv-oai")
    client = PoliteClient(settings, store_gate(store, settings, OAI_GATE))
    try:
        _harvest(store, settings, client, name, run, (set_spec, metadata_format), report)
    finally:
        client.close()
        store.log_import(report, f"{settings.arxiv_oai_url} {name}")
    return report


def _harvest(store: Store, settings: Settings, client: PoliteClient, name: str,
             run: OaiRun, spec: tuple[str, str], report: ImportReport) -> None:
    url = settings.arxiv_oai_url
    params = ({"verb": "ListRecords", "resumptionToken": run.token} if run.token
              else first_params(run, *spec))
    while True:
        where = f"{url} page {run.pages + 1}"
        try:
            page = parse_oai_page(client.fetch(url, params), where)
        except BadResumptionToken as exc:
            if "resumptionToken" not in params:
                raise
            report.error(where, f"{exc}; starting the run again from its 'from' date")
            run = replace(run, token=None, pages=0)
            params = first_params(run, *spec)
            continue
        with store.transaction():
            store_page(store, page, report)
            run = advance(run, page)
            store.put_checkpoint(name, run.to_checkpoint())
        if page.token is None:
            return
        params = {"verb": "ListRecords", "resumptionToken": page.token}


def advance(run: OaiRun, page: OaiPage) -> OaiRun:
    started = run.started or page.response_date[:10] or None
    run = replace(run, token=page.token, pages=run.pages + 1, started=started)
    return replace(run, next_from=started, finished=True) if page.token is None else run


def store_page(store: Store, page: OaiPage, report: ImportReport) -> None:
    """Upsert a page's papers, withdraw its deleted ones, count its bad records."""
    papers: list[IncomingPaper] = []
    for record in page.records:
        report.read += 1
        if isinstance(record, RecordError):
            report.error(record.location, record.reason)
        elif isinstance(record, Deleted):
            stored = store.get_paper(record.paper_id)
            if stored is not None and stored.withdrawn_at is None:
                papers.append(IncomingPaper(replace(stored, withdrawn_at=record.at)))
        else:
            papers.append(record)
    if papers:
        report.add(store.upsert_papers(papers))
