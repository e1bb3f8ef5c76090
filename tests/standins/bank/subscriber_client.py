"""A small EBICS subscriber built from Ledgerlink's pure client core, talking over real HTTP.

It is what Ledgerlink's driver will do, step by step, so the bank is tested the way it is used.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from banking.ebics import crypto, messages, responses, xmlsig
from banking.ebics.keys import BankKeys, SubscriberKey, SubscriberKeys, self_signed_certificate
from banking.ebics.messages import EbicsVersion, Subscriber

TIMEOUT = 10


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class EbicsSubscriber:
    """One subscriber of the bank with its keys and, after HPB, the bank's keys."""

    url: str
    subscriber: Subscriber
    keys: SubscriberKeys
    version: EbicsVersion = EbicsVersion.H005
    bank_keys: BankKeys | None = None
    session: requests.Session = field(default_factory=requests.Session)
    verify: str | bool = True

    def post(self, xml: bytes) -> bytes:
        answer = self.session.post(
            self.url,
            data=xml,
            headers={"Content-Type": "text/xml; charset=UTF-8"},
            timeout=TIMEOUT,
            verify=self.verify,
        )
        assert answer.status_code == 200, answer.text
        return answer.content

    def signed(self, xml: bytes) -> responses.EbicsResponse:
        """POST and check the bank's AuthSignature before parsing."""
        body = self.post(xml)
        assert self.bank_keys is not None
        xmlsig.verify_auth_signature(xmlsig.parse_document(body), self.bank_keys.authentication)
        return responses.parse_response(body)

    def _certificate(self, key: SubscriberKey) -> bytes | None:
        if self.version is not EbicsVersion.H005:
            return None
        return self_signed_certificate(key, common_name=self.subscriber.user_id, now=now())

    def ini(self) -> responses.EbicsResponse:
        xml = messages.build_ini_request(
            self.subscriber,
            self.keys.signature.public,
            version=self.version,
            certificate=self._certificate(self.keys.signature),
            now=now(),
        )
        return responses.parse_response(self.post(xml))

    def hia(self) -> responses.EbicsResponse:
        xml = messages.build_hia_request(
            self.subscriber,
            self.keys.authentication.public,
            self.keys.encryption.public,
            version=self.version,
            authentication_certificate=self._certificate(self.keys.authentication),
            encryption_certificate=self._certificate(self.keys.encryption),
            now=now(),
        )
        return responses.parse_response(self.post(xml))

    def hpb(self) -> responses.EbicsResponse:
        xml = messages.build_hpb_request(
            self.subscriber,
            self.keys.authentication,
            messages.new_request_stamp(now()),
            version=self.version,
        )
        parsed = responses.parse_response(self.post(xml))
        if parsed.has_order_data:
            plain = responses.decrypt_response_order_data([parsed], self.keys.encryption)
            self.bank_keys = responses.parse_hpb_order_data(plain).keys
        return parsed

    def initialise_download(
        self, order: messages.DownloadOrder, stamp: messages.RequestStamp | None = None
    ) -> responses.EbicsResponse:
        assert self.bank_keys is not None
        xml = messages.build_download_initialisation(
            self.subscriber,
            self.keys.authentication,
            self.bank_keys,
            stamp or messages.new_request_stamp(now()),
            order,
            version=self.version,
        )
        return self.signed(xml)

    def download_segment(
        self, transaction_id: str, number: int, total: int
    ) -> responses.EbicsResponse:
        xml = messages.build_download_transfer(
            self.subscriber.host_id,
            transaction_id,
            number,
            self.keys.authentication,
            last_segment=number == total,
            version=self.version,
        )
        return self.signed(xml)

    def receipt(self, transaction_id: str, code: messages.ReceiptCode) -> responses.EbicsResponse:
        xml = messages.build_receipt(
            self.subscriber.host_id,
            transaction_id,
            code,
            self.keys.authentication,
            version=self.version,
        )
        return self.signed(xml)

    def download(
        self, order: messages.DownloadOrder
    ) -> tuple[list[responses.EbicsResponse], bytes]:
        """The whole download with receipt 0; returns every response and the order data."""
        first = self.initialise_download(order)
        assert (first.technical_code, first.business_code) == ("000000", "000000"), first
        assert first.transaction_id is not None
        assert first.num_segments is not None
        pages = [first]
        for number in range(2, first.num_segments + 1):
            pages.append(self.download_segment(first.transaction_id, number, first.num_segments))
        data = responses.decrypt_response_order_data(pages, self.keys.encryption)
        pages.append(self.receipt(first.transaction_id, messages.ReceiptCode.RECEIVED))
        return pages, data

    def prepare_upload(
        self,
        order: messages.UploadOrder,
        data: bytes,
        *,
        signature_key: SubscriberKey | None = None,
    ) -> messages.PreparedUpload:
        assert self.bank_keys is not None
        return messages.prepare_upload(
            self.subscriber,
            authentication_key=self.keys.authentication,
            signature_key=signature_key or self.keys.signature,
            bank_keys=self.bank_keys,
            stamp=messages.new_request_stamp(now()),
            order=order,
            order_data=data,
            transaction_key=crypto.new_transaction_key(),
            version=self.version,
        )

    def upload_segment(
        self, transaction_id: str, prepared: messages.PreparedUpload, number: int
    ) -> responses.EbicsResponse:
        xml = messages.build_upload_transfer(
            self.subscriber.host_id,
            transaction_id,
            prepared.encrypted,
            number,
            self.keys.authentication,
            version=self.version,
        )
        return self.signed(xml)

    def upload(
        self,
        order: messages.UploadOrder,
        data: bytes,
        *,
        signature_key: SubscriberKey | None = None,
    ) -> list[responses.EbicsResponse]:
        prepared = self.prepare_upload(order, data, signature_key=signature_key)
        first = self.signed(prepared.init_request)
        pages = [first]
        if first.technical_code != "000000" or first.business_code != "000000":
            return pages
        assert first.transaction_id is not None
        for number in range(1, prepared.encrypted.num_segments + 1):
            pages.append(self.upload_segment(first.transaction_id, prepared, number))
        return pages
