"""Small camt documents written for the tests, in the shapes banks send in each version."""

from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:{message}.001.{version:02d}"
ROOTS = {
    "camt.053": "BkToCstmrStmt",
    "camt.052": "BkToCstmrAcctRpt",
    "camt.054": "BkToCstmrDbtCdtNtfctn",
}
CONTAINERS = {"camt.053": "Stmt", "camt.052": "Rpt", "camt.054": "Ntfctn"}


@dataclass
class SampleTransaction:
    amount: Decimal | int
    credit: bool = True
    end_to_end_id: str | None = "E2E-1"
    name: str | None = "Alice Example"
    iban: str | None = "DE02120300000000202051"
    bic: str | None = "BYLADEM1001"
    remittance: list[str] = field(default_factory=lambda: ["Invoice 4711"])
    creditor_reference: str | None = None
    extra: str = ""


@dataclass
class SampleEntry:
    amount: Decimal | int
    credit: bool = True
    reversal: bool = False
    status: str = "BOOK"
    reference: str | None = None
    transactions: list[SampleTransaction] = field(default_factory=list)
    batch_reference: str | None = None
    raw_amount: str | None = None
    raw_indicator: str | None = None


def camt_document(
    entries: list[SampleEntry],
    *,
    message: str = "camt.053",
    version: int = 8,
    opening: Decimal | None = Decimal("100.00"),
    closing: Decimal | None = None,
    account_iban: str = "DE89370400440532013000",
    currency: str = "EUR",
    created_at: str = "2024-01-02T10:00:00+01:00",
) -> bytes:
    """A camt document with the given entries; closing defaults to opening plus entries."""
    bic = "BIC" if version < 4 else "BICFI"
    namespace = NAMESPACE.format(message=message, version=version)
    container = CONTAINERS[message]
    total = sum(
        (Decimal(e.amount) if e.credit else -Decimal(e.amount) for e in entries), Decimal(0)
    )
    balances = ""
    if opening is not None and message != "camt.054":
        closing = opening + total if closing is None else closing
        balances = _balance("OPBD", opening, currency) + _balance("CLBD", closing, currency)
    body = "".join(_entry(entry, version=version, bic=bic, currency=currency) for entry in entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{namespace}">\n'
        f"<{ROOTS[message]}><GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>{created_at}</CreDtTm></GrpHdr>\n"
        f"<{container}><Id>STMT-1</Id><ElctrncSeqNb>7</ElctrncSeqNb><LglSeqNb>3</LglSeqNb>"
        f"<CreDtTm>{created_at}</CreDtTm>"
        "<FrToDt><FrDtTm>2024-01-02T00:00:00</FrDtTm><ToDtTm>2024-01-02T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{account_iban}</IBAN></Id><Ccy>{currency}</Ccy>"
        f"<Svcr><FinInstnId><{bic}>COBADEFFXXX</{bic}></FinInstnId></Svcr></Acct>\n"
        f"{balances}{body}</{container}></{ROOTS[message]}></Document>\n"
    ).encode()


def _balance(code: str, amount: Decimal, currency: str) -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{currency}">{abs(amount):.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        "<Dt><Dt>2024-01-02</Dt></Dt></Bal>\n"
    )


def _entry(entry: SampleEntry, *, version: int, bic: str, currency: str) -> str:
    indicator = entry.raw_indicator or ("CRDT" if entry.credit else "DBIT")
    amount = entry.raw_amount if entry.raw_amount is not None else f"{entry.amount:.2f}"
    status = f"<Sts><Cd>{entry.status}</Cd></Sts>" if version >= 7 else f"<Sts>{entry.status}</Sts>"
    reversal = "<RvslInd>true</RvslInd>" if entry.reversal else ""
    reference = f"<NtryRef>{entry.reference}</NtryRef>" if entry.reference else ""
    details = ""
    if entry.transactions:
        batch = ""
        if entry.batch_reference or len(entry.transactions) > 1:
            batch = (
                f"<Btch><PmtInfId>{entry.batch_reference or 'BATCH'}</PmtInfId>"
                f"<NbOfTxs>{len(entry.transactions)}</NbOfTxs></Btch>"
            )
        transactions = "".join(
            _transaction(transaction, version=version, bic=bic, currency=currency)
            for transaction in entry.transactions
        )
        details = f"<NtryDtls>{batch}{transactions}</NtryDtls>"
    return (
        f'<Ntry>{reference}<Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"{reversal}{status}<BookgDt><Dt>2024-01-02</Dt></BookgDt><ValDt><Dt>2024-01-03</Dt></ValDt>"
        "<AcctSvcrRef>ASR-1</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
        "<Prtry><Cd>NTRF+166</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
        f"{details}</Ntry>\n"
    )


def _transaction(transaction: SampleTransaction, *, version: int, bic: str, currency: str) -> str:
    indicator = "CRDT" if transaction.credit else "DBIT"
    amount = (
        f'<Amt Ccy="{currency}">{transaction.amount:.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
    )
    if version < 4:
        # Before .04 a transaction's amount only appears in its amount details.
        amount = (
            f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{transaction.amount:.2f}</Amt></TxAmt>'
            "</AmtDtls>"
        )
    role = "Dbtr" if transaction.credit else "Cdtr"
    name = ""
    if transaction.name is not None:
        name_element = f"<Nm>{escape(transaction.name)}</Nm>"
        name = f"<Pty>{name_element}</Pty>" if version >= 8 else name_element
    account = (
        f"<{role}Acct><Id><IBAN>{transaction.iban}</IBAN></Id></{role}Acct>"
        if transaction.iban
        else ""
    )
    agents = (
        f"<RltdAgts><{role}Agt><FinInstnId><{bic}>{transaction.bic}</{bic}></FinInstnId></{role}Agt></RltdAgts>"
        if transaction.bic
        else ""
    )
    remittance = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in transaction.remittance)
    if transaction.creditor_reference:
        remittance += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{transaction.creditor_reference}</Ref></CdtrRefInf></Strd>"
        )
    refs = (
        f"<EndToEndId>{escape(transaction.end_to_end_id)}</EndToEndId>"
        if transaction.end_to_end_id
        else ""
    )
    return (
        f"<TxDtls><Refs>{refs}</Refs>{amount}"
        f"<RltdPties><{role}>{name}</{role}>{account}</RltdPties>{agents}"
        f"<RmtInf>{remittance}</RmtInf>{transaction.extra}</TxDtls>"
    )
