"""What personal tokens and the whole-account export and deletion need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from paperwire.models_community import User
from paperwire.models_personal import PersonalToken


class AccountStore(Protocol):
    # -- personal tokens (API tokens, private feed URLs) -----------------------------
    def add_personal_token(self, user_id: int, kind: str, scope: str, label: str,
                           token_hash: str, now: datetime) -> int: ...

    def list_personal_tokens(self, user_id: int) -> list[PersonalToken]: ...

    def delete_personal_token(self, user_id: int, token_id: int) -> bool: ...

    def use_personal_token(self, token_hash: str, kind: str,
                           now: datetime) -> tuple[User, PersonalToken] | None: ...

    # -- the whole account -----------------------------------------------------------
    def account_rows(self, user: User) -> dict[str, list[dict[str, Any]]]: ...

    def delete_account(self, user: User) -> None: ...
