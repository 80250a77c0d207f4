"""Bibliography writers on tricky titles and names (braces, accents, LaTeX, "and")."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from paperwire.bibliography import (
    Entry,
    build_cite_key,
    render_bibtex,
    render_csl_json,
    render_csv,
    render_ris,
    render_tex,
    split_name,
)
from paperwire.bibliography_import import parse_bibtex, parse_csl_json, parse_ris
from paperwire.models import Author, Paper

TRICKY = Paper(
    id="2401.01234", title="{BERT} & friends: 50% of $\\mathcal{O}(n^2)$ for Schrödinger_x",
    summary="Costs #1 ~ $a\\}$ {unbalanced", categories=("cs.CL", "cs.LG"),
    authors=(Author("Zoë Müller-Lüdenscheidt"), Author("Barnes and Noble Lab"),
             Author("van der Berg, Jan")),
    published_at=datetime(2024, 1, 2, tzinfo=UTC))


def _balanced(text: str) -> bool:
    depth = 0
    for char in text.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, text
    return depth == 0


def test_render_tex_escapes_specials_and_keeps_balanced_math() -> None:
    assert render_tex("50% & $x_1$ {a}") == r"50\% \& $x_1$ \{a\}"
    assert render_tex("cost $a}$ here") == r"cost \$a\}\$ here"
    assert render_tex("Schrödinger") == "Schrödinger"


def test_bibtex_output_is_balanced_and_reads_back() -> None:
    text = render_bibtex([Entry(TRICKY, note="read §3 {later}"), Entry(TRICKY)])
    assert _balanced(text)
    assert "@misc{mullerludenscheidt2024bert," in text
    assert "@misc{mullerludenscheidt2024berta," in text
    assert "title = {{\\{BERT\\} \\& friends: 50\\% of $\\mathcal{O}(n^2)$" in text
    assert "{Barnes and Noble Lab}" in text and "van der Berg, Jan" in text
    assert "Müller-Lüdenscheidt, Zoë" in text and "doi = {10.48550/arXiv.2401.01234}" in text
    entries, errors = parse_bibtex(text)
    assert errors == [] and [e.arxiv_id for e in entries] == ["2401.01234", "2401.01234"]


def test_ris_and_csl_json_read_back() -> None:
    ris = render_ris([Entry(TRICKY, note="line one\nline two")])
    assert "AU  - Müller-Lüdenscheidt, Zoë\n" in ris and "N1  - line one line two\n" in ris
    assert ris.rstrip().endswith("ER  -")
    entries, errors = parse_ris(ris)
    assert errors == [] and entries[0].arxiv_id == "2401.01234"
    assert entries[0].title == TRICKY.title.replace("{", "").replace("}", "")
    data = json.loads(render_csl_json([Entry(TRICKY)]))
    assert data[0]["author"][1] == {"literal": "Barnes and Noble Lab"}
    assert data[0]["author"][2] == {"family": "van der Berg", "given": "Jan"}
    assert data[0]["issued"] == {"date-parts": [[2024, 1, 2]]} and data[0]["title"] == TRICKY.title
    assert parse_csl_json(render_csl_json([Entry(TRICKY)]))[0][0].arxiv_id == "2401.01234"


def test_csv_quotes_and_defuses_formulas() -> None:
    paper = Paper(id="x-1", title='=HYPERLINK("evil"), "quoted"', authors=(Author("A, B"),))
    rows = list(csv.reader(io.StringIO(render_csv([Entry(paper, note="-1 +2")]))))
    assert rows[0] == ["id", "title", "authors", "published", "categories", "url", "note"]
    assert rows[1][1] == "'=HYPERLINK(\"evil\"), \"quoted\"" and rows[1][6] == "'-1 +2"
    assert rows[1][5] == ""  # no arXiv link for a non-arXiv id


def test_names_and_keys() -> None:
    assert split_name("Ada King Lovelace") == ("Lovelace", "Ada King")
    assert split_name("Plato") == ("Plato", "")
    taken: set[str] = set()
    anonymous = Paper(id="y", title="On it")
    assert build_cite_key(anonymous, taken) == "anonpaper"
    assert build_cite_key(anonymous, taken) == "anonpapera"
