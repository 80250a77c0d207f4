"""The OAI-PMH harvest: resumable, one page per transaction together with its checkpoint.

The checkpoint ``oai:<format>:<set>`` holds the resumption token of the next page (or none
when the list is complete), the ``from``/``until`` of the run, and ``next_from``: the date
the server reported when the last complete run began, the default ``from`` of the next run.
A kill at any point leaves the database at a page boundary; the next run resumes there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from paperwire.config import Settings
from paperwire.errors import InvalidInput
from paperwire.models import ImportReport, IncomingPaper, RecordError
from paperwire.services.ingest import OAI_GATE, store_gate
from paperwire.sources.arxiv_http import PoliteClient
from paperwire.sources.arxiv_oai import FORMATS, BadResumptionToken, Deleted, OaiPage, parse_oai_page
from paperwire.storage import Store


def checkpoint_name(set_spec: str, metadata_format: str) -> str:
    return f"oai:{metadata_format}:{set_spec}"


def check_day(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InvalidInput(f"--{field} {value!r} is not a YYYY-MM-DD date", field=field) from exc


def plan_run(saved: dict[str, Any] | None, from_: str | None, until: str | None,
             restart: bool) -> dict[str, Any]:
    """The run to do: resume the saved unfinished one when it matches, else start afresh."""
    saved = saved or {}
    same = (from_ in (None, saved.get("from"))) and (until in (None, saved.get("until")))
    if saved.get("token") and same and not restart:
        return {**saved, "resumed": True}
    return {"from": from_ or saved.get("next_from"), "until": until, "token": None,
            "started": None, "next_from": saved.get("next_from"), "pages": 0, "resumed": False}


def first_params(run: dict[str, Any], set_spec: str, metadata_format: str) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": metadata_format}
    if set_spec:
        params["set"] = set_spec
    for key in ("from", "until"):
        if run.get(key):
            params[key] = run[key]
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
             run: dict[str, Any], spec: tuple[str, str], report: ImportReport) -> None:
    url = settings.arxiv_oai_url
    params = ({"verb": "ListRecords", "resumptionToken": run["token"]} if run["token"]
              else first_params(run, *spec))
    while True:
        where = f"{url} page {run['pages'] + 1}"
        try:
            page = parse_oai_page(client.fetch(url, params), where)
        except BadResumptionToken as exc:
            if "resumptionToken" not in params:
                raise
            report.error(where, f"{exc}; starting the run again from its 'from' date")
            run = {**run, "token": None, "pages": 0}
            params = first_params(run, *spec)
            continue
        with store.transaction():
            store_page(store, page, report)
            run = advance(run, page)
            store.put_checkpoint(name, {k: v for k, v in run.items() if k != "resumed"})
        if page.token is None:
            return
        params = {"verb": "ListRecords", "resumptionToken": page.token}


def advance(run: dict[str, Any], page: OaiPage) -> dict[str, Any]:
    started = run.get("started") or page.response_date[:10] or None
    run = {**run, "token": page.token, "pages": run["pages"] + 1, "started": started}
    if page.token is None:
        run.update(next_from=started, finished=True)
    return run


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
