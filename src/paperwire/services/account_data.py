"""The whole account: one JSON document of everything it made, and its deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperwire.clock import now_utc
from paperwire.models_community import User
from paperwire.services import accounts
from paperwire.storage import Store

EXPORT_VERSION = 1


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def build_export(store: Store, user: User) -> dict[str, Any]:
    """Everything ``user`` made: profile, follows, mutes, "not interested" marks, upvotes,
    comments, collections with their notes, submissions, subscriptions, organization
    memberships and tokens (labels only: a token's secret is never stored)."""
    rows = store.account_rows(user)
    return {"format": "paperwire-account", "version": EXPORT_VERSION,
            "exportedAt": now_utc().isoformat(),
            "account": {"username": user.username, "email": user.email,
                        "createdAt": _plain(user.created_at), "admin": user.is_admin},
            **{name: [{k: _plain(v) for k, v in row.items()} for row in found]
               for name, found in rows.items()}}


def delete_account(store: Store, user: User, password: str) -> None:
    """Remove the account and all it made once its password is confirmed; every session ends
    with it (they are rows of the account)."""
    accounts.verify_password(store, user, password)
    store.delete_account(user)
