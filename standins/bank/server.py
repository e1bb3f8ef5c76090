"""The bank's HTTP(S) server: ``POST /ebics`` and the control API under ``/_standin/``.

Built on the standard library's threading HTTP server rather than WSGI, because a failure switch
must be able to close the connection without any answer, which WSGI servers do not offer.
"""

import ipaddress
import logging
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standins.bank.control import Control
from standins.bank.protocol import Bank

logger = logging.getLogger("standins.bank")

EBICS_PATH = "/ebics"
CONTROL_PREFIX = "/_standin/"
# EBICS order data of one request is at most a segment (1 MiB of base64) plus envelope.
MAX_BODY = 16 * 1024 * 1024


class BankServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the bank and its control API."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], bank: Bank, control: Control) -> None:
        super().__init__(address, _Handler)
        self.bank = bank
        self.control = control

    def use_tls(self, certfile: Path, keyfile: Path) -> None:
        """Serve HTTPS with this certificate chain and key (raises ``OSError``/``ssl.SSLError``)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certfile, keyfile)
        # The handshake then runs in the request's thread, not in the accept loop.
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )


class _Handler(BaseHTTPRequestHandler):
    server: BankServer
    protocol_version = "HTTP/1.1"
    server_version = "LLBANK-EBICS/1.0"

    def log_message(self, format: str, *args: object) -> None:
        # The EBICS endpoint logs its own line per request; access lines go to debug.
        logger.debug("%s %s", self.address_string(), format % args)

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._send(413, "text/plain", b"request body too large or without length")
            return None
        return self.rfile.read(length)

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _is_loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            return False

    def _control(self, method: str) -> None:
        if not self._is_loopback():
            self._send(403, "text/plain", b"the control API answers loopback clients only")
            return
        body = self._body() if method != "GET" else b""
        if body is None:
            return
        wants_html = "text/html" in (self.headers.get("Accept") or "") or (
            self.headers.get("Content-Type") or ""
        ).startswith("application/x-www-form-urlencoded")
        answer = self.server.control.handle(method, self.path, body, wants_html=wants_html)
        self._send(answer.status, answer.content_type, answer.body, answer.headers)

    def do_GET(self) -> None:
        if self.path.startswith(CONTROL_PREFIX):
            self._control("GET")
        else:
            self._send(404, "text/plain", b"not found")

    def do_DELETE(self) -> None:
        if self.path.startswith(CONTROL_PREFIX):
            self._control("DELETE")
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self) -> None:
        if self.path.startswith(CONTROL_PREFIX):
            self._control("POST")
            return
        if self.path.split("?", 1)[0] != EBICS_PATH:
            self._send(404, "text/plain", b"not found")
            return
        body = self._body()
        if body is None:
            return
        answer = self.server.bank.handle(body)
        if answer.stall:
            # Failure switch: a slow bank. The request is processed; the answer comes late.
            time.sleep(answer.stall)
        if answer.body is None:
            # Failure switch: the request was processed, the answer is lost on the way.
            self.close_connection = True
            return
        self._send(200, "text/xml; charset=UTF-8", answer.body)
