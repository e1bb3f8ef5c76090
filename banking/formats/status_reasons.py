"""Readable English for the ISO 20022 payment status codes and the common status reasons.

The codes come from the ISO external code lists (ExternalPaymentTransactionStatus1Code and
ExternalStatusReason1Code) as banks use them in pain.002 and in returns; the texts are our
own short explanations for people who have to act on a rejected payment.
"""

STATUS_TEXTS: dict[str, str] = {
    "ACCC": "Accepted: the money has been credited to the creditor's account.",
    "ACCP": "Accepted: technical and customer profile checks passed.",
    "ACFC": "Accepted: funds have been checked and reserved.",
    "ACSC": "Accepted: settlement on the debtor's account is completed.",
    "ACSP": "Accepted: settlement is in progress.",
    "ACTC": "Accepted: the file passed technical validation.",
    "ACWC": "Accepted with changes made by the bank.",
    "ACWP": "Accepted, but not posted to the account yet.",
    "BLCK": "Blocked: the payment is held and cannot be executed for now.",
    "CANC": "Cancelled.",
    "PART": "Partially accepted: some transactions were rejected.",
    "PATC": "Partially accepted: technically correct, some transactions not yet accepted.",
    "PDNG": "Pending: the bank has not decided yet.",
    "RCVD": "Received by the bank, not checked yet.",
    "RJCT": "Rejected.",
}

REASON_TEXTS: dict[str, str] = {
    "AC01": "The account number is wrong or does not exist.",
    "AC02": "The debtor's account number is invalid.",
    "AC03": "The creditor's account number is invalid.",
    "AC04": "The account has been closed.",
    "AC05": "The debtor's account has been closed.",
    "AC06": "The account is blocked.",
    "AC07": "The creditor's account has been closed.",
    "AC13": "The debtor's account type does not allow this (e.g. a consumer account for B2B).",
    "AG01": "Payments of this kind are not allowed on this account.",
    "AG02": "The operation or transaction code is wrong (e.g. an invalid file format).",
    "AG03": "The bank does not support this kind of transaction.",
    "AM01": "The amount is zero.",
    "AM02": "The amount is higher than allowed.",
    "AM03": "The currency is not allowed.",
    "AM04": "There is not enough money on the account.",
    "AM05": "The payment is a duplicate of one already received.",
    "AM06": "The amount is lower than allowed.",
    "AM07": "The amount is blocked by a regulatory or legal authority.",
    "AM09": "The amount is not the one agreed.",
    "BE01": "The name does not match the account holder.",
    "BE04": "The creditor's address is missing or wrong.",
    "BE05": "The bank does not recognise the party that sent the file.",
    "BE06": "The end customer is unknown to the bank.",
    "BE07": "The debtor's address is missing or wrong.",
    "CNOR": "The creditor's bank is not reachable in the clearing system.",
    "CUST": "Cancelled or returned at the customer's request.",
    "DNOR": "The debtor's bank is not reachable in the clearing system.",
    "DT01": "The date is invalid (e.g. not a business day or in the past).",
    "DUPL": "The payment is a duplicate.",
    "ED05": "Settlement failed.",
    "FF01": "The file or one of its fields is not in the expected format.",
    "FOCR": "Returned after a request to cancel it.",
    "FRAD": "Returned because of suspected fraud.",
    "MD01": "There is no valid mandate for this direct debit.",
    "MD02": "Required mandate information is missing or wrong.",
    "MD06": "The debtor asked for a refund.",
    "MD07": "The account holder has died.",
    "MS02": "Refused by the customer without giving a reason.",
    "MS03": "Refused by the bank without giving a reason.",
    "NARR": "See the additional information given with the reason.",
    "RC01": "The bank identifier (BIC) is wrong.",
    "RR01": "Regulatory reporting: the debtor's account or identification is missing.",
    "RR02": "Regulatory reporting: the debtor's name or address is missing.",
    "RR03": "Regulatory reporting: the creditor's name or address is missing.",
    "RR04": "Refused for regulatory reasons.",
    "SL01": "Refused by a service the debtor's bank offers the debtor (e.g. a direct debit block).",
    "TECH": "A technical problem prevented the payment.",
    "TM01": "Received after the bank's cut-off time.",
}


def describe_status(code: str | None) -> str | None:
    """Return the English text for a payment status code, or None if it is unknown."""
    return STATUS_TEXTS.get(code.upper()) if code else None


def describe_reason(code: str | None) -> str | None:
    """Return the English text for a status reason code, or None if it is unknown."""
    return REASON_TEXTS.get(code.upper()) if code else None
