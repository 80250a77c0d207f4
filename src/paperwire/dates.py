"""Calendar days written by people (URL parameters, CLI options, saved searches): one reader,
``parse_day``, strict ``YYYY-MM-DD``, whose error names the parameter it came in."""

from __future__ import annotations

import re
from datetime import date

from paperwire.errors import InvalidInput

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: str, name: str, label: str | None = None) -> date:
    """The day ``value`` names; InvalidInput with ``field=name`` (the message shows ``label``,
    e.g. ``--from``, else ``name``) when it is not ``YYYY-MM-DD`` or no such day (02-30)."""
    try:
        if _DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise InvalidInput(f"{label or name} {value[:40]!r} is not a YYYY-MM-DD calendar date",
                       field=name)


def parse_optional_day(value: str | None, name: str, label: str | None = None) -> date | None:
    """``parse_day`` for a parameter that may be left out (None)."""
    return None if value is None else parse_day(value, name, label)
