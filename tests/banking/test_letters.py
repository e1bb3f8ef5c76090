"""The initialisation letter PDF Bob (Acme's finance admin) prints, signs and sends to the bank."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from banking import letters
from banking.ebics import keys, letter
from banking.ebics.messages import EbicsVersion, Subscriber
from tests.conftest import SCREENSHOTS

CREATED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
GENERATED_AT = datetime(2026, 3, 2, 9, 45, tzinfo=UTC)
ACME_AT_TESTBANK = Subscriber(host_id="TESTBANK", partner_id="ACME", user_id="ALICE")
COMPANY = "Acme Industries GmbH, Zürich, Łódź & Söhne"
BANK_URL = "https://ebics.testbank.example/ebicsweb/ebicsweb"


@pytest.fixture(scope="module")
def acme_keys() -> keys.SubscriberKeys:
    return keys.generate_subscriber_keys()


@pytest.fixture(scope="module")
def acme_certificates(acme_keys) -> tuple[bytes, bytes, bytes]:
    signature, authentication, encryption = (
        keys.self_signed_certificate(key, common_name="ACME", now=CREATED_AT)
        for key in (acme_keys.signature, acme_keys.authentication, acme_keys.encryption)
    )
    return signature, authentication, encryption


@pytest.fixture(scope="module")
def h005_letter(acme_keys, acme_certificates) -> letters.InitialisationLetterData:
    content = letter.build_initialisation_letter(
        ACME_AT_TESTBANK, acme_keys, created_at=CREATED_AT, certificates=acme_certificates
    )
    return letters.InitialisationLetterData(
        content=content,
        company_name=COMPANY,
        bank_url=BANK_URL,
        bank_name="Testbank AG",
        subscriber_name="Alice Admin",
    )


@pytest.fixture(scope="module")
def h005_pdf(h005_letter) -> bytes:
    return letters.render_initialisation_letter(h005_letter, generated_at=GENERATED_AT)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


def key_hash_lines(key: keys.SubscriberKey) -> tuple[str, ...]:
    return keys.format_digest_for_letter(key.public.digest())


def test_the_pdf_has_the_ini_letter_on_page_one_and_the_hia_letter_on_page_two(h005_pdf):
    ini_page, hia_page = page_texts(h005_pdf)
    assert "Initialisierungsbrief INI" in ini_page
    assert "Initialisation letter INI" in ini_page
    assert "A006" in ini_page
    assert "X002" not in ini_page
    assert "Initialisierungsbrief HIA" in hia_page
    assert "X002" in hia_page
    assert "E002" in hia_page
    assert "A006" not in hia_page


def test_every_page_names_the_bank_the_customer_and_the_subscriber(h005_pdf):
    for text in page_texts(h005_pdf):
        assert COMPANY in text
        assert BANK_URL in text
        assert "Testbank AG" in text
        assert "Host-ID / Host ID\nTESTBANK" in text
        assert "Kunden-ID / Partner ID\nACME" in text
        assert "Teilnehmer-ID / User ID\nALICE · Alice Admin" in text
        assert "EBICS 3.0 (H005)" in text
        assert "02.03.2026 09:30:00 UTC" in text
        assert "2048 Bit" in text


def test_every_key_prints_its_public_key_hash_and_certificate_hash(
    h005_pdf, acme_keys, acme_certificates
):
    ini_page, hia_page = page_texts(h005_pdf)
    signature_cert, authentication_cert, encryption_cert = acme_certificates
    expected = [
        (ini_page, acme_keys.signature, signature_cert),
        (hia_page, acme_keys.authentication, authentication_cert),
        (hia_page, acme_keys.encryption, encryption_cert),
    ]
    for text, key, certificate in expected:
        lines = [line.strip() for line in text.splitlines()]
        for hash_line in key_hash_lines(key):
            assert hash_line in lines
        for hash_line in keys.format_digest_for_letter(keys.certificate_digest(certificate)):
            assert hash_line in lines


def test_every_key_prints_its_exponent_and_whole_modulus_in_hex(h005_pdf, acme_keys):
    ini_page, hia_page = page_texts(h005_pdf)
    for text, key in [
        (ini_page, acme_keys.signature),
        (hia_page, acme_keys.authentication),
        (hia_page, acme_keys.encryption),
    ]:
        assert "Exponent (hex)\n01 00 01" in text
        assert key.public.modulus_hex.upper() in without_spaces(text)


def test_each_letter_ends_with_the_confirmation_and_the_signature_lines(h005_pdf):
    ini_page, hia_page = page_texts(h005_pdf)
    assert "Ich bestätige hiermit den obigen öffentlichen Schlüssel" in ini_page
    assert "I hereby confirm the above public key for my electronic signature." in ini_page
    assert "I hereby confirm the above public keys" in hia_page
    for text in (ini_page, hia_page):
        assert "Ort, Datum / Place, date" in text
        assert "Unterschrift / Signature" in text
        assert "Name (Druckbuchstaben)" in text


def test_the_letter_contains_no_private_key_material(h005_pdf, acme_keys):
    text = without_spaces("".join(page_texts(h005_pdf))).upper()
    for key in (acme_keys.signature, acme_keys.authentication, acme_keys.encryption):
        numbers = key.private_key.private_numbers()
        for secret in (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1):
            assert format(secret, "X")[:40] not in text
    assert b"PRIVATE KEY" not in h005_pdf


def test_an_h004_letter_prints_the_public_key_hash_only(acme_keys):
    content = letter.build_initialisation_letter(
        ACME_AT_TESTBANK, acme_keys, created_at=CREATED_AT, version=EbicsVersion.H004
    )
    pdf = letters.render_initialisation_letter(
        letters.InitialisationLetterData(content, company_name=COMPANY, bank_url=BANK_URL),
        generated_at=GENERATED_AT,
    )
    ini_page, hia_page = page_texts(pdf)
    assert "EBICS 2.5 (H004)" in ini_page
    assert "Zertifikat" not in ini_page + hia_page
    assert key_hash_lines(acme_keys.signature)[0] in ini_page
    assert key_hash_lines(acme_keys.encryption)[1] in hia_page


def test_markup_in_the_company_name_is_printed_not_interpreted(h005_letter):
    tricky = letters.InitialisationLetterData(
        h005_letter.content, company_name="<b>Acme</b> & Co", bank_url=BANK_URL
    )
    html = letters.render_initialisation_letter_html(tricky, generated_at=GENERATED_AT)
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in html


def test_a_naive_generation_time_is_refused(h005_letter):
    with pytest.raises(letters.LetterRenderingFailed):
        letters.render_initialisation_letter(h005_letter, generated_at=datetime(2026, 3, 2))  # noqa: DTZ001


def test_the_first_page_is_saved_as_a_picture_for_review(request, h005_letter, h005_pdf, tmp_path):
    # pdftoppm shows the real PDF; without it, Chromium renders the same HTML (CI installs it).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "initialisation-letter.png"
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        source = tmp_path / "letter.pdf"
        source.write_bytes(h005_pdf)
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                target.with_suffix(""),
            ],
            check=True,
            timeout=60,
        )
    else:
        html_file = tmp_path / "letter.html"
        html_file.write_text(
            letters.render_initialisation_letter_html(h005_letter, generated_at=GENERATED_AT),
            encoding="utf-8",
        )
        page = request.getfixturevalue("page")
        page.set_viewport_size({"width": 794, "height": 1123})
        page.goto(html_file.as_uri())
        page.screenshot(path=str(target), full_page=False)
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert target.stat().st_size > 20_000
