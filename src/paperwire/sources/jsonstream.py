"""Stream the elements of a top-level JSON array without loading the document whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 16
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class JsonStreamError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def iter_json_items(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    """Yield (line number, element) for each element of a top-level JSON array.

    A top-level object is yielded as one element. A malformed element raises
    JsonStreamError naming its line: the elements before it have already been yielded.
    """
    reader = _Reader(stream)
    first = reader.next_char()
    if first is None:
        return
    if first != "[":
        line = reader.line
        yield line, reader.decode_value()
        return
    reader.advance(1)
    while True:
        char = reader.next_char()
        if char is None:
            raise JsonStreamError("the array is not closed", reader.line)
        if char == "]":
            return
        if char == ",":
            reader.advance(1)
            continue
        line = reader.line
        yield line, reader.decode_value()


class _Reader:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def advance(self, count: int) -> None:
        self.line += self.buf.count("\n", self.pos, self.pos + count)
        self.pos += count

    def next_char(self) -> str | None:
        """Skip white space; return the next character without consuming it."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.advance(1)
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return None

    def decode_value(self) -> Any:
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise JsonStreamError(exc.msg, self.line + self.buf.count("\n", self.pos,
                                                                           exc.pos)) from None
            if end == len(self.buf) and not self.eof and self._fill():
                continue  # a number may continue in the next chunk
            self.advance(end - self.pos)
            return value
