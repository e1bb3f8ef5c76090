"""HttpTransport against a local HTTP(S) server on a free port: success and every failure kind."""

import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from banking.ebics.errors import TransportFailed
from banking.ebics_http import HttpTransport, TransportMisconfigured

REQUEST = b"<?xml version='1.0'?><ebicsRequest/>"


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers by path: /ok echoes, /status/<n>, /big, /cut (truncated), /hangup."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((self.headers["Content-Type"], body))  # type: ignore[attr-defined]
        if self.path == "/hangup":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.path.startswith("/status/"):
            self.send_response(int(self.path.rsplit("/", 1)[1]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        answer = b"<ebicsResponse>" + body + b"</ebicsResponse>"
        if self.path == "/big":
            answer = b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        length = len(answer) + (100 if self.path == "/cut" else 0)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(answer)
        if self.path == "/cut":
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: test output should not fill with access logs."""


def serve(context: ssl.SSLContext | None = None) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedHandler)
    server.seen = []  # type: ignore[attr-defined]
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def bank_server() -> Iterator[ThreadingHTTPServer]:
    yield from serve()


@pytest.fixture(scope="module")
def certificate_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 that no trust store knows."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Untrusted Test Bank")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    certificate_path = folder / "bank.pem"
    key_path = folder / "bank.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


@pytest.fixture
def tls_bank_server(certificate_files) -> Iterator[ThreadingHTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate_files)
    yield from serve(context)


def url(server: ThreadingHTTPServer, path: str, scheme: str = "http") -> str:
    host, port = server.server_address[:2]
    return f"{scheme}://{host!s}:{port}{path}"


def test_post_sends_xml_and_returns_the_answer(bank_server):
    answer = HttpTransport(url(bank_server, "/ok")).post(REQUEST)
    assert answer == b"<ebicsResponse>" + REQUEST + b"</ebicsResponse>"
    assert bank_server.seen == [("text/xml; charset=UTF-8", REQUEST)]


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (404, False), (503, True)])
def test_a_status_other_than_200_fails_with_the_status(bank_server, status, retryable):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(bank_server, f"/status/{status}")).post(REQUEST)
    assert failure.value.status == status
    assert failure.value.retryable is retryable
    assert str(status) in str(failure.value)


def test_a_redirect_is_not_followed(bank_server):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(bank_server, "/status/302")).post(REQUEST)
    assert failure.value.retryable is False


def test_a_refused_connection_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(f"http://127.0.0.1:{port}/ebics").post(REQUEST)
    assert failure.value.retryable is True


def test_a_connection_closed_without_answer_is_retryable(bank_server):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(bank_server, "/hangup")).post(REQUEST)
    assert failure.value.retryable is True


def test_a_truncated_answer_is_retryable(bank_server):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(bank_server, "/cut")).post(REQUEST)
    assert failure.value.retryable is True


def test_an_answer_over_the_size_limit_is_refused_without_its_content(bank_server):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(bank_server, "/big"), max_response_bytes=1024).post(REQUEST)
    assert failure.value.retryable is False
    assert "xxx" not in str(failure.value)


def test_an_untrusted_tls_certificate_fails_clearly_and_is_not_retryable(tls_bank_server):
    with pytest.raises(TransportFailed) as failure:
        HttpTransport(url(tls_bank_server, "/ok", "https")).post(REQUEST)
    assert failure.value.retryable is False
    assert str(failure.value).startswith("the bank's TLS certificate could not be verified")


def test_a_ca_bundle_path_makes_a_private_bank_certificate_trusted(
    tls_bank_server, certificate_files
):
    transport = HttpTransport(
        url(tls_bank_server, "/ok", "https"), verify=str(certificate_files[0])
    )
    assert transport.post(REQUEST).startswith(b"<ebicsResponse>")


def test_turning_tls_verification_off_is_refused():
    with pytest.raises(TransportMisconfigured):
        HttpTransport("https://bank.example/ebics", verify=False)
