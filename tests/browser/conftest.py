"""Headless Chromium driving the production server, with every console message and request checked."""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from bench.browser import CHROMIUM_ARGS, DESKTOP, EMPTY
from bench.server import running_server
from webapp.predicting.served import default_model


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """``python -m webapp`` on a free loopback port, as a user starts it, saving samples to a scratch file.

    Room event streams end every 2 s, so walls reconnect (and must catch up) during the tests.
    """
    samples_db = tmp_path_factory.mktemp("browser-samples") / "samples.sqlite3"
    with running_server(env={"SAMPLES_DB": str(samples_db), "ROOM_STREAM_SECONDS": "2"}) as (url, _):
        yield url


@pytest.fixture(scope="session")
def one_of_each_digit(pendigits, app):
    """The first drawing of each digit by writers the shipped model never trained on."""
    writers = set(default_model(app).classifier.card.get("data", {}).get("test_writers", [])) or {21}
    chosen = {}
    for record in pendigits:
        if record["writer"] in writers:
            chosen.setdefault(record["label"], record)
    return [chosen[digit] for digit in range(10)]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; scripts/test installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """A page plus what it logged and requested, to check nothing went wrong on the way."""

    def __init__(self, page, server_url):
        self.page = page
        self.server = urlsplit(server_url).netloc
        self.console = []
        self.allowed = []
        self.requests = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.failures = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: response.status >= 400 and self.failures.append(
            f"{response.status} {response.request.method} {response.url}"))

    def predictions_sent(self):
        return [url for url in self.requests if url.endswith("/api/predict")]

    def allow(self, console_line):
        """Accept a console line the test causes on purpose, e.g. the error Chromium logs for a failed request."""
        self.allowed.append(console_line)

    def assert_clean(self):
        problems = [line for line in self.console if line.split(":")[0] in ("error", "warning", "pageerror")
                    and line not in self.allowed]
        assert not problems, problems + self.failures
        foreign = [url for url in self.requests
                   if not url.startswith("data:") and urlsplit(url).netloc != self.server]
        assert not foreign, foreign


@pytest.fixture
def open_page(chromium, server_url):
    """open_page(device) opens the app in a new browser context; every page is checked when the test ends."""
    contexts, watches = [], []

    def opener(device=DESKTOP, path="/", clock=False):
        """With ``clock`` the page's timers run only when the test moves its clock (page.clock.run_for)."""
        context = chromium.new_context(**device)
        contexts.append(context)
        watch = PageWatch(context.new_page(), server_url)
        watches.append(watch)
        if clock:
            watch.page.clock.install()
        watch.page.goto(server_url + path)
        if path == "/":
            watch.page.wait_for_selector(EMPTY, state="attached")
        return watch

    yield opener
    try:
        for watch in watches:
            watch.assert_clean()
    finally:
        for context in contexts:
            context.close()
