"""The bank serves HTTPS with a certificate from a test CA, as a real bank's endpoint would."""

import threading
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from banking.ebics import messages, responses
from standins.bank.runtime import assemble
from tests.standins.bank.conftest import FakeLedger, clock
from tests.standins.bank.subscriber_client import TIMEOUT


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_test_ca_and_server_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Ledgerlink test CA"))
        .issuer_name(_name("Ledgerlink test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def test_hev_over_https_verifies_against_the_test_ca(tmp_path: Path) -> None:
    ca_path, cert_path, key_path = write_test_ca_and_server_certificate(tmp_path)
    server = assemble(tmp_path / "bank", FakeLedger(), clock).server("127.0.0.1", 0)
    server.use_tls(cert_path, key_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        answer = requests.post(
            f"{url}/ebics",
            data=messages.build_hev_request("LLBANK"),
            headers={"Content-Type": "text/xml"},
            timeout=TIMEOUT,
            verify=str(ca_path),
        )
        assert responses.parse_hev_response(answer.content).return_code == "000000"
        health = requests.get(f"{url}/_standin/health", timeout=TIMEOUT, verify=str(ca_path))
        assert health.json()["status"] == "ok"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


def test_a_client_that_does_not_trust_the_ca_is_refused(tmp_path: Path) -> None:
    _, cert_path, key_path = write_test_ca_and_server_certificate(tmp_path)
    server = assemble(tmp_path / "bank", FakeLedger(), clock).server("127.0.0.1", 0)
    server.use_tls(cert_path, key_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        try:
            requests.get(
                f"https://127.0.0.1:{server.server_address[1]}/_standin/health", timeout=TIMEOUT
            )
        except requests.exceptions.SSLError:
            pass
        else:
            raise AssertionError("an untrusted certificate was accepted")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)
