"""The banking API and command: bank files in, the fixed JSON out, clear errors for bad files."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from banking import schema
from portal.models import AuditEvent, Tenant
from portal.roles import Role
from portal.services import create_api_key

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures"
CAMT053 = FIXTURES / "camt" / "oca" / "test-camt053"
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>"""
PAIN002 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STATUS-1</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>MSG-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>PMT-1</OrgnlPmtInfId>
      <TxInfAndSts>
        <OrgnlEndToEndId>E2E-1</OrgnlEndToEndId><TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>"""


@pytest.fixture
def api(admin):
    _, key = create_api_key(actor=admin, name="ERP", role=Role.VIEWER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def _shape(serializer) -> object:
    """The key structure a serializer documents, nested."""
    from rest_framework import serializers

    fields = serializer().get_fields() if isinstance(serializer, type) else serializer.get_fields()
    shape = {}
    for name, field in fields.items():
        inner = field.child if isinstance(field, serializers.ListSerializer) else field
        shape[name] = _shape(inner) if isinstance(inner, serializers.Serializer) else None
    return shape


def _keys(value: object, like: object) -> object:
    if not isinstance(like, dict):
        return None
    sample = value[0] if isinstance(value, list) and value else value
    if not isinstance(sample, dict):
        return dict.fromkeys(like)
    return {key: _keys(sample.get(key), like.get(key)) for key in sample}


def test_a_statement_uploaded_as_a_file_is_answered_in_the_documented_shape(api):
    with CAMT053.open("rb") as upload:
        response = api.post("/api/v1/statements/parse", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["statements"]
    assert body["statements"][0]["items"]
    documented = _shape(schema.ParsedStatementsSerializer)
    assert _keys(body, documented) == documented


def test_a_statement_sent_as_the_raw_body_gives_the_same_answer(api):
    with CAMT053.open("rb") as upload:
        as_file = api.post("/api/v1/statements/parse", {"file": upload}, format="multipart").json()
    raw = api.generic(
        "POST", "/api/v1/statements/parse", CAMT053.read_bytes(), content_type="application/xml"
    )
    assert raw.status_code == 200
    assert raw.json() == as_file


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (XXE, "DOCTYPE"),
        (b"<Document", ""),
        (b"\x00\x01\x02 not a bank file", ""),
        (b'<?xml version="1.0"?><Document xmlns="urn:example:unknown"/>', ""),
    ],
)
def test_a_hostile_or_unreadable_file_is_a_clear_400_and_changes_nothing(api, payload, message):
    tenants, events = Tenant.objects.count(), AuditEvent.objects.count()
    response = api.generic(
        "POST", "/api/v1/statements/parse", payload, content_type="application/octet-stream"
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail
    assert message in detail
    assert "Traceback" not in detail
    assert (Tenant.objects.count(), AuditEvent.objects.count()) == (tenants, events)


def test_a_file_over_the_size_limit_is_refused(api, settings):
    settings.BANK_FILE_MAX_BYTES = 1024
    response = api.generic(
        "POST", "/api/v1/statements/parse", CAMT053.read_bytes(), content_type="application/xml"
    )
    assert response.status_code == 400
    assert "more than the limit" in response.json()["detail"]


def test_parsing_needs_credentials():
    response = APIClient().post("/api/v1/statements/parse", b"x", content_type="text/plain")
    assert response.status_code == 401


def test_a_status_report_is_read_with_its_rejections(api):
    response = api.generic(
        "POST", "/api/v1/status-reports/parse", PAIN002, content_type="application/xml"
    )
    assert response.status_code == 200, response.content
    documented = _shape(schema.StatusReportSerializer)
    assert _keys(response.json(), documented) == documented
    body = json.dumps(response.json())
    assert "E2E-1" in body
    assert "AC04" in body
    assert "MSG-1" in body


def test_the_command_prints_the_same_json_as_the_api(api):
    api_answer = api.generic(
        "POST", "/api/v1/statements/parse", CAMT053.read_bytes(), content_type="application/xml"
    ).json()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("parse_statement", str(CAMT053), stdout=out)
    assert json.loads(out.getvalue()) == api_answer


def test_the_command_exits_non_zero_with_one_line_for_a_hostile_file(tmp_path):
    hostile = tmp_path / "xxe.xml"
    hostile.write_bytes(XXE)
    result = subprocess.run(
        [sys.executable, "manage.py", "parse_statement", str(hostile)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
