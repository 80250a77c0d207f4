"""arXiv PDFs (for first-page thumbnails) through the polite client, and the picture itself.

``ArxivPdfSource.fetch_pdf`` shares the request gate with the other arXiv clients, so PDFs are
fetched one at a time and spaced like every other arXiv request. ``render_thumbnail`` is pure:
PDF bytes in, a PNG of the top of the first page out (pypdfium2 renders, the PNG is written
here with zlib, so no imaging library is needed).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pypdfium2 as pdfium

from paperwire.config import Settings
from paperwire.errors import InvalidInput, SourceError
from paperwire.ids import parse_arxiv_id
from paperwire.sources.arxiv_http import PoliteClient, RequestGate

THUMB_WIDTH = 480
THUMB_ASPECT = 0.6  # height / width of the kept top part of the page
MAX_PDF_BYTES = 60 * 1024 * 1024


class ArxivPdfSource:
    """``<PAPERWIRE_ARXIV_PDF_URL>/<id>`` through the polite client."""

    def __init__(self, settings: Settings, gate: RequestGate | None = None) -> None:
        self.url = settings.arxiv_pdf_url.rstrip("/")
        self.client = PoliteClient(settings, gate)

    def close(self) -> None:
        self.client.close()

    def fetch_pdf(self, arxiv_id: str) -> bytes:
        """The PDF of ``arxiv_id``; SourceError when arXiv sends something that is not a PDF."""
        url = f"{self.url}/{parse_arxiv_id(arxiv_id).base}"
        body = self.client.fetch(url, {})
        if not body.startswith(b"%PDF-"):
            raise SourceError(f"{url}: the answer is not a PDF ({body[:20]!r}...)")
        if len(body) > MAX_PDF_BYTES:
            raise SourceError(f"{url}: the PDF is larger than {MAX_PDF_BYTES >> 20} MiB")
        return body


def render_thumbnail(pdf: bytes, width: int = THUMB_WIDTH) -> bytes:
    """A PNG, ``width`` pixels wide, of the top of the PDF's first page."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise InvalidInput(f"the PDF cannot be read: {exc}") from exc
    try:
        if len(document) == 0:
            raise InvalidInput("the PDF has no pages")
        page = document[0]
        bitmap = page.render(scale=width / page.get_width(), rev_byteorder=True)
        pixels = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
    finally:
        document.close()
    return encode_png(pixels[: int(pixels.shape[1] * THUMB_ASPECT)])


def encode_png(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an (height, width, 3) uint8 array, rows filtered with "Up"."""
    height, width, _ = pixels.shape
    rows = pixels.reshape(height, width * 3).astype(np.uint8)
    up = rows.copy()
    up[1:] = rows[1:] - rows[:-1]  # uint8 arithmetic wraps modulo 256, as the filter needs
    kinds = np.full((height, 1), 2, dtype=np.uint8)
    kinds[0] = 0
    data = np.hstack([kinds, up]).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) +
            _chunk(b"IDAT", zlib.compress(data, 9)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
