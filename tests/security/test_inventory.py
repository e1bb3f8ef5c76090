"""The security table covers every URL Django resolves, and nothing that is gone."""

from tests.security.inventory import BY_NAME, ROUTES, resolved_patterns


def test_every_resolved_url_has_an_entry_in_the_security_table():
    missing = [
        f"{pattern.name or '(unnamed)'} -> /{pattern.route}"
        for pattern in resolved_patterns()
        if pattern.name not in BY_NAME
    ]
    assert missing == [], "add these URLs to tests/security/inventory.py"


def test_the_security_table_names_no_url_that_is_gone():
    resolved = {pattern.name for pattern in resolved_patterns()}
    assert [route.name for route in ROUTES if route.name not in resolved] == []


def test_each_url_is_listed_once():
    assert len(BY_NAME) == len(ROUTES)


def test_only_the_canvas_entry_is_exempt_from_csrf():
    assert [route.name for route in ROUTES if route.csrf_exempt_because] == ["portal:canvas"]
