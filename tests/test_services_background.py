"""WorkLoop stops after the round in flight, so nothing closes the store under it."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from paperwire.services.background import WorkLoop


class SlowRound:
    """A round that blocks until released, then records that it finished."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self) -> Iterable[int]:
        self.started.set()
        self.release.wait(20)
        self.finished.set()
        return [1]


def test_stop_waits_for_the_round_in_flight() -> None:
    work = SlowRound()
    loop = WorkLoop("test-loop", work, poll_s=60)
    loop.start()
    assert work.started.wait(5)
    threading.Timer(5.5, work.release.set).start()  # a round longer than a few seconds
    assert loop.stop() is True
    assert work.finished.is_set()  # stop returned only once the round had finished


def test_stop_says_so_when_a_round_outlasts_the_wait() -> None:
    work = SlowRound()
    loop = WorkLoop("test-loop", work, poll_s=60)
    loop.start()
    assert work.started.wait(5)
    try:
        assert loop.stop(wait_s=0.2) is False
        assert not work.finished.is_set()
    finally:
        work.release.set()
