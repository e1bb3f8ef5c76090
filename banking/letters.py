"""The EBICS initialisation letter as a PDF: the INI page and the HIA page an admin signs.

``banking.ebics.letter`` decides what the letters say (hex exponent, modulus, hash lines); this
module adds what only the portal knows (the company's name, the bank's URL), lays it out with
the ``banking/initialisation_letter.html`` template and converts it with xhtml2pdf.

The PDF embeds DejaVu Sans and DejaVu Sans Mono (``static/banking/fonts``) so names outside
Latin-1 print correctly and the hex columns line up. It never receives private key material:
``InitialisationLetter`` holds public values only.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from xhtml2pdf import pisa

from banking.ebics.keys import format_digest_for_letter, public_key_digest
from banking.ebics.letter import InitialisationLetter, LetterKey

TEMPLATE = "banking/initialisation_letter.html"
FONT_FOLDER = Path(settings.BASE_DIR) / "static" / "banking" / "fonts"
# The modulus is printed 32 byte pairs a line (8 lines for 2048 bits) so the HIA letter's two
# keys fit on one A4 page; the hashes, which the bank compares, keep sixteen pairs a line.
MODULUS_PAIRS_PER_LINE = 32


class LetterRenderingFailed(Exception):
    """The letter could not be rendered; the message says why (never any key material)."""


@dataclass(frozen=True)
class InitialisationLetterData:
    """What the printed letter needs beyond the EBICS content."""

    content: InitialisationLetter
    company_name: str
    bank_url: str
    bank_name: str = ""
    subscriber_name: str = ""


@dataclass(frozen=True)
class PrintedHash:
    """One hash with its bilingual label, as lines of sixteen hex pairs."""

    label_de: str
    label_en: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PrintedKey:
    """One public key laid out for print."""

    version: str
    purpose_de: str
    purpose_en: str
    key_length: int
    exponent: str
    modulus_lines: tuple[str, ...]
    hashes: tuple[PrintedHash, ...]


@dataclass(frozen=True)
class LetterSection:
    """One letter of the document (INI or HIA), starting on a page of its own."""

    order_type: str
    subtitle_de: str
    subtitle_en: str
    keys: tuple[PrintedKey, ...]
    confirmation_de: str
    confirmation_en: str


def render_initialisation_letter(
    letter_data: InitialisationLetterData, *, generated_at: datetime
) -> bytes:
    """Render the INI letter (A006) and the HIA letter (X002, E002) as one A4 PDF.

    Each letter starts on a page of its own and ends with the confirmation and signature lines.
    For H005 both the public-key hash and the certificate hash (``content``'s hash lines) are
    printed; for H004 the public-key hash only.
    Raises ``LetterRenderingFailed`` when ``generated_at`` is naive or xhtml2pdf reports an
    error.
    """
    return _convert_to_pdf(
        render_initialisation_letter_html(letter_data, generated_at=generated_at)
    )


def render_initialisation_letter_html(
    letter_data: InitialisationLetterData, *, generated_at: datetime
) -> str:
    """Return the letter's HTML (the PDF's source; also usable as an on-screen preview).

    Raises ``LetterRenderingFailed`` when ``generated_at`` is naive.
    """
    if generated_at.tzinfo is None:
        raise LetterRenderingFailed("the letter's generation time must be an aware datetime")
    content = letter_data.content
    return render_to_string(
        TEMPLATE,
        {
            "letter": content,
            "company_name": letter_data.company_name,
            "bank_name": letter_data.bank_name,
            "bank_url": letter_data.bank_url,
            "subscriber_name": letter_data.subscriber_name,
            "ebics_version": _EBICS_VERSIONS.get(content.protocol, content.protocol),
            "created_at": _format_moment(content.created_at),
            "generated_at": _format_moment(generated_at),
            "sections": _sections(content),
            "font_folder": FONT_FOLDER.as_posix(),
        },
    )


def _convert_to_pdf(html: str) -> bytes:
    output = io.BytesIO()
    # xhtml2pdf serialises conversions itself (a process-wide lock in xhtml2pdf.document).
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if status.err:
        raise LetterRenderingFailed(f"xhtml2pdf reported {status.err} error(s)")
    return output.getvalue()


def _sections(content: InitialisationLetter) -> tuple[LetterSection, ...]:
    protocol = content.protocol
    return (
        LetterSection(
            order_type="INI",
            subtitle_de="Elektronische Unterschrift",
            subtitle_en="Electronic signature",
            keys=(_printed_key(content.signature, protocol),),
            confirmation_de=(
                "Ich bestätige hiermit den obigen öffentlichen Schlüssel für meine "
                "elektronische Unterschrift."
            ),
            confirmation_en="I hereby confirm the above public key for my electronic signature.",
        ),
        LetterSection(
            order_type="HIA",
            subtitle_de="Authentifikation und Verschlüsselung",
            subtitle_en="Authentication and encryption",
            keys=(
                _printed_key(content.authentication, protocol),
                _printed_key(content.encryption, protocol),
            ),
            confirmation_de=(
                "Ich bestätige hiermit die obigen öffentlichen Schlüssel für die "
                "Authentifikation und die Verschlüsselung."
            ),
            confirmation_en=(
                "I hereby confirm the above public keys for authentication and encryption."
            ),
        ),
    )


_EBICS_VERSIONS = {"H004": "EBICS 2.5 (H004)", "H005": "EBICS 3.0 (H005)"}

_PURPOSES = {
    "A006": ("Elektronische Unterschrift", "Electronic signature"),
    "X002": ("Authentifikation", "Authentication"),
    "E002": ("Verschlüsselung", "Encryption"),
}


def _printed_key(key: LetterKey, protocol: str) -> PrintedKey:
    purpose_de, purpose_en = _PURPOSES.get(key.version, (key.version, key.version))
    public_key_hash = PrintedHash(
        "Hashwert des öffentlichen Schlüssels (SHA-256)",
        "Public key hash (SHA-256)",
        format_digest_for_letter(public_key_digest(key.exponent_hex, key.modulus_hex)),
    )
    if protocol == "H005":
        # letter.py prints the certificate's hash for EBICS 3.0 (it requires the certificates
        # there); the key hash is added so either can be compared with the bank's records.
        certificate_hash = PrintedHash(
            "Hashwert des Zertifikats (SHA-256)", "Certificate hash (SHA-256)", key.hash_lines
        )
        hashes: tuple[PrintedHash, ...] = (public_key_hash, certificate_hash)
    else:
        hashes = (public_key_hash,)
    return PrintedKey(
        version=key.version,
        purpose_de=purpose_de,
        purpose_en=purpose_en,
        key_length=int(key.modulus_hex, 16).bit_length(),
        exponent=" ".join(_hex_pairs(key.exponent_hex)),
        modulus_lines=_hex_lines(key.modulus_hex),
        hashes=hashes,
    )


def _hex_pairs(hex_text: str) -> list[str]:
    # An odd number of digits (the exponent 10001) gets its leading zero back: whole bytes.
    digits = hex_text.upper()
    if len(digits) % 2:
        digits = "0" + digits
    return [digits[start : start + 2] for start in range(0, len(digits), 2)]


def _hex_lines(hex_text: str) -> tuple[str, ...]:
    pairs = _hex_pairs(hex_text)
    return tuple(
        " ".join(pairs[start : start + MODULUS_PAIRS_PER_LINE])
        for start in range(0, len(pairs), MODULUS_PAIRS_PER_LINE)
    )


def _format_moment(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M:%S %Z").strip()
