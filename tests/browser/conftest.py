"""Screen tests run in headless Chromium; the browser fixtures live in tests/conftest.py."""

import os

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
