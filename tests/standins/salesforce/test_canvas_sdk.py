"""The Canvas SDK and the host page talking to each other in headless Chromium.

A tiny stand-in for Ledgerlink's Canvas page receives the signed request, loads the SDK from the
instance and asks the host to resize the frame and to refresh the signed request.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.standins.salesforce.flows import LocalSalesforce
from tests.standins.salesforce.server import free_port, running_local_salesforce

pytestmark = pytest.mark.browser
CANVAS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Canvas app</title></head><body>
<p id="result">waiting</p>
<script src="__INSTANCE__/canvas/sdk/js/62.0/canvas-all.js"></script>
<script>
  var signedRequest = __SIGNED_REQUEST__;
  Sfdc.canvas(function () {
    Sfdc.canvas.client.signedrequest(signedRequest);
    var first = JSON.parse(Sfdc.canvas.decode(signedRequest.split(".")[1]));
    Sfdc.canvas.client.resize(first.client, {height: "1234px"});
    Sfdc.canvas.client.refreshSignedRequest(function (data) {
      var fresh = JSON.parse(Sfdc.canvas.decode(data.payload.response.split(".")[1]));
      document.getElementById("result").textContent = JSON.stringify({
        status: data.status, user: fresh.userId,
        newToken: fresh.client.oauthToken !== first.client.oauthToken
      });
    });
  });
</script>
</body></html>"""


def _canvas_app_handler(instance_url: str) -> type[BaseHTTPRequestHandler]:
    class CanvasApp(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            page = CANVAS_PAGE.replace("__INSTANCE__", instance_url).replace(
                "__SIGNED_REQUEST__", json.dumps(form["signed_request"][0])
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: a failing assertion says enough."""

    return CanvasApp


@pytest.fixture(scope="module")
def canvas_setup(tmp_path_factory) -> Iterator[tuple[LocalSalesforce, ThreadingHTTPServer]]:
    port = free_port()
    folder = tmp_path_factory.mktemp("local-salesforce-browser")
    with running_local_salesforce(folder, f"http://127.0.0.1:{port}") as local_salesforce:
        app = ThreadingHTTPServer(
            ("127.0.0.1", port), _canvas_app_handler(local_salesforce.base_url)
        )
        threading.Thread(target=app.serve_forever, daemon=True).start()
        try:
            yield local_salesforce, app
        finally:
            app.shutdown()
            app.server_close()


def test_sdk_resizes_the_frame_and_refreshes_the_signed_request(
    canvas_setup, finance_manager, page
):
    local_salesforce, _ = canvas_setup
    page.goto(local_salesforce.url("/canvas/host/?width=600"))
    page.get_by_role("button", name="Log in as Bob Finance").click()
    frame = page.frame_locator("iframe[name=canvas-frame]")
    result = frame.locator("#result")
    result.filter(has_text="status").wait_for(timeout=10_000)
    outcome = json.loads(result.inner_text())
    size = page.eval_on_selector(
        "#canvas-frame", "frame => [frame.style.height, frame.offsetWidth]"
    )

    assert outcome == {"status": 200, "user": finance_manager.user_id, "newToken": True}
    assert size == ["1234px", 600]
