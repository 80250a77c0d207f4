"""Per-client limits and the login delay, counted in the database so that every worker
process of a site sees the same counts.

Actions (signup, reset, subscribe, submit) are limited per client address and hour. Failed
logins slow down instead of locking an account: after ``FREE_FAILURES`` failures of one
account from one address, each further attempt from that address waits twice as long as the
one before (2 s, 4 s, 8 s… at most ``MAX_DELAY_S``); an address with too many failures over
all accounts waits for its hour to pass; and once an account has had
``login_failures_per_hour`` failures from everywhere, only clients that logged in to it
before (its owner's usual browsers and networks) skip the account-wide delay. An attacker
can slow down only their own attempts, never the owner's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.config import Settings
from paperwire.errors import RateLimited
from paperwire.storage import Store

HOUR = timedelta(hours=1)
KNOWN_CLIENT = timedelta(days=30)  # a successful login makes an address known this long
FREE_FAILURES = 5
MAX_DELAY_S = 900
ACTIONS = ("signup", "reset", "subscribe", "submit")


def action_limit(settings: Settings, action: str) -> int:
    """How many times one address may do ``action`` in an hour."""
    return {"signup": settings.address_signups_per_hour,
            "reset": settings.address_resets_per_hour,
            "subscribe": settings.address_subscriptions_per_hour,
            "submit": settings.address_submissions_per_hour}[action]


def check_rate(store: Store, settings: Settings, action: str, address: str,
               now: datetime) -> None:
    """Count one ``action`` of ``address``, or raise RateLimited when its hour is full."""
    if not store.take_rate_slot(action, address, now, now - HOUR, action_limit(settings, action)):
        raise RateLimited(f"Too many {action} requests from your address; try again later.",
                          retry_after=int(HOUR.total_seconds()))


def login_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` failed logins (0 for the first few)."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_S))


def _wait(failures: int, last: datetime | None, now: datetime) -> float:
    if last is None:
        return 0.0
    return login_delay(failures) - (now - last).total_seconds()


def login_wait(store: Store, settings: Settings, account: str, address: str,
               now: datetime) -> float:
    """Seconds before ``address`` may try a password for ``account`` again (0: now)."""
    since = now - HOUR
    waits = [_wait(*store.rate_events("login-fail", f"{account}|{address}", since), now)]
    by_address, last = store.rate_events("login-fail-address", address, since)
    if by_address >= settings.address_login_failures_per_hour and last is not None:
        waits.append(3600 - (now - last).total_seconds())
    if not is_known_client(store, account, address, now):
        by_account, last = store.rate_events("login-fail-account", account, since)
        over = by_account - settings.login_failures_per_hour
        if over >= 0:
            waits.append(_wait(over + FREE_FAILURES, last, now))
    return max(waits)


def check_login(store: Store, settings: Settings, account: str, address: str,
                now: datetime) -> None:
    """RateLimited when this client must wait before trying this account again."""
    wait = login_wait(store, settings, account, address, now)
    if wait > 0:
        seconds = int(wait) + 1
        raise RateLimited(f"Too many failed logins from your address; try again in {seconds}"
                          " seconds.", retry_after=seconds)


def record_login_failure(store: Store, account: str, address: str, now: datetime) -> None:
    store.record_rate_event("login-fail", f"{account}|{address}", now)
    store.record_rate_event("login-fail-address", address, now)
    store.record_rate_event("login-fail-account", account, now)


def record_login_success(store: Store, account: str, address: str, now: datetime) -> None:
    """The address becomes a known client of the account; its own failures are forgiven."""
    store.clear_rate_events("login-fail", f"{account}|{address}")
    store.record_rate_event("login-ok", f"{account}|{address}", now)


def is_known_client(store: Store, account: str, address: str, now: datetime) -> bool:
    return store.rate_events("login-ok", f"{account}|{address}", now - KNOWN_CLIENT)[0] > 0
