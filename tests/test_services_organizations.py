"""Imported author handles are not local accounts: a username equal to a handle from an
import does not make its papers the user's until an administrator links the two."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.cli import main
from paperwire.config import Settings
from paperwire.models import Author, Organization
from paperwire.services.accounts import make_admin
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import add_paper, new_client, post, sign_up


def test_a_matching_username_needs_a_link_before_it_can_attach_papers(
        cc: TestClient, store: SqliteStore, settings: Settings, cli: CliRunner) -> None:
    sign_up(cc, "admin")
    make_admin(store, "admin")
    store.upsert_organization(Organization("lab", "A Lab"))
    add_paper(store, settings, "2507.00001", daily=False,
              authors=(Author("Famous Author", user="famous"),))  # an imported HF handle
    squatter = new_client(cc)
    sign_up(squatter, "famous")  # anyone can pick the same name locally
    assert post(cc, "/organizations/lab/members", {"username": "famous"}).status_code == 303
    attach = {"paper": "2507.00001"}
    assert post(squatter, "/organizations/lab/papers", attach).status_code == 403
    linked = cli.invoke(main, ["users", "link-author", "famous", "famous"])
    assert linked.exit_code == 0, linked.output
    assert post(squatter, "/organizations/lab/papers", attach).status_code == 303
    again = cli.invoke(main, ["users", "link-author", "admin", "FAMOUS"])
    assert again.exit_code == 1 and "already linked" in again.output  # one account per handle
    missing = cli.invoke(main, ["users", "link-author", "nobody", "other"])
    assert missing.exit_code == 1 and "no user named" in missing.output
