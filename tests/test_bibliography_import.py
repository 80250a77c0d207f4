"""Bibliography readers: good entries land, bad ones are reported with their line."""

from __future__ import annotations

from paperwire.bibliography_import import (
    detect_format,
    parse_bibtex,
    parse_csl_json,
    parse_id_list,
    parse_ris,
)

BIB = """% exported
@article{good1,
  title = {Attention Is {All} You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  journal = {arXiv preprint arXiv:1706.03762},
}

@misc{broken,
  title = {Never {closed},
  year = 2020,

@inproceedings{good2,
  title = "Deep Residual Learning",
  doi = {10.1109/CVPR.2016.90}
}
@misc{empty, year = 2020}
@misc{bydoi, doi = {10.48550/arXiv.2310.12345}}
"""


def test_bibtex_reports_bad_entries_by_line_and_keeps_good_ones() -> None:
    entries, errors = parse_bibtex(BIB)
    assert [(e.line, e.arxiv_id, e.doi, e.title) for e in entries] == [
        (2, "1706.03762", None, "Attention Is All You Need"),
        (12, None, "10.1109/CVPR.2016.90", "Deep Residual Learning"),
        (17, "2310.12345", "10.48550/arXiv.2310.12345", "")]
    assert [str(e) for e in errors] == [
        "line 8: unbalanced braces: the entry never closes",
        "line 16: entry has no title, DOI or arXiv id"]


def test_ris_reports_stray_lines_and_unclosed_entries() -> None:
    text = ("TY  - JOUR\nTI  - First paper\nUR  - https://arxiv.org/abs/2101.00001v2\nER  - \n"
            "garbage here\nAU  - Lost, Author\n"
            "TY  - JOUR\nAU  - Only, Author\nER  - \nTY  - GEN\nTI  - Unclosed\n")
    entries, errors = parse_ris(text)
    assert [(e.line, e.arxiv_id, e.title) for e in entries] == [(1, "2101.00001", "First paper")]
    assert [str(e) for e in errors] == [
        "line 5: not a RIS tag line: 'garbage here'", "line 6: AU outside an entry (no TY)",
        "line 7: entry has no title, DOI or arXiv id", "line 10: entry has no ER line"]


def test_csl_json_items_get_their_lines() -> None:
    text = '[\n {"title": "One", "DOI": "10.1/x"},\n 42,\n {"id": "arXiv:2202.01234"},\n {"type": "book"}\n]'
    entries, errors = parse_csl_json(text)
    assert [(e.line, e.arxiv_id, e.title) for e in entries] == [
        (2, None, "One"), (4, "2202.01234", "")]
    assert [str(e) for e in errors] == ["line 3: item is not an object",
                                        "line 5: item has no title, DOI or arXiv id"]
    entries, errors = parse_csl_json('[{"title": "ok"},\n{"title": oops}]')
    assert len(entries) == 1 and str(errors[0]).startswith("line 2: bad JSON")
    assert str(parse_csl_json('{"title": "x"}')[1][0]) == "line 1: CSL-JSON must be a list"


def test_id_lists_and_format_detection() -> None:
    entries, errors = parse_id_list("2401.01234v3\n# comment\n\nhttps://arxiv.org/abs/hep-th/9901001\nnope\n")
    assert [e.arxiv_id for e in entries] == ["2401.01234", "hep-th/9901001"]
    assert len(errors) == 1 and str(errors[0]).startswith("line 5: 'nope' is not an arXiv id")
    assert detect_format(BIB) == "bibtex" and detect_format("TY  - JOUR\n") == "ris"
    assert detect_format("[]") == "csl-json" and detect_format("2401.01234") == "ids"
    assert detect_format("anything", "library.RIS") == "ris"
