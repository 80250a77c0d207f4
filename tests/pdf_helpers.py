"""Real PDFs for tests, made with pypdfium2: a first page with a title, authors and text lines
in the standard Helvetica font, and a filled box standing in for a figure."""

from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as raw


def build_pdf(title: str, lines: tuple[str, ...] = (), pages: int = 1) -> bytes:
    """A US-letter PDF whose first page shows ``title`` large and ``lines`` below it."""
    document = pdfium.PdfDocument.new()
    for number in range(pages):
        page = document.new_page(612, 792)
        if number == 0:
            _text(document, page, title, 22, 72, 700)
            for row, line in enumerate(lines):
                _text(document, page, line, 11, 72, 660 - 16 * row)
            _box(page, 72, 380, 468, 120)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def _text(document: pdfium.PdfDocument, page: pdfium.PdfPage, text: str, size: float,
          x: float, y: float) -> None:
    obj = raw.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", ctypes.c_float(size))
    buffer = ctypes.create_string_buffer((text + "\x00").encode("utf-16-le"))
    raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
    raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
    raw.FPDFPage_InsertObject(page.raw, obj)


def _box(page: pdfium.PdfPage, x: float, y: float, width: float, height: float) -> None:
    path = raw.FPDFPageObj_CreateNewRect(x, y, width, height)
    raw.FPDFPageObj_SetFillColor(path, 79, 70, 229, 255)
    raw.FPDFPath_SetDrawMode(path, raw.FPDF_FILLMODE_ALTERNATE, False)
    raw.FPDFPage_InsertObject(page.raw, path)
