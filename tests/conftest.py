"""Shared test settings: a hypothesis profile sized for a 2-core CI machine, ``needs_dot`` for
tests that render with Graphviz's ``dot``, and a real browser (Chromium, driven by Playwright)
for the pages the library ships.  Under ``CI=true`` a missing ``dot`` or browser fails the
test instead of skipping it: CI installs both (``.ci/run``)."""

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

IN_CI = os.environ.get("CI", "").lower() == "true"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT and not IN_CI, reason="Graphviz 'dot' is not installed")

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_BROWSER = 'install one with: sudo apt-get install -y chromium && pip install -e ".[test]"'


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="session")
def browser():
    """Chromium from the system (nothing is downloaded), headless, for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            raise
        pytest.skip(f"Playwright is not installed: {INSTALL_BROWSER}")
    executable = chromium_path()
    if executable is None:
        if IN_CI:
            pytest.fail(f"CI=true but no Chromium is installed: {INSTALL_BROWSER}")
        pytest.skip(f"no Chromium to run the browser tests: {INSTALL_BROWSER}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page_of(browser):
    """``page_of(url, width, height)``: a fresh page at that window size that records console
    errors and refuses (and records) every request that does not go to the page's own origin."""
    pages = []

    def open_page(url, width=1366, height=768):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.errors, page.outside = [], []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        origin = url.split("/")[0] + "//" + url.split("/")[2] if "://" in url and not url.startswith("file:") else "file:"

        def route(r):
            if r.request.url.startswith(origin) or r.request.url.startswith("data:"):
                return r.continue_()
            page.outside.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.goto(url)
        pages.append(context)
        return page

    yield open_page
    for context in pages:
        context.close()
