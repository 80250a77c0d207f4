"""Accounts: sign up, log in/out with server-side sessions, password change and reset.

Responses never tell whether an account exists: a wrong name and a wrong password give the
same error (after the same argon2 work), failed logins slow down per client (``limits``), and a
reset request always answers the same (the web layer sends its mail after the answer).
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from email.message import EmailMessage
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.emails import parse_email
from paperwire.errors import Conflict, InvalidInput, NotFound, SourceError
from paperwire.mail import Mailer
from paperwire.models_community import User
from paperwire.services import limits
from paperwire.storage import Store
from paperwire.tokens import hash_token

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,31}")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
LOGIN_FAILED = "Wrong username or password."
RESETS_PER_HOUR = 5  # reset mails per account per hour (more requests are silently dropped)
RESET_BAD = "This reset link is invalid, already used or expired."

_hasher = PasswordHasher()
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (resources.files("paperwire") / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username must be 2-32 letters, digits, '-' or '_', starting with a "
                           "letter or digit", field="username")
    return username


def check_password(password: str, username: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters",
                           field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password must have at most {MAX_PASSWORD} characters",
                           field="password")
    lowered = password.lower()
    if lowered in common_passwords() or (username and lowered == username.lower()):
        raise InvalidInput("this password is too common; choose another", field="password")
    if len(set(password)) < 3:
        raise InvalidInput("password is too repetitive; choose another", field="password")
    return password


def sign_up(store: Store, username: str, email: str, password: str) -> User:
    check_username(username)
    email = parse_email(email)
    check_password(password, username)
    user = store.create_user(username, email, _hasher.hash(password), now_utc())
    if user is None:
        raise Conflict("That username or email address is already registered.")
    return user


def _verify(stored: str | None, password: str) -> bool:
    """The argon2 check; without a stored hash it checks a dummy one (the same work)."""
    try:
        matched = _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def new_session(store: Store, settings: Settings, user: User) -> str:
    """A fresh random session id (returned once, stored hashed)."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    store.create_session(hash_token(token), user.id, now,
                         now + timedelta(days=settings.session_days))
    return token


def log_in(store: Store, settings: Settings, username: str, password: str,
           address: str = "local") -> tuple[User, str]:
    """Check the password and open a new session; return the user and the session id.

    Unknown names cost the same argon2 work as wrong passwords; failures slow down the
    client that makes them (``limits``), never the account's owner elsewhere."""
    key = username.strip().lower()[:64]
    now = now_utc()
    limits.check_login(store, settings, key, address, now)
    user = store.get_user_by_name(key) if USERNAME.fullmatch(key) else None
    stored = store.get_password_hash(user.id) if user else None
    if not _verify(stored, password[:MAX_PASSWORD]) or user is None or stored is None:
        limits.record_login_failure(store, key, address, now)
        raise InvalidInput(LOGIN_FAILED, field="password")
    if _hasher.check_needs_rehash(stored):
        store.set_password_hash(user.id, _hasher.hash(password))
    limits.record_login_success(store, key, address, now)
    return user, new_session(store, settings, user)


def session_user(store: Store, token: str | None) -> User | None:
    if not token or len(token) > 200:
        return None
    return store.get_session_user(hash_token(token), now_utc())


def log_out(store: Store, token: str | None) -> None:
    if token:
        store.delete_session(hash_token(token))


def change_password(store: Store, settings: Settings, user: User, old: str, new: str) -> str:
    """Set a new password, end every session of the user, and return a fresh session id."""
    if not _verify(store.get_password_hash(user.id), old[:MAX_PASSWORD]):
        raise InvalidInput("the current password is wrong", field="old_password")
    check_password(new, user.username)
    store.set_password_hash(user.id, _hasher.hash(new))
    store.delete_user_sessions(user.id)
    return new_session(store, settings, user)


def build_reset_message(settings: Settings, user: User, token: str) -> EmailMessage:
    link = f"{settings.base_url.rstrip('/')}/reset/{token}"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Subject"] = f"Reset your {settings.site_name} password"
    message.set_content(
        f"Someone asked to reset the password of the account {user.username!r}.\n\n"
        f"To choose a new password, open this link within {settings.password_reset_minutes}"
        f" minutes (it works once):\n\n{link}\n\nIf it was not you, ignore this message.\n")
    return message


def request_password_reset(store: Store, settings: Settings, mailer: Mailer | None,
                           email: str) -> None:
    """Email a single-use reset link when the address has an account (at most RESETS_PER_HOUR
    an hour); silent otherwise."""
    try:
        user = store.get_user_by_email(parse_email(email))
    except InvalidInput:
        user = None
    now = now_utc()
    if user is None or mailer is None or \
            store.count_password_resets(user.id, now - timedelta(hours=1)) >= RESETS_PER_HOUR:
        return
    token = secrets.token_urlsafe(32)
    store.add_password_reset(hash_token(token), user.id, now,
                             now + timedelta(minutes=settings.password_reset_minutes))
    try:
        mailer.send(build_reset_message(settings, user, token))
    except SourceError as exc:  # answering differently would tell that the account exists
        log.warning("password reset mail to user %s not sent: %s", user.id, exc)


def reset_password(store: Store, token: str, new_password: str) -> User:
    """Spend the token and set the password; every session of the user ends."""
    check_password(new_password)
    user_id = store.use_password_reset(hash_token(token), now_utc())
    user = store.get_user(user_id) if user_id is not None else None
    if user is None:
        raise InvalidInput(RESET_BAD, field="token")
    store.set_password_hash(user.id, _hasher.hash(new_password))
    store.delete_user_sessions(user.id)
    return user


def make_admin(store: Store, username: str, is_admin: bool = True) -> None:
    if not store.set_admin(username, is_admin):
        raise NotFound(f"no user named {username[:40]!r}")


def verify_password(store: Store, user: User, password: str) -> None:
    """InvalidInput unless ``password`` is the user's current one."""
    if not _verify(store.get_password_hash(user.id), password[:MAX_PASSWORD]):
        raise InvalidInput("the password is wrong", field="password")
