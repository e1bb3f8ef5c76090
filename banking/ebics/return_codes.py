"""EBICS return codes: what each one means for Ledgerlink and what an admin should do.

Technical codes (header) and business codes (body) are separate tables because the
specification reuses a number: 091002 is a subscriber-state error in the header and
"download only unsigned data" in the body.
"""

from dataclasses import dataclass
from enum import StrEnum

OK_CODE = "000000"


class Kind(StrEnum):
    """Where a code appears: the response header or the response body."""

    TECHNICAL = "technical"
    BUSINESS = "business"


class Outcome(StrEnum):
    """What the caller should do with a code."""

    OK = "ok"
    RETRYABLE = "retryable"
    NEEDS_ADMIN = "needs admin action"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class ReturnCode:
    """One EBICS return code with its spec symbol, an English message and advice."""

    code: str
    kind: Kind
    symbol: str
    message: str
    advice: str
    outcome: Outcome

    @property
    def is_ok(self) -> bool:
        """Whether processing may continue (success and warnings)."""
        return self.outcome is Outcome.OK


_CONTACT_BANK = "Contact the bank's EBICS support with the time of the request."
_RETRY_LATER = "Nothing to do: Ledgerlink retries later."
_BUG = "This points to a defect in Ledgerlink: report it with the time of the request."
_BANK_SETUP = "Ask the bank to check the subscriber's permissions and order types."
_KEYS = "Check the keys sent with INI/HIA and the initialisation letter; regenerate if needed."

_T, _B = Kind.TECHNICAL, Kind.BUSINESS
_OK, _RE, _AD, _PE = Outcome.OK, Outcome.RETRYABLE, Outcome.NEEDS_ADMIN, Outcome.PERMANENT

# (code, kind, symbol, message, advice, outcome): symbols are the specification's names.
_TABLE: tuple[tuple[str, Kind, str, str, str, Outcome], ...] = (
    ("000000", _T, "EBICS_OK", "The request was processed.", "", _OK),
    ("011000", _T, "EBICS_DOWNLOAD_POSTPROCESS_DONE",
     "The bank recorded our receipt and closed the download.", "", _OK),
    ("011001", _T, "EBICS_DOWNLOAD_POSTPROCESS_SKIPPED",
     "The bank recorded our negative receipt; the data stays available for download.", "", _OK),
    ("011101", _T, "EBICS_TX_SEGMENT_NUMBER_UNDERRUN",
     "The last segment came before the announced number of segments.", "", _OK),
    ("031001", _T, "EBICS_ORDER_PARAMS_IGNORED",
     "The bank ignored order parameters it does not know.", "", _OK),
    ("061001", _T, "EBICS_AUTHENTICATION_FAILED",
     "The bank could not verify our authentication signature.",
     "Check that the bank has activated the X002 key sent with HIA. " + _KEYS, _AD),
    ("061002", _T, "EBICS_INVALID_REQUEST",
     "The bank says the request does not conform to EBICS.", _BUG, _PE),
    ("061099", _T, "EBICS_INTERNAL_ERROR",
     "The bank's EBICS server had an internal error.", _RETRY_LATER, _RE),
    ("061101", _T, "EBICS_TX_RECOVERY_SYNC",
     "The transaction must resume from the bank's recovery point.", _RETRY_LATER, _RE),
    ("091002", _T, "EBICS_INVALID_USER_OR_USER_STATE",
     "The subscriber is unknown or not in a state that allows this order.",
     ("The bank has not activated the subscriber yet: send the initialisation letter and wait "
      "for the bank."), _AD),
    ("091003", _T, "EBICS_USER_UNKNOWN", "The bank does not know this user ID.",
     "Check the host ID, partner ID and user ID against the bank's contract.", _AD),
    ("091004", _T, "EBICS_INVALID_USER_STATE",
     "The subscriber's state does not allow this order (for example keys not yet activated).",
     "Send the initialisation letter and wait for the bank to unlock the subscriber.", _AD),
    ("091005", _T, "EBICS_INVALID_ORDER_TYPE",
     "The order type is unknown or not approved for EBICS.", _BANK_SETUP, _PE),
    ("091006", _T, "EBICS_UNSUPPORTED_ORDER_TYPE",
     "The bank does not offer this optional order type.", _BANK_SETUP, _PE),
    ("091007", _T, "EBICS_DISTRIBUTED_SIGNATURE_AUTHORISATION_FAILED",
     "The subscriber may not sign this order in the distributed signature.", _BANK_SETUP, _AD),
    ("091008", _T, "EBICS_BANK_PUBKEY_UPDATE_REQUIRED",
     "The bank's public keys we hold are no longer valid.",
     "Fetch the bank keys again (HPB) and compare them with the bank's letter.", _AD),
    ("091009", _T, "EBICS_SEGMENT_SIZE_EXCEEDED",
     "An upload segment is larger than the bank allows.", _BUG, _PE),
    ("091010", _T, "EBICS_INVALID_XML",
     "The request is not valid against the EBICS schema.", _BUG, _PE),
    ("091011", _T, "EBICS_INVALID_HOST_ID", "The bank does not know this host ID.",
     "Check the host ID in the bank's EBICS access data.", _AD),
    ("091101", _T, "EBICS_TX_UNKNOWN_TXID",
     "The bank does not know the transaction ID.", "Ledgerlink starts the transfer again.", _RE),
    ("091102", _T, "EBICS_TX_ABORT", "The bank cancelled the transaction.",
     "Ledgerlink starts the transfer again.", _RE),
    ("091103", _T, "EBICS_TX_MESSAGE_REPLAY",
     "The bank suspects a replay: nonce reused or clocks too far apart.",
     "Check the server clock (UTC, NTP); Ledgerlink retries with a new nonce.", _RE),
    ("091104", _T, "EBICS_TX_SEGMENT_NUMBER_EXCEEDED",
     "More segments were sent than announced.", _BUG, _PE),
    ("091112", _T, "EBICS_INVALID_ORDER_PARAMS",
     "The order parameters are invalid (for example a date range ending before it starts).",
     "Check the requested service and dates.", _PE),
    ("091113", _T, "EBICS_INVALID_REQUEST_CONTENT",
     "The request is valid XML but breaks EBICS rules.", _BUG, _PE),
    ("091117", _T, "EBICS_MAX_ORDER_DATA_SIZE_EXCEEDED",
     "The order data is larger than the bank accepts.", "Split the file into smaller ones.", _PE),
    ("091118", _T, "EBICS_MAX_SEGMENTS_EXCEEDED",
     "The upload has more segments than the bank accepts.", "Split the file into smaller ones.",
     _PE),
    ("091119", _T, "EBICS_MAX_TRANSACTIONS_EXCEEDED",
     "Too many EBICS transactions are open for this customer.", _RETRY_LATER, _RE),
    ("091120", _T, "EBICS_PARTNER_ID_MISMATCH",
     "The signature's partner ID differs from the request's.", _BUG, _PE),
    ("091121", _T, "EBICS_INCOMPATIBLE_ORDER_ATTRIBUTE",
     "The order attribute does not fit the order.", _BUG, _PE),
    ("000000", _B, "EBICS_OK", "The order was accepted.", "", _OK),
    ("011301", _B, "EBICS_NO_ONLINE_CHECKS",
     "The bank does not run optional preliminary checks.", "", _OK),
    ("090003", _B, "EBICS_AUTHORISATION_ORDER_TYPE_FAILED",
     "The subscriber may not use this order type.", _BANK_SETUP, _AD),
    ("090004", _B, "EBICS_INVALID_ORDER_DATA_FORMAT",
     "The file does not match the announced format.",
     "Check the payment file against the bank's format rules.", _PE),
    ("090005", _B, "EBICS_NO_DOWNLOAD_DATA_AVAILABLE",
     "The bank has no new data of this kind.", "Nothing to do.", _OK),
    ("090006", _B, "EBICS_UNSUPPORTED_REQUEST_FOR_ORDER_INSTANCE",
     "The bank does not support this request for the order.", _BANK_SETUP, _PE),
    ("091001", _B, "EBICS_DOWNLOAD_SIGNED_ONLY",
     "The bank only delivers this data bank-signed.", _BANK_SETUP, _PE),
    ("091002", _B, "EBICS_DOWNLOAD_UNSIGNED_ONLY",
     "The bank only delivers this data unsigned.", _BANK_SETUP, _PE),
    ("091105", _B, "EBICS_RECOVERY_NOT_SUPPORTED",
     "The bank does not support transaction recovery.", "Ledgerlink starts again.", _RE),
    ("091111", _B, "EBICS_INVALID_SIGNATURE_FILE_FORMAT",
     "The electronic signature file cannot be parsed.", _BUG, _PE),
    ("091114", _B, "EBICS_ORDERID_UNKNOWN", "The bank does not know the order ID.", _BUG, _PE),
    ("091115", _B, "EBICS_ORDERID_ALREADY_EXISTS",
     "The order ID has already been used.", _BUG, _PE),
    ("091116", _B, "EBICS_PROCESSING_ERROR",
     "The bank reported a business error while processing the order.", _CONTACT_BANK, _AD),
    ("091201", _B, "EBICS_KEYMGMT_UNSUPPORTED_VERSION_SIGNATURE",
     "The bank does not support our signature key version.", _KEYS, _AD),
    ("091202", _B, "EBICS_KEYMGMT_UNSUPPORTED_VERSION_AUTHENTICATION",
     "The bank does not support our authentication key version.", _KEYS, _AD),
    ("091203", _B, "EBICS_KEYMGMT_UNSUPPORTED_VERSION_ENCRYPTION",
     "The bank does not support our encryption key version.", _KEYS, _AD),
    ("091204", _B, "EBICS_KEYMGMT_KEYLENGTH_ERROR_SIGNATURE",
     "The bank does not accept the length of our signature key.", _KEYS, _AD),
    ("091205", _B, "EBICS_KEYMGMT_KEYLENGTH_ERROR_AUTHENTICATION",
     "The bank does not accept the length of our authentication key.", _KEYS, _AD),
    ("091206", _B, "EBICS_KEYMGMT_KEYLENGTH_ERROR_ENCRYPTION",
     "The bank does not accept the length of our encryption key.", _KEYS, _AD),
    ("091207", _B, "EBICS_KEYMGMT_NO_X509_SUPPORT",
     "The bank cannot evaluate X.509 certificates.",
     "Use EBICS 2.5 (H004) with this bank.", _AD),
    ("091208", _B, "EBICS_X509_CERTIFICATE_EXPIRED", "Our certificate has expired.",
     "Renew the keys and certificates and send them to the bank.", _AD),
    ("091209", _B, "EBICS_X509_CERTIFICATE_NOT_VALID_YET",
     "Our certificate is not valid yet.", "Check the server clock; resend later.", _AD),
    ("091210", _B, "EBICS_X509_WRONG_KEY_USAGE",
     "The certificate's key usage does not fit its purpose.", _KEYS, _AD),
    ("091211", _B, "EBICS_X509_WRONG_ALGORITHM",
     "The certificate's algorithm does not fit its purpose.", _KEYS, _AD),
    ("091212", _B, "EBICS_X509_INVALID_THUMBPRINT",
     "The certificate thumbprint is invalid.", _KEYS, _AD),
    ("091213", _B, "EBICS_X509_CTL_INVALID",
     "The bank's certificate trust list is not valid.", _CONTACT_BANK, _AD),
    ("091214", _B, "EBICS_X509_UNKNOWN_CERTIFICATE_AUTHORITY",
     "The bank does not know the certificate's issuer.",
     "Ask the bank whether it accepts self-signed certificates.", _AD),
    ("091215", _B, "EBICS_X509_INVALID_POLICY",
     "The certificate policy is invalid.", _KEYS, _AD),
    ("091216", _B, "EBICS_X509_INVALID_BASIC_CONSTRAINTS",
     "The certificate's basic constraints are invalid.", _KEYS, _AD),
    ("091217", _B, "EBICS_ONLY_X509_SUPPORT",
     "The bank only accepts keys as X.509 certificates.", "Use EBICS 3.0 (H005).", _AD),
    ("091218", _B, "EBICS_KEYMGMT_DUPLICATE_KEY",
     "Two of our keys are identical.", "Generate three distinct keys and resend.", _AD),
    ("091219", _B, "EBICS_CERTIFICATES_VALIDATION_ERROR",
     "The bank cannot match our certificate with the declared data.", _CONTACT_BANK, _AD),
    ("091301", _B, "EBICS_SIGNATURE_VERIFICATION_FAILED",
     "The bank could not verify the electronic signature.",
     "Check that the bank has activated the A006 key sent with INI.", _AD),
    ("091302", _B, "EBICS_ACCOUNT_AUTHORISATION_FAILED",
     "The subscriber may not use the debited account.", _BANK_SETUP, _AD),
    ("091303", _B, "EBICS_AMOUNT_CHECK_FAILED",
     "The order exceeds the subscriber's amount limit.",
     "Ask the bank to raise the limit or split the order.", _AD),
    ("091304", _B, "EBICS_SIGNER_UNKNOWN", "A signatory is not a valid subscriber.",
     _BANK_SETUP, _AD),
    ("091305", _B, "EBICS_INVALID_SIGNER_STATE",
     "A signatory's state does not allow signing.", _BANK_SETUP, _AD),
    ("091306", _B, "EBICS_DUPLICATE_SIGNATURE",
     "The signatory has already signed this order.", "Nothing to do.", _PE),
)  # fmt: skip

TECHNICAL_CODES: dict[str, ReturnCode] = {
    row[0]: ReturnCode(*row) for row in _TABLE if row[1] is Kind.TECHNICAL
}
BUSINESS_CODES: dict[str, ReturnCode] = {
    row[0]: ReturnCode(*row) for row in _TABLE if row[1] is Kind.BUSINESS
}


def describe(code: str, kind: Kind) -> ReturnCode:
    """Look up a technical or business code.

    Unknown codes are classified by the specification's numbering: ``0`` first digit with
    ``1``/``3`` second digit is a warning, ``06`` an error where the request may be repeated,
    anything else needs an admin; they never raise, because a bank may add codes.
    """
    table = TECHNICAL_CODES if kind is Kind.TECHNICAL else BUSINESS_CODES
    known = table.get(code)
    if known is not None:
        return known
    if code[:2] in {"01", "03"}:
        outcome = Outcome.OK
    elif code[:2] == "06":
        outcome = Outcome.RETRYABLE
    else:
        outcome = Outcome.NEEDS_ADMIN
    return ReturnCode(
        code, kind, "UNKNOWN", f"The bank returned the unknown code {code}.", _CONTACT_BANK, outcome
    )
