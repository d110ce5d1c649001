"""The API page renders every operation of the server's own description, with nothing fetched from elsewhere."""

import json
import urllib.request

from tests.browser.drawing import DESKTOP, SCREENSHOTS


def test_the_api_page_shows_every_endpoint(open_page, server_url):
    with urllib.request.urlopen(server_url + "/api/openapi.json") as response:
        paths = json.loads(response.read())["paths"]
    expected = sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)
    page = open_page(DESKTOP, "/api/docs").page
    page.wait_for_selector("#api-operations article")
    shown = page.eval_on_selector_all("#api-operations article h3", "headings => headings.map(h => h.innerText)")
    assert sorted(" ".join(text.split()) for text in shown) == expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-1280x800.png"))
