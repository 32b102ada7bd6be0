"""Browser tests: a live server on 127.0.0.1 and Debian's chromium driven by Playwright.

Marked ``browser``. Without chromium they are skipped, unless REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet in landscape
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _wait_for_function_without_eval(page, expression, *, arg=None, timeout=None, polling=None):
    """``Page.wait_for_function`` that works under the portal's CSP (no 'unsafe-eval').

    Playwright's own version evaluates the predicate with ``eval`` inside the page, which the CSP refuses;
    ``page.evaluate`` goes through the DevTools protocol, which the CSP does not govern.
    """
    import time

    deadline = time.monotonic() + (timeout or 10_000) / 1000
    interval = polling / 1000 if isinstance(polling, (int, float)) else 0.05
    while True:
        try:
            if page.evaluate(expression, arg):
                return True
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"wait_for_function timed out: {expression}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                "chromium is required (REQUIRE_BROWSER=1) but not installed: apt-get install -y chromium"
            )
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import Page, sync_playwright

    Page.wait_for_function = _wait_for_function_without_eval

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test app served on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["SERVER_NAME"] = None
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.config["SERVER_NAME"] = "localhost"


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def tablet(browser):
    context, page = _page(browser, TABLET, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE, has_touch=True, is_mobile=True)
    yield page
    context.close()


def sign_in(page, base_url: str, username: str, password: str = "secret-pass") -> None:
    """Sign in through the real login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)
