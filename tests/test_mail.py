"""The Mailer implementations against a real SMTP server on loopback."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest

from paperwire.config import Settings, load_settings
from paperwire.errors import ConfigError, InvalidInput
from paperwire.mail import ConsoleMailer, MailError, SmtpMailer, check_header_value, open_mailer
from tests.smtp_sink import SmtpSink


def make_message(to: str = "reader@example.org", subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "paperwire <digest@example.org>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Body with <b> & ünïcode\n")
    return message


def test_smtp_mailer_delivers_over_one_connection(mail_settings: Settings,
                                                  smtp_server: SmtpSink) -> None:
    mailer = SmtpMailer(mail_settings)
    for n in range(3):
        mailer.send(make_message(subject=f"Hello {n}"))
    mailer.close()
    got = [r.message for r in smtp_server.received]
    assert [m["Subject"] for m in got] == ["Hello 0", "Hello 1", "Hello 2"]
    assert got[0].get_content().rstrip() == "Body with <b> & ünïcode"
    assert smtp_server.received[0].rcpt == ["reader@example.org"]


def test_temporary_and_permanent_refusals_carry_the_code(mail_settings: Settings,
                                                         smtp_server: SmtpSink) -> None:
    smtp_server.handler.reply_rcpt = lambda a: "550 No such user" if "gone" in a else None
    smtp_server.handler.reply_data = lambda call: "451 Try again later" if call == 1 else None
    mailer = SmtpMailer(mail_settings)
    with pytest.raises(MailError) as temporary:
        mailer.send(make_message())
    assert temporary.value.code == 451 and temporary.value.temporary
    with pytest.raises(MailError) as permanent:
        mailer.send(make_message(to="gone@example.org"))
    assert permanent.value.code == 550 and not permanent.value.temporary
    mailer.send(make_message())  # reconnects after the refusals
    assert len(smtp_server.received) == 1


def test_unreachable_server_is_a_temporary_error(settings: Settings) -> None:
    closed = load_settings({"PAPERWIRE_SMTP_PORT": "1", "PAPERWIRE_DATA_DIR": "/tmp/x"})
    with pytest.raises(MailError) as err:
        SmtpMailer(closed).send(make_message())
    assert err.value.temporary and "127.0.0.1:1" in str(err.value)


@pytest.mark.parametrize("value", ["a\r\nBcc: victim@example.org", "a\nb", "a\rb", "a\x00b"])
def test_header_line_breaks_are_rejected(value: str, mail_settings: Settings,
                                         smtp_server: SmtpSink) -> None:
    with pytest.raises(InvalidInput):
        check_header_value("Subject", value)
    message = make_message()
    message.__dict__["_headers"].append(("Subject", value))  # bypass the email policy check
    with pytest.raises(InvalidInput):
        SmtpMailer(mail_settings).send(message)
    with pytest.raises(InvalidInput):
        ConsoleMailer(io.StringIO()).send(message)
    assert smtp_server.received == []


def test_console_mailer_and_choice_by_setting(settings: Settings) -> None:
    out = io.StringIO()
    ConsoleMailer(out).send(make_message(subject="Printed"))
    assert "Subject: Printed" in out.getvalue()
    assert isinstance(open_mailer(settings), SmtpMailer)
    console = load_settings({"PAPERWIRE_MAILER": "console", "PAPERWIRE_DATA_DIR": "/tmp/x"})
    assert isinstance(open_mailer(console), ConsoleMailer)
    with pytest.raises(ConfigError, match="PAPERWIRE_MAILER"):
        open_mailer(load_settings({"PAPERWIRE_MAILER": "pigeon", "PAPERWIRE_DATA_DIR": "/x"}))
