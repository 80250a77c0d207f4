"""The error every source's parser raises for a record that cannot become a paper."""

from __future__ import annotations


class RecordInvalid(ValueError):
    """A record that cannot become a paper; the message says which field and why."""
