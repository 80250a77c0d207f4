"""Personal tokens: API tokens (``Authorization: Bearer …`` on the personal ``/api/`` routes)
and private feed URLs (For you, follows, one collection), for feed readers that cannot log in.

A token is 192 random bits shown once, when it is made; only its SHA-256 is stored, so a
leaked database gives no usable token. Revoking deletes it: the URL or header answers 404 (a
feed) or 401 (the API) from then on, exactly as a guessed token does.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperwire.clock import now_utc
from paperwire.errors import InvalidInput, NotFound
from paperwire.models_community import User
from paperwire.models_personal import FEED_SCOPES, PersonalToken
from paperwire.services import collections
from paperwire.storage import Store
from paperwire.tokens import hash_token, new_token

MAX_LABEL = 100
MAX_TOKENS = 50
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class MadeToken:
    """A token just made: ``secret`` is shown this once and never again."""

    token: PersonalToken
    secret: str


def _label(raw: str, default: str) -> str:
    label = " ".join(raw.split()) or default
    if len(label) > MAX_LABEL:
        raise InvalidInput(f"the label must be at most {MAX_LABEL} characters", field="label")
    return label


def _make(store: Store, user: User, kind: str, scope: str, label: str) -> MadeToken:
    if len(store.list_personal_tokens(user.id)) >= MAX_TOKENS:
        raise InvalidInput(f"at most {MAX_TOKENS} tokens per account; revoke one first",
                           field="label")
    secret = new_token()
    new_id = store.add_personal_token(user.id, kind, scope, label, hash_token(secret), now_utc())
    made = next(t for t in store.list_personal_tokens(user.id) if t.id == new_id)
    return MadeToken(made, secret)


def create_api_token(store: Store, user: User, raw_label: str) -> MadeToken:
    return _make(store, user, "api", "api", _label(raw_label, "API token"))


def check_feed_scope(store: Store, user: User, scope: str) -> str:
    """"for-you", "following" or "collection:<id>" of one of the user's collections."""
    if scope in FEED_SCOPES:
        return scope
    head, _, rest = scope.partition(":")
    if head == "collection" and rest.isdigit() and len(rest) < 12:
        collections.own(store, user, int(rest))
        return scope
    raise InvalidInput("a feed is of 'for-you', 'following' or 'collection:<id>'",
                       field="scope")


def create_feed_token(store: Store, user: User, scope: str) -> MadeToken:
    checked = check_feed_scope(store, user, scope)
    return _make(store, user, "feed", checked, checked)


def list_tokens(store: Store, user: User) -> list[PersonalToken]:
    return store.list_personal_tokens(user.id)


def revoke(store: Store, user: User, token_id: int) -> None:
    if not store.delete_personal_token(user.id, token_id):
        raise NotFound("no such token")


def api_user(store: Store, secret: str) -> User | None:
    """The owner of an API token, or None (unknown or revoked)."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    found = store.use_personal_token(hash_token(secret), "api", now_utc())
    return None if found is None else found[0]


def feed_of(store: Store, secret: str) -> tuple[User, str]:
    """The owner and scope of a private feed token; NotFound for anything else."""
    found = (store.use_personal_token(hash_token(secret), "feed", now_utc())
             if secret and len(secret) <= MAX_TOKEN_LENGTH else None)
    if found is None:
        raise NotFound("no such feed")
    user, token = found
    return user, token.scope
