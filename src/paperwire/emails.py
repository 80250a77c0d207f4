"""The one email address rule of paperwire (accounts, resets, subscriptions, imports).

``email-validator`` checks the syntax strictly (RFC 5321/5322 and its safety rules) without
any DNS look-up; addresses are ASCII only (no SMTPUTF8: invisible or look-alike characters
cannot make a second account of the same address) and normalized to lower case, the form
every stored address and every comparison uses.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from paperwire.errors import InvalidInput

MAX_LENGTH = 254
# What the API schema states of an address (a looser outline of the rule above: ASCII, one @,
# a dotted domain); ``parse_email`` is what decides.
EMAIL_PATTERN = (
    r"^[^@\s<>()\[\]\\,;:\"]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)


def parse_email(raw: str, field: str = "email") -> str:
    """The normalized address, or InvalidInput naming the field and the reason."""
    value = raw.strip()
    if len(value) > MAX_LENGTH:
        raise InvalidInput(f"{field} is longer than {MAX_LENGTH} characters", field=field)
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False,
                                 allow_display_name=False, allow_quoted_local=False,
                                 allow_domain_literal=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{field} {value[:60]!r} is not a valid email address: {exc}",
                           field=field) from exc
    return checked.normalized.lower()
