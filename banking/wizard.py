"""What the onboarding wizard shows for each status: where the admin is and what comes next."""

from dataclasses import dataclass

from banking.models import ConnectionStatus

S = ConnectionStatus


@dataclass(frozen=True)
class Guidance:
    headline: str
    advice: str
    # The actions offered as buttons, by name (see banking.views.ACTIONS).
    actions: tuple[str, ...]


# The happy path, in order, for the progress list.
MILESTONES = (
    S.NEW,
    S.KEYS_CREATED,
    S.KEYS_SENT,
    S.LETTER_DOWNLOADED,
    S.WAITING_FOR_BANK,
    S.BANK_KEYS_DOWNLOADED,
    S.BANK_KEYS_VERIFIED,
    S.ACTIVE,
)

GUIDANCE = {
    S.NEW: Guidance(
        "Create the keys",
        "Ledgerlink creates three RSA key pairs for this subscriber: signature (A006), "
        "authentication (X002) and encryption (E002). The private keys never leave Ledgerlink "
        "unencrypted.",
        ("create_keys",),
    ),
    S.KEYS_CREATED: Guidance(
        "Send the keys to the bank",
        "Ledgerlink sends the public keys to the bank (INI and HIA). The bank then waits for "
        "your signed letter before it trusts them.",
        ("send_keys",),
    ),
    S.KEYS_SENT: Guidance(
        "Download and sign the initialisation letter",
        "Print the letter, sign it and send it to the bank as it asks (post, fax or upload). "
        "The bank compares its hashes with the keys it received.",
        ("letter", "letter_sent"),
    ),
    S.LETTER_DOWNLOADED: Guidance(
        "Send the signed letter to the bank",
        "Once the signed letter is on its way, tell Ledgerlink; then wait for the bank to "
        "activate the subscriber (often one or two business days).",
        ("letter", "letter_sent"),
    ),
    S.WAITING_FOR_BANK: Guidance(
        "Wait for the bank to activate you",
        "When the bank confirms the activation, download its keys. Trying earlier does no "
        "harm: the bank just answers that it is not ready yet.",
        ("bank_keys",),
    ),
    S.BANK_KEYS_DOWNLOADED: Guidance(
        "Compare the bank's keys with its letter",
        "Type the two hashes from the bank's own letter (or its website's EBICS page). Only "
        "matching keys are trusted: a mismatch can mean the URL does not lead to your bank.",
        ("verify_bank_keys",),
    ),
    S.BANK_KEYS_VERIFIED: Guidance(
        "Discover the accounts",
        "Ledgerlink asks the bank which accounts and orders this subscriber may use.",
        ("discover_accounts",),
    ),
    S.ACTIVE: Guidance(
        "The connection is active",
        "Choose the accounts to retrieve, test the connection or retrieve statements. Renew the "
        "keys before they expire: the bank accepts new keys signed with the current ones.",
        ("test", "discover_accounts", "change_keys", "disable"),
    ),
    S.KEY_EXCHANGE_FAILED: Guidance(
        "The bank refused the keys",
        "Read the bank's answer below. Check the host, partner and user IDs with the bank, "
        "correct them if needed and send the keys again, or create new keys.",
        ("send_keys", "create_keys"),
    ),
    S.ACTIVATION_ERROR: Guidance(
        "The bank could not be activated",
        "Read the bank's answer below and, if it persists, call the bank's EBICS support with "
        "the time of the error.",
        ("bank_keys",),
    ),
    S.DISABLED: Guidance(
        "The connection is disabled",
        "Nothing is sent to or retrieved from the bank until you enable it again.",
        ("enable",),
    ),
    S.KEYS_EXPIRED: Guidance(
        "The keys have expired",
        "Create new keys and send them to the bank; the bank needs a new letter.",
        ("create_keys",),
    ),
}


def progress(status: ConnectionStatus) -> tuple[tuple[ConnectionStatus, str], ...]:
    """Each milestone with done, current or todo; off-path statuses mark where they happened."""
    if status in MILESTONES:
        reached = MILESTONES.index(status)
    else:
        reached = {
            S.KEY_EXCHANGE_FAILED: 1,
            S.ACTIVATION_ERROR: 4,
            S.KEYS_EXPIRED: 0,
            S.DISABLED: len(MILESTONES) - 1,
        }[status]
    return tuple(
        (milestone, "done" if index < reached else "current" if index == reached else "todo")
        for index, milestone in enumerate(MILESTONES)
    )
