"""The "Look inside" panel, presentation mode and the models' page, as a person uses them."""

import json
import urllib.request

import pytest

from tests.browser.drawing import DESKTOP, answer, draw_with_mouse, wait_until
from tests.browser.test_page import SCREENSHOTS

INSIDE_READY = '#look-inside[data-state="ready"]'
PROJECTOR_SIZES = [({"viewport": {"width": 1920, "height": 1080}}, "1920x1080"),
                   ({"viewport": {"width": 1280, "height": 720}}, "1280x720")]

EVIDENCE_COLOURS = """() => {
    const canvas = document.getElementById('evidence');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let blue = 0, orange = 0;
    for (let i = 0; i < data.length; i += 4) {
        blue += data[i + 2] > data[i] + 60;
        orange += data[i] > data[i + 2] + 60;
    }
    return {blue, orange};
}"""


def served_models(server_url):
    with urllib.request.urlopen(server_url + "/api/models") as response:
        return json.load(response)


def served_names(server_url):
    return [entry["name"] for entry in served_models(server_url)]


def plain_names(server_url):
    """The served models' names in plain words, as /api/models gives them; none is a file name."""
    titles = [entry["title"] for entry in served_models(server_url)]
    assert not [title for title in titles if "digitpad" in title or "-" in title], titles
    return titles


def screenshot(page, name, **options):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), **options)


def look_inside_sent(watch):
    return [url for url in watch.requests if "/api/predict?" in url]


def test_the_panel_is_closed_until_opened_and_asks_for_nothing_extra(open_page, one_of_each_digit):
    watch = open_page(DESKTOP)
    page = watch.page
    assert page.evaluate("document.getElementById('look-inside').open") is False
    assert not page.is_visible("#compare")
    draw_with_mouse(page, one_of_each_digit[4]["strokes"])
    answer(page)
    assert watch.predictions_sent() and not look_inside_sent(watch)


def test_opening_the_panel_with_the_keyboard_shows_every_model_why_and_the_steps(open_page, one_of_each_digit,
                                                                                 server_url):
    watch = open_page(DESKTOP)
    page = watch.page
    draw_with_mouse(page, one_of_each_digit[1]["strokes"])
    shown = answer(page)
    page.focus("#look-inside summary")
    page.keyboard.press("Enter")
    page.wait_for_selector(INSIDE_READY, state="attached")
    assert page.evaluate("document.getElementById('look-inside').open")
    assert all("models=all" in url and "explain=1" in url and "steps=1" in url for url in look_inside_sent(watch))

    names = plain_names(server_url)
    assert page.eval_on_selector_all("#compare > li h4", "items => items.map(item => item.textContent)") == names
    assert page.eval_on_selector_all("#compare .bars", "lists => lists.map(list => list.children.length)") == \
        [10] * len(names)
    assert page.inner_text("#compare > li:first-child .reading-answer").startswith(f"reads {shown}")

    versus = page.inner_text("#why-versus")
    assert page.inner_text("#why-digit") == shown and versus.isdigit() and versus != shown
    assert page.inner_text("#legend-digit") == f"blue: makes it a {shown}"
    assert page.inner_text("#legend-versus") == f"orange: makes it a {versus}"
    colours = page.evaluate(EVIDENCE_COLOURS)
    assert colours["blue"] > 0 and colours["orange"] > 0, colours
    assert f"a {shown}" in page.get_attribute("#evidence", "aria-label")

    steps = page.eval_on_selector_all("#steps img", "images => images.map(image => [image.alt, image.naturalWidth])")
    assert [caption for caption in page.eval_on_selector_all("#steps figcaption", "items => items.map(i => i.textContent)")] \
        == ["ink found", "cropped to the ink", "fitted into 20×20", "centred by mass in 28×28"]
    assert all(alt and width > 0 for alt, width in steps)
    assert steps[-1][1] == 28
    screenshot(page, "look-inside-1280x800.png", full_page=True)


def test_a_closed_panel_stops_the_extra_requests(open_page, one_of_each_digit):
    watch = open_page(DESKTOP)
    page = watch.page
    page.click("#look-inside summary")
    draw_with_mouse(page, one_of_each_digit[7]["strokes"])
    answer(page)
    page.wait_for_selector(INSIDE_READY, state="attached")
    page.click("#look-inside summary")
    page.click("#clear")
    asked = len(look_inside_sent(watch))
    draw_with_mouse(page, one_of_each_digit[2]["strokes"])
    assert answer(page) == "2"
    assert len(look_inside_sent(watch)) == asked


def test_the_panel_follows_undo_and_clear(open_page, one_of_each_digit):
    page = open_page(DESKTOP).page
    page.click("#look-inside summary")
    draw_with_mouse(page, one_of_each_digit[3]["strokes"])
    answer(page)
    page.wait_for_selector(INSIDE_READY, state="attached")
    page.keyboard.press("Escape")
    page.wait_for_selector('#look-inside[data-state="empty"]', state="attached")
    assert page.inner_text("#inside-status") == "Draw a digit to look inside."
    assert page.eval_on_selector_all("#steps li", "items => items.length") == 0


def no_scrolling(page):
    return page.evaluate("""() => document.documentElement.scrollHeight <= window.innerHeight
        && document.documentElement.scrollWidth <= window.innerWidth""")


def fully_visible(page, selector):
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"] \
        and box["y"] + box["height"] <= viewport["height"]


@pytest.mark.parametrize("device, name", PROJECTOR_SIZES)
def test_presentation_mode_fills_a_projector_without_scrolling(open_page, one_of_each_digit, device, name):
    page = open_page(device, "/?present").page
    page.wait_for_selector('.result[data-state="empty"]', state="attached")
    assert page.evaluate("document.body.classList.contains('presenting')")
    assert page.get_attribute("#present", "aria-pressed") == "true"
    draw_with_mouse(page, one_of_each_digit[5]["strokes"])
    assert answer(page) == "5"
    assert no_scrolling(page)
    for selector in ("#pad", "#digit", "#probabilities", "#undo", "#clear", "#present"):
        assert fully_visible(page, selector), f"{selector} at {name}"
    for chrome in ("header", "footer", "#compare", ".tagline", ".preview"):
        assert not page.is_visible(chrome), chrome
    assert fully_visible(page, "#look-inside summary")
    pad = page.locator("#pad").bounding_box()
    assert pad["height"] >= 0.75 * page.viewport_size["height"]
    digit_size = page.evaluate("parseFloat(getComputedStyle(document.getElementById('digit')).fontSize)")
    assert digit_size >= 0.25 * page.viewport_size["height"]
    screenshot(page, f"presentation-{name}.png")


def test_the_presentation_button_switches_the_mode_and_the_address(open_page):
    page = open_page(DESKTOP).page
    assert page.get_attribute("#present", "aria-pressed") == "false"
    page.click("#present")
    assert page.evaluate("document.body.classList.contains('presenting')")
    assert "present" in page.evaluate("location.search")
    assert no_scrolling(page)
    page.click("#present")
    assert not page.evaluate("document.body.classList.contains('presenting')")
    assert page.evaluate("location.search") == ""
    assert page.is_visible("header")


def test_the_model_page_shows_every_served_models_card(open_page, server_url):
    page = open_page(DESKTOP, "/model").page
    names = served_names(server_url)
    assert page.eval_on_selector_all("article.card", "cards => cards.map(card => card.id)") == names
    for name in names:
        card = f"article.card[id='{name}']"
        assert page.inner_text(f"{card} pre").startswith("python train.py ")
        cells = page.eval_on_selector_all(f"{card} table.accuracy td", "cells => cells.map(cell => cell.textContent)")
        assert len(cells) == 5 and cells[0].endswith("%")
        images = page.locator(f"{card} .pictures img")
        assert images.count() == 4
        for index in range(4):
            images.nth(index).scroll_into_view_if_needed()
        wait_until(page, lambda: page.eval_on_selector_all(
            f"{card} .pictures img", "images => images.every(image => image.complete && image.naturalWidth > 0)"))
    baseline = page.eval_on_selector_all("article.card[id='digitpad-mlp'] td", "cells => cells.map(c => c.textContent)")
    assert all(cell.endswith("%") for cell in baseline)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "model-page-1280x800.png")


def test_presentation_mode_says_how_to_leave_and_esc_leaves_it(open_page):
    page = open_page(DESKTOP, "/?present").page
    assert page.inner_text("#present") == "Leave presentation mode (Esc)"
    page.keyboard.press("Escape")
    page.wait_for_selector("body:not(.presenting)")
    assert page.inner_text("#present") == "Presentation mode" and "present" not in page.url.split("/")[-1]


def test_the_presentation_button_is_in_view_at_1280x720_without_scrolling(open_page):
    page = open_page({"viewport": {"width": 1280, "height": 720}}).page
    assert not page.evaluate("document.body.classList.contains('presenting')")
    assert fully_visible(page, "#present")


FONT_SIZES = """selector => [...document.querySelectorAll(selector)]
    .filter(element => element.getClientRects().length)
    .map(element => parseFloat(getComputedStyle(element).fontSize))"""
INSIDE_LABELS = ("#look-inside summary", "#compare-heading", "#why-heading", "#compare h4", ".reading-answer",
                 "#compare .bar-label", ".legend-key")


def overlap(page, first, second):
    one, other = page.locator(first).bounding_box(), page.locator(second).bounding_box()
    return one["x"] < other["x"] + other["width"] and other["x"] < one["x"] + one["width"] \
        and one["y"] < other["y"] + other["height"] and other["y"] < one["y"] + one["height"]


@pytest.mark.parametrize("device, name", [*PROJECTOR_SIZES, ({"viewport": {"width": 1024, "height": 768}}, "1024x768")])
def test_look_inside_in_presentation_mode_is_at_projector_scale(open_page, one_of_each_digit, server_url,
                                                                device, name):
    page = open_page(device, "/?present").page
    page.wait_for_selector('.result[data-state="empty"]', state="attached")
    draw_with_mouse(page, one_of_each_digit[7]["strokes"])
    shown = answer(page)
    for button in ("#present", "#start-room", "#pad"):
        assert not overlap(page, "#look-inside summary", button), f"Look inside covers {button} at {name}"
    page.click("#look-inside summary")
    page.wait_for_selector(INSIDE_READY, state="attached")
    assert page.evaluate("document.body.classList.contains('presenting')")

    assert page.eval_on_selector_all("#compare > li h4", "items => items.map(item => item.textContent)") == \
        plain_names(server_url)
    for selector in INSIDE_LABELS:
        sizes = page.evaluate(FONT_SIZES, selector)
        assert sizes and min(sizes) >= 18, f"{selector} at {name}: {sizes}"
    versus = page.inner_text("#why-versus")
    assert page.inner_text(".legend") == f"blue: makes it a {shown}\norange: makes it a {versus}"
    assert page.locator("#evidence").bounding_box()["height"] >= page.viewport_size["height"] / 3, name

    assert no_scrolling(page), f"Look inside scrolls in presentation mode at {name}"
    for selector in ("#pad", "#evidence", ".legend", "#compare", "#present", "#look-inside summary"):
        assert fully_visible(page, selector), f"{selector} at {name}"
    screenshot(page, f"presentation-look-inside-{name}.png")
    page.click("#look-inside summary")
    page.wait_for_selector("#digit", state="visible")
    assert no_scrolling(page)
