"""Query-parameter types shared by the API routes: the OpenAPI document states exactly what
the server checks (patterns, formats, bounds), and the server checks exactly that."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

YEAR = r"[12][0-9]{3}"
DATE_PATTERN = rf"^{YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
WEEK_PATTERN = rf"^{YEAR}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
MONTH_PATTERN = rf"^{YEAR}-(0[1-9]|1[0-2])$"
DATE_FORMAT = {"format": "date"}

# A stored row's id in a path: what an SQL INTEGER can hold, so a huge number is a 404, not
# an overflow deep in the store.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DayParam = Annotated[str | None, Query(pattern=DATE_PATTERN, json_schema_extra=DATE_FORMAT,
                                       description="YYYY-MM-DD")]
