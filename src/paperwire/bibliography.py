"""Bibliography writers (pure): BibTeX, RIS, CSL-JSON and CSV of papers with notes.

Text is kept in UTF-8 (biber, Zotero and Mendeley read it). In BibTeX, TeX's special
characters outside ``$…$`` math are escaped, math is kept as written when its braces balance,
titles are wrapped in an extra pair of braces so styles keep their capitals, and a name that
contains " and " is braced so it stays one author.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from paperwire.ids import is_arxiv_id
from paperwire.models import Author, Paper

FORMATS = {"bibtex": ("bib", "application/x-bibtex"), "ris": ("ris", "application/x-research-info-systems"),
           "csl-json": ("json", "application/vnd.citationstyles.csl+json"),
           "csv": ("csv", "text/csv")}
TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
               "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
               "$": r"\$"}
MATH = re.compile(r"\$[^$]+\$")
CSV_COLUMNS = ("id", "title", "authors", "published", "categories", "url", "note")


@dataclass(frozen=True)
class Entry:
    """A paper as written to a bibliography, with the collection's note on it."""

    paper: Paper
    note: str = ""


def _balanced(text: str) -> bool:
    depth = 0
    for char in text.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def render_tex(text: str) -> str:
    """``text`` as a BibTeX field value: specials escaped, balanced math kept."""
    out, last = [], 0
    for match in MATH.finditer(text):
        out.append(_escape(text[last:match.start()]))
        math = match.group(0)
        out.append(math if _balanced(math) else _escape(math))
        last = match.end()
    out.append(_escape(text[last:]))
    return " ".join("".join(out).split())


def _escape(text: str) -> str:
    return "".join(TEX_SPECIAL.get(char, char) for char in text)


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a display name: "Ada King Lovelace" -> ("Lovelace", "Ada King")."""
    name = " ".join(name.split())
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    parts = name.rsplit(" ", 1)
    return (parts[0], "") if len(parts) == 1 else (parts[1], parts[0])


def _bib_name(author: Author) -> str:
    family, given = split_name(author.name)
    if re.search(r"\band\b", author.name, re.IGNORECASE):
        return "{" + render_tex(author.name) + "}"
    return render_tex(f"{family}, {given}" if given else family)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def build_cite_key(paper: Paper, taken: set[str]) -> str:
    """A unique key like ``lovelace2024analytical``."""
    family = split_name(paper.authors[0].name)[0] if paper.authors else "anon"
    year = str(paper.published_at.year) if paper.published_at else ""
    words = [w for w in re.findall(r"\w+", paper.title) if len(w) > 3] or ["paper"]
    base = (_ascii(family).lower() or "anon") + year + (_ascii(words[0]).lower() or "paper")
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2) if n <= 27 else n}"
    taken.add(key)
    return key


def _arxiv(paper: Paper) -> str | None:
    return paper.id if is_arxiv_id(paper.id) else None


def render_bibtex(entries: Sequence[Entry]) -> str:
    taken: set[str] = set()
    return "\n".join(_bibtex_one(e, build_cite_key(e.paper, taken)) for e in entries)


def _bibtex_one(entry: Entry, key: str) -> str:
    paper, arxiv = entry.paper, _arxiv(entry.paper)
    fields = [("title", "{" + render_tex(paper.title) + "}"),
              ("author", " and ".join(_bib_name(a) for a in paper.authors if not a.hidden))]
    if paper.published_at:
        fields += [("year", str(paper.published_at.year)),
                   ("month", str(paper.published_at.month))]
    if arxiv:
        fields += [("eprint", arxiv), ("archiveprefix", "arXiv"),
                   ("doi", f"10.48550/arXiv.{arxiv}"), ("url", f"https://arxiv.org/abs/{arxiv}")]
        if paper.categories:
            fields.append(("primaryclass", paper.categories[0]))
    if paper.summary:
        fields.append(("abstract", render_tex(paper.summary)))
    if entry.note:
        fields.append(("note", render_tex(entry.note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_ris(entries: Sequence[Entry]) -> str:
    return "".join(_ris_one(e) for e in entries)


def _ris_one(entry: Entry) -> str:
    paper, arxiv = entry.paper, _arxiv(entry.paper)
    lines = [("TY", "UNPB"), ("TI", paper.title)]
    lines += [("AU", ", ".join(p for p in split_name(a.name) if p))
              for a in paper.authors if not a.hidden]
    if paper.published_at:
        lines += [("PY", str(paper.published_at.year)),
                  ("DA", paper.published_at.strftime("%Y/%m/%d"))]
    if arxiv:
        lines += [("DO", f"10.48550/arXiv.{arxiv}"), ("UR", f"https://arxiv.org/abs/{arxiv}"),
                  ("PB", "arXiv")]
    lines += [("KW", c) for c in paper.categories]
    if paper.summary:
        lines.append(("AB", paper.summary))
    if entry.note:
        lines.append(("N1", entry.note))
    return "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines) + "ER  - \n\n"


def render_csl_json(entries: Sequence[Entry]) -> str:
    return json.dumps([_csl_one(e) for e in entries], ensure_ascii=False, indent=2) + "\n"


def _csl_one(entry: Entry) -> dict[str, object]:
    paper, arxiv = entry.paper, _arxiv(entry.paper)
    item: dict[str, object] = {
        "id": paper.id, "type": "article", "title": paper.title,
        "author": [_csl_name(a) for a in paper.authors if not a.hidden]}
    if paper.published_at:
        day = paper.published_at
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if arxiv:
        item.update({"number": arxiv, "publisher": "arXiv", "DOI": f"10.48550/arXiv.{arxiv}",
                     "URL": f"https://arxiv.org/abs/{arxiv}"})
    if paper.summary:
        item["abstract"] = paper.summary
    if entry.note:
        item["note"] = entry.note
    return item


def _csl_name(author: Author) -> dict[str, str]:
    family, given = split_name(author.name)
    if re.search(r"\band\b", author.name, re.IGNORECASE):
        return {"literal": author.name}
    return {"family": family, "given": given} if given else {"literal": family}


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        paper, arxiv = entry.paper, _arxiv(entry.paper)
        row = (paper.id, paper.title, "; ".join(a.name for a in paper.authors if not a.hidden),
               paper.published_at.date().isoformat() if paper.published_at else "",
               " ".join(paper.categories), f"https://arxiv.org/abs/{arxiv}" if arxiv else "",
               entry.note)
        writer.writerow([_cell(_one_line(value)) for value in row])
    return out.getvalue()


RENDERERS = {"bibtex": render_bibtex, "ris": render_ris, "csl-json": render_csl_json,
             "csv": render_csv}
