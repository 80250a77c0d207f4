"""Per-address limits on signup, reset, subscribe and submit, shared through the database."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services, open_store
from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import PASSWORD, post, sign_up


def browser(app: object, address: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(address, 50000))  # type: ignore[arg-type]


def test_signups_from_one_address_are_limited_across_processes(
        settings: Settings, store: SqliteStore) -> None:
    limited = replace(settings, address_signups_per_hour=3)
    second_store = open_store(settings)  # what another worker process opens
    first = browser(create_app(build_services(limited, store=store)), "198.51.100.5")
    second = browser(create_app(build_services(limited, store=second_store)), "198.51.100.5")
    codes = []
    for n in range(5):
        client = first if n % 2 == 0 else second
        answer = post(client, "/signup", {"username": f"bulk{n}", "password": PASSWORD,
                                          "email": f"bulk{n}@example.org"})
        codes.append(answer.status_code)
    assert codes == [303, 303, 303, 429, 429]
    assert store.get_user_by_name("bulk3") is None
    sign_up(browser(first.app, "198.51.100.6"), "elsewhere")  # another address is not limited
    second_store.close()


def test_resets_subscriptions_and_submissions_are_limited(settings: Settings,
                                                         store: SqliteStore) -> None:
    limited = replace(settings, address_resets_per_hour=2, address_subscriptions_per_hour=2,
                      address_submissions_per_hour=2, address_signups_per_hour=5)
    client = browser(create_app(build_services(limited, store=store)), "198.51.100.7")
    sign_up(client, "poster")
    forms = [("/reset", {"email": "x@example.org"}),
             ("/subscribe", {"email": "x@example.org", "frequency": "daily"}),
             ("/submit", {"paper": "not-a-paper"})]
    for path, form in forms:
        codes = [post(client, path, form).status_code for _ in range(3)]
        assert codes[2] == 429 and 429 not in codes[:2], (path, codes)
    answer = client.post("/api/subscriptions", json={"email": "b@example.org"})
    assert answer.status_code == 429  # the API shares the form's count
    assert answer.json()["error"].startswith("Too many") and answer.headers["retry-after"]
