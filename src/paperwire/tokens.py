"""Secret tokens (sessions, resets, confirmations, unsubscribe links) and how they are stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe token of 192 random bits."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a leaked database gives no usable token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
