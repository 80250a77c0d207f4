"""One reader of the days people write: strict YYYY-MM-DD, errors naming the parameter, the
same answer in every place that reads one."""

from datetime import date

import pytest

from paperwire.config import Settings
from paperwire.dates import parse_day, parse_optional_day
from paperwire.errors import InvalidInput
from paperwire.periods import parse_period
from paperwire.services.digest_send import resolve_digest_period
from paperwire.services.follows import parse_search_value
from paperwire.services.ingest_oai import check_day
from paperwire.storage import Store
from paperwire.web.routes.search import build_filters

# Python's date.fromisoformat takes these too; as a day parameter they are refused
NOT_DAYS = ["2025-02-30", "20251013", "2025-W42-1", "2025-10-1", " 2025-10-13", "", "x" * 500]


def test_parse_day_reads_a_calendar_day() -> None:
    assert parse_day("2024-02-29", "date") == date(2024, 2, 29)
    assert parse_optional_day(None, "date") is None


@pytest.mark.parametrize("text", NOT_DAYS)
def test_parse_day_refuses_anything_else_naming_the_parameter(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_day(text, "date_from")
    assert caught.value.field == "date_from"
    assert str(caught.value).startswith("date_from ") and "YYYY-MM-DD" in str(caught.value)
    assert len(str(caught.value)) < 120  # the value is cut, not echoed whole


@pytest.mark.parametrize("text", NOT_DAYS[:3])
def test_every_reader_refuses_the_same_days(text: str, store: Store, settings: Settings) -> None:
    with pytest.raises(InvalidInput) as oai:
        check_day(text, "from")
    assert oai.value.field == "from" and str(oai.value).startswith("--from ")
    with pytest.raises(InvalidInput) as digest:
        resolve_digest_period(store, settings, "daily", text)
    assert digest.value.field == "date"
    with pytest.raises(InvalidInput) as period:
        parse_period("date", text)
    assert period.value.field == "date"
    with pytest.raises(InvalidInput) as web:
        build_filters(None, text, None, None, False)
    assert web.value.field == "date_to"
    # a stored saved search with such a day keeps its other filters and drops the day
    assert parse_search_value(f"q=x&date_from={text}")[2].date_from is None


def test_every_reader_reads_the_same_day(store: Store, settings: Settings) -> None:
    day = date(2025, 10, 14)
    assert check_day("2025-10-14", "from") == "2025-10-14"
    period = resolve_digest_period(store, settings, "daily", "2025-10-14")
    assert period is not None and period.start == day
    assert parse_period("date", "2025-10-14").start == day
    assert build_filters("2025-10-14", None, None, None, False).date_from == day
    assert parse_search_value("q=x&date_from=2025-10-14")[2].date_from == day
