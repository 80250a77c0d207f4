"""Pure parts of digests: choosing papers, periods, back-off, rate limiting, messages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from paperwire.config import Settings
from paperwire.digests.build import build_candidates, build_digest
from paperwire.digests.render import build_digest_message
from paperwire.errors import InvalidInput
from paperwire.models import Author, Organization
from paperwire.models_digests import (
    Preferences,
    Subscriber,
    build_period,
    outbox_key,
    parse_period_key,
)
from paperwire.services.digest_outbox import RateLimiter, compute_backoff
from paperwire.services.digests import parse_email, parse_preferences
from tests.digest_helpers import make_paper

DAY = build_period("daily", date(2025, 10, 13))
PAPERS = [
    make_paper("p1", "Large language models", 90, categories=("cs.CL",)),
    make_paper("p2", "Diffusion for video", 80, categories=("cs.CV",),
               organization=Organization("meta", "Meta AI")),
    make_paper("p3", "A survey of diffusion", 70, categories=("cs.LG",)),
    make_paper("p4", "Protein folding", 60, categories=("q-bio.BM",),
               authors=(Author("Grace Hopper"),)),
    make_paper("p5", "Withdrawn work", 50, withdrawn_at=datetime(2025, 1, 1, tzinfo=UTC)),
]


def ids(prefs: Preferences, sent: set[str] | None = None,
        interests: tuple[str, ...] = ()) -> dict[str, list[str]]:
    digest = build_digest(build_candidates(PAPERS), prefs, DAY, sent or set(), interests)
    return {s.key: [p.id for p in s.papers] for s in digest.sections}


def test_trending_is_best_first_without_withdrawn_papers() -> None:
    assert ids(Preferences(size=10)) == {"trending": ["p1", "p2", "p3", "p4"]}
    assert ids(Preferences(size=2)) == {"trending": ["p1", "p2"]}


def test_personal_sections_never_repeat_a_paper() -> None:
    prefs = Preferences(size=2, keywords=("diffusion",), categories=("q-bio",),
                        organizations=("Meta AI",), authors=("grace hopper",))
    assert ids(prefs) == {"trending": ["p1", "p2"], "keywords": ["p3"], "categories": ["p4"]}
    only_personal = Preferences(sections=("follows",), organizations=("meta",),
                                authors=("Grace Hopper",))
    assert ids(only_personal) == {"follows": ["p2", "p4"]}


def test_already_sent_and_muted_papers_are_left_out() -> None:
    prefs = Preferences(mute_terms=("survey",), keywords=("diffusion",))
    assert ids(prefs, sent={"p1"}) == {"trending": ["p2", "p4"]}
    assert ids(Preferences(sections=("keywords",), keywords=("diffusion video",))) == {
        "keywords": ["p2"]}


def test_interests_keep_the_given_order_within_the_period() -> None:
    prefs = Preferences(sections=("interests",))
    assert ids(prefs, interests=("p4", "elsewhere", "p2")) == {"interests": ["p4", "p2"]}


def test_periods_and_their_keys() -> None:
    week = build_period("weekly", date(2025, 10, 15))
    assert (week.start, week.end, outbox_key(week)) == (date(2025, 10, 13), date(2025, 10, 19),
                                                "weekly:2025-W42")
    assert outbox_key(DAY) == "daily:2025-10-13"
    assert parse_period_key(outbox_key(week)) == week and parse_period_key(outbox_key(DAY)) == DAY


def test_backoff_grows_and_is_capped() -> None:
    waits = [compute_backoff(n, 30.0) for n in range(1, 10)]
    assert waits[:4] == [30.0, 60.0, 120.0, 240.0]
    assert waits == sorted(waits) and waits[-1] == 3600.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("rate", [0.5, 3.0, 10.0])
def test_rate_limiter_allows_at_most_rate_per_second(rate: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(50):
        limiter.wait()
        starts.append(clock.now)
        clock.now += 0.01  # the server takes a while to answer
        limiter.finished()
    span = limiter.count / rate
    for i in range(len(starts) - limiter.count):
        assert starts[i + limiter.count] - (starts[i] + 0.01) >= span - 1e-9


def test_rate_limiter_counts_what_an_earlier_run_sent() -> None:
    clock = FakeClock()
    clock.now = 100.0
    limiter = RateLimiter(3.0, clock=clock, sleep=clock.sleep)
    limiter.seed([0.2, 0.6, 0.4, 5.0])
    limiter.wait()
    assert clock.now == pytest.approx(100.4)  # the oldest of the last three + 1 s


def test_addresses_and_preferences_are_validated() -> None:
    assert parse_email("  Ann@Example.ORG ") == "ann@example.org"
    for bad in ("ann", "ann@localhost", "a@b.c\r\nBcc: x@y.org", "a b@example.org", "x" * 300):
        with pytest.raises(InvalidInput) as err:
            parse_email(bad)
        assert err.value.field == "email"
    prefs = parse_preferences({"size": "3", "keywords": "a, b\nb"}, ["keywords", "bogus"])
    assert (prefs.size, prefs.keywords, prefs.sections) == (3, ("a", "b"), ("keywords",))
    with pytest.raises(InvalidInput, match="size"):
        parse_preferences({"size": "zero"}, [])
    with pytest.raises(InvalidInput, match="frequency"):
        parse_preferences({"frequency": "hourly"}, [])


def test_header_injection_in_a_digest_is_rejected(settings: Settings) -> None:
    digest = build_digest(build_candidates(PAPERS), Preferences(), DAY)
    evil = Subscriber(1, "a@example.org\r\nBcc: victim@example.org", "confirmed", "t" * 32)
    with pytest.raises(InvalidInput):
        build_digest_message(settings, evil, digest, "<x@testserver>", datetime.now(UTC))
    ok = Subscriber(1, "a@example.org", "confirmed", "t" * 32)
    with pytest.raises(InvalidInput):
        build_digest_message(settings, ok, digest, "<x@testserver>\nBcc: v@example.org",
                             datetime.now(UTC))


XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
       "javascript:alert(1)", "</title><script>alert(1)</script>", "$<script>x</script>$",
       "' onmouseover='alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "&lt;script&gt;"]
SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "p", "ol",
             "li", "a", "strong", "br", "hr"}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_inert_in_digest_mail(payload: str, settings: Settings) -> None:
    paper = make_paper("2510.00001", f"Title {payload}", 5, summary=f"Abstract {payload}",
                       authors=(Author(f"Eve {payload}"),),
                       organization=Organization("evil", f"Org {payload}"))
    digest = build_digest(build_candidates([paper]), Preferences(keywords=(payload,)), DAY)
    subscriber = Subscriber(1, "a@example.org", "confirmed", "t" * 32)
    message = build_digest_message(settings, subscriber, digest, "<x@testserver>",
                                   datetime.now(UTC))
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    parser = TagCollector()
    parser.feed(html)
    assert [tag for tag, _ in parser.tags].count("style") == 1  # the template's own
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, (tag, payload)
        for name, value in attrs:
            assert not name.startswith("on"), (name, payload)
            assert not (value or "").lower().startswith("javascript:"), (value, payload)


def test_digest_periods_are_the_periods_of_the_daily_list() -> None:
    from paperwire.periods import day_period, parse_period, week_period

    wednesday = date(2025, 10, 15)
    assert build_period("weekly", wednesday) == week_period(wednesday) == parse_period(
        "week", "2025-W42")
    assert build_period("daily", wednesday) == day_period(wednesday)
    assert [build_period(f, wednesday).frequency for f in ("daily", "weekly")] == [
        "daily", "weekly"]
    assert parse_period("month", "2025-10").frequency == "monthly"
