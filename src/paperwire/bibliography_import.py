"""Bibliography readers (pure): BibTeX, RIS, CSL-JSON and lists of arXiv ids.

Each reader returns the entries it could read, each with the line it starts on, and a
RecordError ("line N: why") for every entry it could not; a bad entry never stops the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from paperwire.errors import InvalidInput
from paperwire.ids import parse_arxiv_id
from paperwire.models import RecordError

ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
ARXIV_IN_TEXT = re.compile(r"arxiv[.:/\s]*(?:org/(?:abs|pdf)/)?([a-z-]+/\d{7}|\d{4}\.\d{4,5})",
                           re.IGNORECASE)
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
BIB_START = re.compile(r"^[ \t]*@(\w+)\s*[{(]", re.MULTILINE)
Parsed = tuple[list["ImportedEntry"], list[RecordError]]


@dataclass(frozen=True)
class ImportedEntry:
    """What identifies one imported reference: an arXiv id, a DOI, or a title."""

    line: int
    arxiv_id: str | None = None
    doi: str | None = None
    title: str = ""


def _arxiv_from(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        doi = ARXIV_DOI.match(text.strip())
        candidates = [doi.group(1)] if doi else [text.strip(), *ARXIV_IN_TEXT.findall(text)]
        for candidate in candidates:
            try:
                return parse_arxiv_id(candidate).base
            except InvalidInput:
                continue
    return None


def build_entry(line: int, title: str, doi: str | None, *hints: str | None) -> ImportedEntry:
    title = " ".join(re.sub(r"[{}]", "", title).split())
    doi = doi.strip() if doi and doi.strip() else None
    return ImportedEntry(line, _arxiv_from(doi, *hints), doi, title)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# -- BibTeX --------------------------------------------------------------------------
def parse_bibtex(text: str) -> Parsed:
    entries, errors = [], []
    for match in BIB_START.finditer(text):
        line = _line_of(text, match.start())
        if match.group(1).lower() in ("comment", "preamble", "string"):
            continue
        try:
            fields = _bib_fields(text, match.end())
        except ValueError as exc:
            errors.append(RecordError(f"line {line}", str(exc)))
            continue
        entry = build_entry(line, fields.get("title", ""), fields.get("doi"),
                            fields.get("eprint"), fields.get("url"), fields.get("journal"),
                            fields.get("note"))
        if not (entry.title or entry.arxiv_id or entry.doi):
            errors.append(RecordError(f"line {line}", "entry has no title, DOI or arXiv id"))
            continue
        entries.append(entry)
    return entries, errors


def _bib_fields(text: str, pos: int) -> dict[str, str]:
    """The fields of one entry starting after its opening brace (key first)."""
    end = _entry_end(text, pos)
    body = text[pos:end]
    if "," not in body:
        raise ValueError("entry has a key but no fields")
    fields: dict[str, str] = {}
    rest = body.split(",", 1)[1]
    for m in re.finditer(r"(\w[\w-]*)\s*=\s*", rest):
        value = _bib_value(rest, m.end())
        if value is not None:
            fields.setdefault(m.group(1).lower(), value)
    return fields


def _entry_end(text: str, pos: int) -> int:
    depth, i = 1, pos
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "@" and depth == 1 and text[max(0, i - 1)] == "\n":
            break
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return i
        i += 1
    raise ValueError("unbalanced braces: the entry never closes")


def _bib_value(text: str, pos: int) -> str | None:
    if pos >= len(text):
        return None
    if text[pos] == '"':
        end = text.find('"', pos + 1)
        return None if end < 0 else text[pos + 1:end]
    if text[pos] == "{":
        depth, i = 0, pos
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                return text[pos + 1:i]
            i += 1
        return None
    bare = re.match(r"[\w.:/-]+", text[pos:])
    return bare.group(0) if bare else None


# -- RIS -----------------------------------------------------------------------------
def parse_ris(text: str) -> Parsed:
    entries: list[ImportedEntry] = []
    errors: list[RecordError] = []
    current: dict[str, str] | None = None
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = RIS_LINE.match(line.lstrip("\ufeff"))
        if match is None:
            errors.append(RecordError(f"line {number}", f"not a RIS tag line: {line[:60]!r}"))
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            current, start = {}, number
        elif current is None:
            errors.append(RecordError(f"line {number}", f"{tag} outside an entry (no TY)"))
        elif tag == "ER":
            _ris_close(current, start, entries, errors)
            current = None
        else:
            current.setdefault(tag, value)
    if current is not None:
        errors.append(RecordError(f"line {start}", "entry has no ER line"))
    return entries, errors


def _ris_close(fields: dict[str, str], start: int, entries: list[ImportedEntry],
               errors: list[RecordError]) -> None:
    title = fields.get("TI") or fields.get("T1") or ""
    entry = build_entry(start, title, fields.get("DO"), fields.get("UR"), fields.get("M1"))
    if entry.title or entry.arxiv_id or entry.doi:
        entries.append(entry)
    else:
        errors.append(RecordError(f"line {start}", "entry has no title, DOI or arXiv id"))


# -- CSL-JSON ------------------------------------------------------------------------
def parse_csl_json(text: str) -> Parsed:
    decoder = json.JSONDecoder()
    entries: list[ImportedEntry] = []
    errors: list[RecordError] = []
    pos = _skip(text, 0)
    if text[pos:pos + 1] != "[":
        return [], [RecordError(f"line {_line_of(text, pos)}", "CSL-JSON must be a list")]
    pos = _skip(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line = _line_of(text, pos)
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            errors.append(RecordError(f"line {exc.lineno}", f"bad JSON: {exc.msg}"))
            return entries, errors
        _csl_item(item, line, entries, errors)
        pos = _skip(text, pos)
        if text[pos:pos + 1] == ",":
            pos = _skip(text, pos + 1)
    return entries, errors


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n\ufeff":
        pos += 1
    return pos


def _csl_item(item: object, line: int, entries: list[ImportedEntry],
              errors: list[RecordError]) -> None:
    if not isinstance(item, dict):
        errors.append(RecordError(f"line {line}", "item is not an object"))
        return
    texts = [item.get(k) for k in ("title", "DOI", "URL", "number", "id")]
    title, doi, url, number, item_id = (t if isinstance(t, str) else None for t in texts)
    entry = build_entry(line, title or "", doi, url, number, item_id)
    if entry.title or entry.arxiv_id or entry.doi:
        entries.append(entry)
    else:
        errors.append(RecordError(f"line {line}", "item has no title, DOI or arXiv id"))


# -- lists of arXiv ids --------------------------------------------------------------
def parse_id_list(text: str) -> Parsed:
    entries, errors = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            entries.append(ImportedEntry(number, parse_arxiv_id(line).base))
        except InvalidInput as exc:
            errors.append(RecordError(f"line {number}", str(exc)))
    return entries, errors


def detect_format(text: str, filename: str = "") -> str:
    """bibtex, ris, csl-json or ids, from the file name or else the content."""
    name = filename.lower()
    for ext, fmt in ((".bib", "bibtex"), (".ris", "ris"), (".json", "csl-json"),
                     (".txt", "ids")):
        if name.endswith(ext):
            return fmt
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in "[{" and head:
        return "csl-json"
    if BIB_START.search(text):
        return "bibtex"
    if re.search(r"^TY  -", text, re.MULTILINE):
        return "ris"
    return "ids"


PARSERS = {"bibtex": parse_bibtex, "ris": parse_ris, "csl-json": parse_csl_json,
           "ids": parse_id_list}
