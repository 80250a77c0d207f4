"""First-page pictures: a real PDF made with pypdfium2, rendered and written as PNG; PDFs
fetched from the loopback arXiv through the polite client."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace

import numpy as np
import pytest

from paperwire.config import Settings
from paperwire.errors import InvalidInput, SourceError
from paperwire.sources.arxiv_pdf import THUMB_WIDTH, ArxivPdfSource, render_thumbnail
from tests.fake_arxiv import FakeArxiv
from tests.pdf_helpers import build_pdf


def decode_png(data: bytes) -> np.ndarray:
    """Pixels of an 8-bit RGB PNG with filters None or Up (what paperwire writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        assert struct.unpack(">I", data[pos + 8 + size:pos + 12 + size])[0] == \
            zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        idat += body if kind == b"IDAT" else b""
        pos += 12 + size
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * 3)
    out = np.zeros((height, width * 3), np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        assert kind in (0, 2)
        out[y] = line if kind == 0 or y == 0 else line + out[y - 1]
    return out.reshape(height, width, 3)


def test_thumbnail_shows_the_top_of_the_first_page() -> None:
    pdf = build_pdf("Attention Is All You Need Again", ("We study attention.",) * 8, pages=3)
    pixels = decode_png(render_thumbnail(pdf))
    assert pixels.shape == (int(THUMB_WIDTH * 0.6), THUMB_WIDTH, 3)
    assert (pixels > 240).all(axis=2).mean() > 0.6  # mostly white paper
    title_band = pixels[: pixels.shape[0] // 3]
    assert (title_band < 80).all(axis=2).sum() > 200  # dark text where the title is
    indigo = (abs(pixels.astype(int) - (79, 70, 229)).sum(axis=2) < 40).sum()
    assert indigo > 1000  # the figure box, in its colour


def test_a_file_that_is_not_a_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="PDF cannot be read"):
        render_thumbnail(b"%PDF-1.7 but nothing else")


def test_pdfs_come_through_the_polite_client(fake: FakeArxiv, isettings: Settings) -> None:
    fake.state.pdfs["2401.00001"] = build_pdf("A paper")
    fake.state.pdfs["2401.00002"] = b"<html>a captcha page</html>"
    source = ArxivPdfSource(_pdf_settings(isettings, fake))
    try:
        assert source.fetch_pdf("arXiv:2401.00001v2").startswith(b"%PDF-")
        with pytest.raises(SourceError, match="not a PDF"):
            source.fetch_pdf("2401.00002")
        with pytest.raises(SourceError, match="HTTP 404"):
            source.fetch_pdf("2401.00003")
    finally:
        source.close()
    paths = [r.path for r in fake.requests]
    assert paths == ["/pdf/2401.00001", "/pdf/2401.00002", "/pdf/2401.00003"]
    assert all("ops@paperwire.test" in r.user_agent for r in fake.requests)
    assert min(fake.gaps()) >= isettings.arxiv_min_interval * 0.9


def _pdf_settings(settings: Settings, fake: FakeArxiv) -> Settings:
    return replace(settings, arxiv_pdf_url=fake.base_url + "/pdf")
