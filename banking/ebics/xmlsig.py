"""The X002 authentication signature (AuthSignature) of EBICS requests and responses.

Every element carrying ``authenticate="true"`` is canonicalised (inclusive C14N 1.0) in document
order; the SHA-256 of the concatenation goes into ``ds:DigestValue``; the canonical SignedInfo is
signed with RSA PKCS#1 v1.5 and SHA-256 into ``ds:SignatureValue``.
"""

import base64
import binascii
import copy
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from banking.ebics.errors import EbicsError
from banking.ebics.keys import PublicKey, SubscriberKey

DS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
REFERENCE_URI = "#xpointer(//*[@authenticate='true'])"


class AuthenticationFailed(EbicsError):
    """A response's AuthSignature is missing, or its digest or signature does not verify."""


class MalformedDocument(EbicsError):
    """The XML cannot be parsed or lacks the AuthSignature structure."""


def parse_document(xml: bytes) -> etree._Element:
    """Parse EBICS XML without network access or entity expansion (raises ``MalformedDocument``)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        return etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as error:
        raise MalformedDocument(f"not well-formed XML: {error}") from error


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace (``ebicsResponse``)."""
    return str(etree.QName(element).localname)


def canonicalise(element: etree._Element) -> bytes:
    """Inclusive C14N 1.0 of one element as it stands in its document.

    The element is rebuilt in a document of its own carrying every namespace in scope: lxml
    canonicalising a sub-tree in place can emit a spurious ``xmlns=""`` on descendants, and
    inclusive C14N must still show the ancestors' namespace declarations on the apex.
    """
    apex = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    apex.text = element.text
    for child in element:
        apex.append(copy.deepcopy(child))
    # The apex's own tail is outside the sub-tree; deepcopy above already dropped ours.
    return bytes(etree.tostring(etree.ElementTree(apex), method="c14n", exclusive=False))


def authenticated_digest(root: etree._Element) -> bytes:
    """SHA-256 over the canonical forms of all ``authenticate="true"`` elements, in order."""
    digest = hashlib.sha256()
    for element in root.xpath("//*[@authenticate='true']"):
        assert isinstance(element, etree._Element)  # noqa: S101 - narrows lxml's xpath union
        digest.update(canonicalise(element))
    return digest.digest()


def _find_auth_signature(root: etree._Element) -> etree._Element:
    namespace = etree.QName(root).namespace
    found = root.find(f"{{{namespace}}}AuthSignature") if namespace else None
    if found is None:
        raise MalformedDocument("the document has no AuthSignature")
    return found


def _child(parent: etree._Element, path: str) -> etree._Element:
    found = parent.find(path, namespaces={"ds": DS})
    if found is None:
        raise MalformedDocument(f"AuthSignature lacks {path}")
    return found


def add_auth_signature(root: etree._Element, authentication_key: SubscriberKey) -> None:
    """Fill the AuthSignature of a request in place: DigestValue and SignatureValue.

    The request must already hold an AuthSignature skeleton (``messages`` builds one).
    Raises ``MalformedDocument`` when it does not.
    """
    signature = _find_auth_signature(root)
    signed_info = _child(signature, "ds:SignedInfo")
    _child(signed_info, "ds:Reference/ds:DigestValue").text = base64.b64encode(
        authenticated_digest(root)
    ).decode("ascii")
    signature_value = authentication_key.private_key.sign(
        canonicalise(signed_info), padding.PKCS1v15(), hashes.SHA256()
    )
    _child(signature, "ds:SignatureValue").text = base64.b64encode(signature_value).decode("ascii")


def verify_auth_signature(root: etree._Element, bank_authentication_key: PublicKey) -> None:
    """Check a response's AuthSignature against the bank's X002 key.

    Raises ``AuthenticationFailed`` when the digest or the signature does not match, and
    ``MalformedDocument`` when the AuthSignature is missing or incomplete.
    """
    signature = _find_auth_signature(root)
    signed_info = _child(signature, "ds:SignedInfo")
    try:
        stated_digest = base64.b64decode(
            _child(signed_info, "ds:Reference/ds:DigestValue").text or ""
        )
        signature_value = base64.b64decode(_child(signature, "ds:SignatureValue").text or "")
    except binascii.Error as error:
        raise AuthenticationFailed("the AuthSignature values are not valid base64") from error
    if stated_digest != authenticated_digest(root):
        raise AuthenticationFailed("the digest of the authenticated elements does not match")
    try:
        bank_authentication_key.key.verify(
            signature_value, canonicalise(signed_info), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as error:
        raise AuthenticationFailed("the bank's X002 signature does not verify") from error


def auth_signature_skeleton(namespace: str) -> etree._Element:
    """Build an empty AuthSignature element (in the request's namespace) to sign later."""
    signature = etree.Element(f"{{{namespace}}}AuthSignature")
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=C14N)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=RSA_SHA256)
    reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", URI=REFERENCE_URI)
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=C14N)
    etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=SHA256)
    etree.SubElement(reference, f"{{{DS}}}DigestValue")
    etree.SubElement(signature, f"{{{DS}}}SignatureValue")
    return signature
