"""SMTP over STARTTLS and implicit TLS, with login, against a real TLS server on loopback.

The server's certificate is made for 127.0.0.1 here; the client trusts it the way an operator
would a private CA: through ``SSL_CERT_FILE``, which ``ssl.create_default_context`` reads.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from paperwire.config import load_settings
from paperwire.mail import MailError, SmtpMailer
from tests.helpers import free_port
from tests.smtp_sink import SinkHandler

USER, PASSWORD = "digest", "s3cret-password"
# aiosmtpd warns that AUTH does not require STARTTLS on the implicit-TLS server, whose socket is
# TLS from the start
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def make_message(subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "paperwire <digest@example.org>"
    message["To"] = "reader@example.org"
    message["Subject"] = subject
    message.set_content("Body\n")
    return message


def write_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paperwire test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Sessions(SinkHandler):
    """The sink, remembering whether each delivering session was encrypted and logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((encrypted, session.auth_data))
        return await super().handle_DATA(server, session, envelope)


def check_login(server: Any, session: Any, envelope: Any, mechanism: str,
                auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=USER if ok else None)


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cert, key = write_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this certificate
    return cert, key


def serve(handler: Sessions, cert: Path, key: Path, implicit: bool) -> Controller:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options: dict[str, Any] = {"authenticator": check_login, "auth_required": True}
    if implicit:  # aiosmtpd's auth_require_tls knows STARTTLS only: this socket is TLS anyway
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True, auth_require_tls=True)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=30,
                            **options)
    controller.start()
    return controller


@pytest.fixture(params=["starttls", "tls"])
def tls_server(request: pytest.FixtureRequest,
               certificate: tuple[Path, Path]) -> Iterator[tuple[Sessions, int, str]]:
    handler = Sessions()
    controller = serve(handler, *certificate, implicit=request.param == "tls")
    yield handler, controller.port, request.param
    controller.stop()


def mailer(tmp_path: Path, port: int, mode: str, password: str = PASSWORD) -> SmtpMailer:
    return SmtpMailer(load_settings({
        "PAPERWIRE_DATA_DIR": str(tmp_path), "PAPERWIRE_SMTP_HOST": "127.0.0.1",
        "PAPERWIRE_SMTP_PORT": str(port), "PAPERWIRE_SMTP_TLS": mode,
        "PAPERWIRE_SMTP_USER": USER, "PAPERWIRE_SMTP_PASSWORD": password}))


def test_mail_goes_encrypted_and_logged_in(tls_server: tuple[Sessions, int, str],
                                           tmp_path: Path) -> None:
    handler, port, mode = tls_server
    sender = mailer(tmp_path, port, mode)
    try:
        sender.send(make_message(subject="Over TLS"))
    finally:
        sender.close()
    assert [r.message["Subject"] for r in handler.received] == ["Over TLS"]
    assert handler.sessions == [(True, USER)]


def test_a_wrong_password_is_a_permanent_refusal(tls_server: tuple[Sessions, int, str],
                                                 tmp_path: Path) -> None:
    handler, port, mode = tls_server
    sender = mailer(tmp_path, port, mode, password="wrong")
    with pytest.raises(MailError) as err:
        sender.send(make_message())
    sender.close()
    assert err.value.code == 535 and handler.received == []


def test_an_untrusted_certificate_is_refused(tls_server: tuple[Sessions, int, str],
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    handler, port, mode = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
    sender = mailer(tmp_path, port, mode)
    with pytest.raises(MailError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        sender.send(make_message())
    sender.close()
    assert handler.received == []
