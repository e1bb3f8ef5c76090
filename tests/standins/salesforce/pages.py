"""Read the forms of the stand-in's HTML pages the way a browser would submit them."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    target: str | None
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.iframes: list[dict[str, str | None]] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._current = Form(
                action=attributes.get("action") or "",
                method=(attributes.get("method") or "get").lower(),
                target=attributes.get("target"),
            )
            self.forms.append(self._current)
        elif tag == "iframe":
            self.iframes.append(attributes)
        elif self._current is not None and attributes.get("name"):
            name = attributes["name"] or ""
            value = attributes.get("value") or ""
            if tag == "button" or attributes.get("type") == "submit":
                self._current.buttons.append((name, value))
            elif tag == "input":
                self._current.fields[name] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def read_page(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


def forms_in(html: str) -> list[Form]:
    return read_page(html).forms


def form_with_button(html: str, name: str, value: str | None = None) -> Form:
    """The form holding a submit button called ``name`` (with ``value``, if given)."""
    for form in forms_in(html):
        if any(n == name and (value is None or v == value) for n, v in form.buttons):
            return form
    raise AssertionError(f"no form with a {name}={value} button")


def form_with_field(html: str, name: str) -> Form:
    for form in forms_in(html):
        if name in form.fields:
            return form
    raise AssertionError(f"no form with a field {name}")
