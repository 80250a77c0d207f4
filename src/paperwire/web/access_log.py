"""Keep secret tokens out of the access log: reset, confirmation, preferences and
unsubscribe links carry them in their paths (mail clients open them with GET)."""

from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(
    r"(/reset/|/subscribe/confirm/|/subscriptions/|/unsubscribe/)[^/?#\s\"]+")
TOKEN_QUERY = re.compile(r"([?&]token=)[^&#\s\"]+")
REDACTED = "[redacted]"


def redact_tokens(text: str) -> str:
    return TOKEN_QUERY.sub(r"\1" + REDACTED, TOKEN_PATH.sub(r"\1" + REDACTED, text))


class RedactTokens(logging.Filter):
    """A filter for uvicorn's access logger: every text argument loses its tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a
                                for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True
