"""arXiv ids: every shape parses, normalizes and prints back unchanged."""

from __future__ import annotations

import random

import pytest

from paperwire.errors import InvalidInput
from paperwire.ids import ArxivId, derived_id, is_arxiv_id, parse_arxiv_id, title_key

OLD_ARCHIVES = ("hep-th", "hep-ph", "hep-lat", "hep-ex", "astro-ph", "cond-mat", "gr-qc",
                "math-ph", "nucl-th", "quant-ph", "physics", "nlin", "q-bio", "cs", "math",
                "chao-dyn", "solv-int", "alg-geom", "funct-an", "q-alg", "dg-ga", "cmp-lg",
                "adap-org", "patt-sol", "comp-gas", "acc-phys", "supr-con", "mtrl-th")
MATH_SUBJECTS = ("GT", "AG", "CO", "PR", "NT", "DG", "AP", "QA")


def generated_ids() -> list[str]:
    """A fixed set of ids of every shape, with and without versions."""
    rng = random.Random(20231012)
    ids = ["0704.0001", "0704.0001v1", "1412.9999", "1501.00001", "2310.12345",
           "2310.12345v2", "2312.99999v12", "hep-th/9901001", "hep-th/9901001v3",
           "math.GT/0309136", "math.GT/0309136v2", "cond-mat/0703999", "astro-ph/9107001"]
    for _ in range(80):  # 4-digit new style, 2007-2014
        year = rng.randint(7, 14)
        month = rng.randint(4 if year == 7 else 1, 12)
        ids.append(f"{year:02d}{month:02d}.{rng.randint(1, 9999):04d}"
                   + (f"v{rng.randint(1, 9)}" if rng.random() < 0.5 else ""))
    for _ in range(80):  # 5-digit new style, 2015 on
        ids.append(f"{rng.randint(15, 26):02d}{rng.randint(1, 12):02d}.{rng.randint(1, 99999):05d}"
                   + (f"v{rng.randint(1, 30)}" if rng.random() < 0.5 else ""))
    for _ in range(60):  # old style, 1991-2007
        year = rng.choice([*range(91, 100), *range(0, 8)])
        month = rng.randint(1, 3 if year == 7 else 12)
        archive = rng.choice(OLD_ARCHIVES)
        if archive == "math" and rng.random() < 0.5:
            archive += "." + rng.choice(MATH_SUBJECTS)
        ids.append(f"{archive}/{year:02d}{month:02d}{rng.randint(1, 999):03d}"
                   + (f"v{rng.randint(1, 5)}" if rng.random() < 0.4 else ""))
    return ids


IDS = generated_ids()


def test_there_are_enough_ids_of_every_shape() -> None:
    assert len(set(IDS)) >= 200
    assert sum("/" in i for i in IDS) >= 50
    assert sum("/" not in i and len(i.split("v")[0]) == 9 for i in IDS) >= 50
    assert sum("/" not in i and len(i.split("v")[0]) == 10 for i in IDS) >= 50


@pytest.mark.parametrize("text", IDS)
def test_round_trip(text: str) -> None:
    parsed = parse_arxiv_id(text)
    assert str(parsed) == text
    assert parse_arxiv_id(str(parsed)) == parsed
    assert parsed.base == text.split("v")[0] if "/" not in text else True
    assert "v" not in parsed.base.split("/")[-1]
    assert parse_arxiv_id(parsed.abs_url) == parsed
    assert parse_arxiv_id(parsed.pdf_url + ".pdf") == parsed
    assert parse_arxiv_id(parsed.oai_identifier).base == parsed.base
    assert parse_arxiv_id(f"arXiv:{text}") == parsed
    assert parsed.is_old_style == ("/" in text)


def test_version_is_beside_the_base() -> None:
    assert parse_arxiv_id("2310.12345v2") == ArxivId("2310.12345", 2)
    assert parse_arxiv_id("math.GT/0309136v3") == ArxivId("math.GT/0309136", 3)
    assert parse_arxiv_id("hep-th/9901001") == ArxivId("hep-th/9901001", None)
    assert parse_arxiv_id(" https://arxiv.org/abs/hep-th/9901001v2 ").base == "hep-th/9901001"
    assert parse_arxiv_id("http://export.arxiv.org/abs/2310.12345").version is None


@pytest.mark.parametrize("bad", [
    "", "0", "2310.123", "2310.1234567", "2313.12345", "2300.12345", "0703.1234",
    "1501.1234", "1412.12345", "2310.12345v0", "2310.12345v", "hep-th/990100",
    "HEP-TH/9901001", "hep-th/9913001", "hep_th/9901001", "../etc/passwd",
    "2310.12345?x=1", "2310.12345\x00", "x" * 300,
])
def test_bad_ids_are_refused_with_a_reason(bad: str) -> None:
    assert not is_arxiv_id(bad)
    with pytest.raises(InvalidInput) as info:
        parse_arxiv_id(bad)
    assert info.value.field == "arxiv_id"
    assert str(info.value)


def test_title_key_and_derived_id_are_stable() -> None:
    assert title_key("  Attention   is ALL you\nneed! ") == "attention is all you need"
    assert title_key("0") == "0"
    assert derived_id("Attention is all you need") == derived_id("attention IS all you need.")
    assert derived_id("0").startswith("0-")
    assert not is_arxiv_id(derived_id("2310.12345"))
