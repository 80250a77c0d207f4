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
# What the API schema states of an address: a stricter outline of the rule above (an ASCII
# dot-atom of at most 64 characters, one @, dotted ASCII labels without a double hyphen, a
# TLD of letters that is not special-use), so every address it allows is one ``parse_email``
# accepts; ``parse_email`` is what decides.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,30}"
_SPECIAL_USE = "|".join("".join(f"[{c.upper()}{c}]" for c in name)
                        for name in ("arpa", "invalid", "local", "localhost", "onion", "test"))
EMAIL_PATTERN = (
    rf"^(?!.*\.(?:{_SPECIAL_USE})$)"
    rf"{_ATEXT}{{1,32}}(?:\.{_ATEXT}{{1,15}}){{0,2}}@(?:{_LABEL}\.){{1,4}}[A-Za-z]{{2,63}}$"
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
