"""Every page checked by axe-core against WCAG 2.1 A and AA, before and after something is drawn and answered.

axe-core comes from npm, pinned in package-lock.json beside this file, and is installed there with
``npm ci`` the first time these tests run. The page's Content-Security-Policy forbids inline scripts,
which is how Playwright adds one, so these pages open with the policy bypassed.
"""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from recognition.pad import NUMBER_PAD
from tests.browser.drawing import DESKTOP, answer, asked_digit, draw_with_mouse, start_session, write_with_mouse
from tests.helpers import flat, pen_drawing, written_number

HERE = Path(__file__).resolve().parent
AXE_PACKAGE = HERE / "node_modules" / "axe-core"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
ADOPTED_BEST_PRACTICES = ["empty-table-header"]
"""Rules outside WCAG's tags, and minor on axe's scale, that these pages are held to all the same."""
NPM_SECONDS = 300
ACCESSIBLE_DESKTOP = {**DESKTOP, "bypass_csp": True}

RUN_AXE = """([tags, extraRules]) => axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        rules: Object.fromEntries(extraRules.map(rule => [rule, {enabled: true}])),
        resultTypes: ['violations'],
    }).then(results => results.violations.map(violation => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map(node => node.target.join(' ')),
    })))"""


def locked_axe_version():
    lock = json.loads((HERE / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


def installed_axe_version():
    manifest = AXE_PACKAGE / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


@pytest.fixture(scope="session")
def axe_script():
    """The path of axe.min.js at the version the lock file pins, installed with ``npm ci`` when it is not."""
    if installed_axe_version() != locked_axe_version():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: the accessibility tests install axe-core with it (install Node.js and npm)")
        try:
            subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                           check=True, capture_output=True, text=True, timeout=NPM_SECONDS)
        except subprocess.CalledProcessError as error:
            pytest.fail(f"npm ci in {HERE} failed:\n{error.stderr}")
        except subprocess.TimeoutExpired:
            pytest.fail(f"npm ci in {HERE} took more than {NPM_SECONDS} s")
    return AXE_PACKAGE / "axe.min.js"


def assert_accessible(page, axe_script, state):
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is and fail on any serious or critical
    violation, or any violation of the adopted best practices."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    violations = [found for found in page.evaluate(RUN_AXE, [WCAG_21_AA, ADOPTED_BEST_PRACTICES])
                  if found["impact"] in BLOCKING or found["id"] in ADOPTED_BEST_PRACTICES]
    assert not violations, f"{state}:\n" + "\n".join(
        f"{found['impact']} {found['id']}: {found['help']} at {', '.join(found['targets'])}" for found in violations)


def save_as(page, label):
    """Save the finished drawing with the save row's button for ``label`` (the row waits for the pen to rest)."""
    page.click(f"#labeler button[data-label='{label}']")
    page.wait_for_selector(f"#save-status:has-text('Saved as {label}')")


def test_the_drawing_page(open_page, axe_script, one_of_each_digit):
    page = open_page(ACCESSIBLE_DESKTOP).page
    assert_accessible(page, axe_script, "/ before drawing")
    draw_with_mouse(page, one_of_each_digit[3]["strokes"])
    answer(page)
    page.wait_for_selector("#labeler:visible")
    assert_accessible(page, axe_script, "/ drawn and answered")
    save_as(page, 3)
    assert_accessible(page, axe_script, "/ saved")


def test_the_test_yourself_page(open_page, axe_script, one_of_each_digit):
    page = open_page(ACCESSIBLE_DESKTOP, "/session").page
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    assert_accessible(page, axe_script, "/session before starting")
    start_session(page)
    draw_with_mouse(page, one_of_each_digit[asked_digit(page)]["strokes"])
    assert_accessible(page, axe_script, "/session drawn")
    page.keyboard.press("Enter")
    page.wait_for_selector("#progress:has-text('Attempt 1 of 10')")
    assert_accessible(page, axe_script, "/session answered")


def test_the_saved_drawings_page(open_page, axe_script, one_of_each_digit):
    page = open_page(ACCESSIBLE_DESKTOP).page
    draw_with_mouse(page, one_of_each_digit[7]["strokes"])
    answer(page)
    save_as(page, 7)
    page.goto(page.url.rstrip("/") + "/samples")
    page.wait_for_selector("#samples li")
    assert_accessible(page, axe_script, "/samples with a saved drawing")
    page.check("#mistakes-only")
    page.wait_for_selector("#samples-status:not(:has-text('Loading'))")
    assert_accessible(page, axe_script, "/samples, mistakes only")


def test_a_rooms_phone_page_and_wall(open_page, axe_script, server_url, one_of_each_digit):
    request = urllib.request.Request(server_url + "/api/rooms", method="POST")
    with urllib.request.urlopen(request) as response:
        room = json.loads(response.read())["room"]
    phone = open_page(ACCESSIBLE_DESKTOP, f"/room/{room}").page
    assert_accessible(phone, axe_script, "/room before drawing")
    draw_with_mouse(phone, one_of_each_digit[5]["strokes"])
    phone.click("#send")
    phone.wait_for_selector("#room-status:has-text('Sent!')")
    assert_accessible(phone, axe_script, "/room sent")
    wall = open_page(ACCESSIBLE_DESKTOP, f"/room/{room}/present").page
    wall.wait_for_selector("#wall-grid li")
    assert_accessible(wall, axe_script, "/room/CODE/present with a drawing")
    join = open_page(ACCESSIBLE_DESKTOP, "/room").page
    assert_accessible(join, axe_script, "/room, where a code is typed")


def test_the_look_inside_panel(open_page, axe_script, one_of_each_digit):
    page = open_page(ACCESSIBLE_DESKTOP).page
    page.focus("#look-inside summary")
    page.keyboard.press("Enter")
    assert_accessible(page, axe_script, "/ with the panel open, before drawing")
    draw_with_mouse(page, one_of_each_digit[1]["strokes"])
    answer(page)
    page.wait_for_selector('#look-inside[data-state="ready"]', state="attached")
    assert_accessible(page, axe_script, "/ with the panel open, answered")


@pytest.mark.parametrize("size", [{"width": 1920, "height": 1080}, {"width": 1280, "height": 720}])
def test_presentation_mode(open_page, axe_script, one_of_each_digit, size):
    page = open_page({**ACCESSIBLE_DESKTOP, "viewport": size}, "/?present").page
    page.wait_for_selector('.result[data-state="empty"]', state="attached")
    assert_accessible(page, axe_script, "/?present before drawing")
    draw_with_mouse(page, one_of_each_digit[4]["strokes"])
    answer(page)
    assert_accessible(page, axe_script, "/?present answered")


@pytest.mark.parametrize("size", [{"width": 1920, "height": 1080}, {"width": 1280, "height": 720}])
def test_presentation_mode_with_look_inside_open(open_page, axe_script, one_of_each_digit, size):
    page = open_page({**ACCESSIBLE_DESKTOP, "viewport": size}, "/?present").page
    page.wait_for_selector('.result[data-state="empty"]', state="attached")
    page.click("#look-inside summary")
    assert_accessible(page, axe_script, "/?present with Look inside open, before drawing")
    draw_with_mouse(page, one_of_each_digit[7]["strokes"])
    answer(page)
    page.wait_for_selector('#look-inside[data-state="ready"]', state="attached")
    assert_accessible(page, axe_script, "/?present with Look inside open, answered")


def test_the_models_page(open_page, axe_script):
    page = open_page(ACCESSIBLE_DESKTOP, "/model").page
    assert_accessible(page, axe_script, "/model")


def test_the_api_page(open_page, axe_script):
    page = open_page(ACCESSIBLE_DESKTOP, "/api/docs").page
    page.wait_for_selector("#api-operations article")
    assert_accessible(page, axe_script, "/api/docs")


@pytest.mark.parametrize("query", ["", "?present"])
def test_the_number_page(open_page, axe_script, pendigits, query):
    page = open_page(ACCESSIBLE_DESKTOP, "/numbers" + query).page
    page.wait_for_selector('.number-result[data-state="empty"]', state="attached")
    assert_accessible(page, axe_script, f"/numbers{query} before writing")
    digits = written_number([pen_drawing(pendigits, 4, 2), pen_drawing(pendigits, 2, 1)], [0.3])
    write_with_mouse(page, flat(digits), NUMBER_PAD)
    page.wait_for_selector('.number-result[data-state="ready"]', state="attached")
    page.click(".number-digit >> nth=0")
    assert_accessible(page, axe_script, f"/numbers{query} written, a digit's bars shown")
