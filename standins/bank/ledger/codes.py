"""Bank transaction codes the ledger books with: ISO 20022, SWIFT MT940 type and German GVC.

The GVCs (Geschaeftsvorfallcodes) are the Deutsche Kreditwirtschaft's codes that German banks
write at the start of MT940 ``:86:`` and in camt's proprietary code (``NTRF+166+...``).
"""

from standins.bank.ledger.records import TransactionCode

CREDIT_TRANSFER_RECEIVED = TransactionCode(
    domain="PMNT",
    family="RCDT",
    sub_family="ESCT",
    swift="TRF",
    gvc="166",
    posting_text="SEPA-GUTSCHRIFT",
)
CREDIT_TRANSFER_SENT = TransactionCode(
    domain="PMNT",
    family="ICDT",
    sub_family="ESCT",
    swift="TRF",
    gvc="116",
    posting_text="SEPA-UEBERWEISUNG",
)
CREDIT_TRANSFER_BATCH = TransactionCode(
    domain="PMNT",
    family="ICDT",
    sub_family="ESCT",
    swift="TRF",
    gvc="191",
    posting_text="SEPA-SAMMLER-UEBERWEISUNG",
)
SALARY_SENT = TransactionCode(
    domain="PMNT",
    family="ICDT",
    sub_family="SALA",
    swift="TRF",
    gvc="116",
    posting_text="LOHN/GEHALT",
)
CREDIT_TRANSFER_RETURNED = TransactionCode(
    domain="PMNT",
    family="ICDT",
    sub_family="RRTN",
    swift="RTI",
    gvc="159",
    posting_text="SEPA-RUECKUEBERWEISUNG",
)
DIRECT_DEBIT_COLLECTED = TransactionCode(
    domain="PMNT",
    family="IDDT",
    sub_family="ESDD",
    swift="DDT",
    gvc="171",
    posting_text="SEPA-LASTSCHRIFT",
)
DIRECT_DEBIT_B2B_COLLECTED = TransactionCode(
    domain="PMNT",
    family="IDDT",
    sub_family="BBDD",
    swift="DDT",
    gvc="174",
    posting_text="SEPA-FIRMENLASTSCHRIFT",
)
DIRECT_DEBIT_BATCH = TransactionCode(
    domain="PMNT",
    family="IDDT",
    sub_family="ESDD",
    swift="DDT",
    gvc="192",
    posting_text="SEPA-SAMMLER-LASTSCHRIFT",
)
DIRECT_DEBIT_RETURNED = TransactionCode(
    domain="PMNT",
    family="IDDT",
    sub_family="UPDD",
    swift="RTI",
    gvc="109",
    posting_text="SEPA-RUECKLASTSCHRIFT",
)
CARD_ACQUIRER_PAYOUT = TransactionCode(
    domain="PMNT",
    family="RCDT",
    sub_family="ESCT",
    swift="TRF",
    gvc="166",
    posting_text="SEPA-GUTSCHRIFT",
)
BANK_FEES = TransactionCode(
    domain="ACMT", family="MDOP", sub_family="CHRG", swift="CHG", gvc="805",
    posting_text="ENTGELTABSCHLUSS",
)  # fmt: skip
