"""The number page: writing a number with a real mouse reads it live, with each digit's box on the drawing, its
bars on demand, undo and clear, and a layout that keeps the pad and the answer in view on phones and projectors."""

import pytest

from recognition.pad import NUMBER_PAD
from tests.browser.drawing import DESKTOP, SCREENSHOTS, write_with_mouse
from tests.helpers import flat, pen_drawing, written_number

READY = '.number-result[data-state="ready"]'
EMPTY = '.number-result[data-state="empty"]'


@pytest.fixture(scope="module")
def year(pendigits):
    """2026 in pen-drawn digits, in the wide pad's pixels: the strokes of each digit."""
    records = [pen_drawing(pendigits, 2, 1), pen_drawing(pendigits, 0, 1), pen_drawing(pendigits, 2, 1, writer=26),
               pen_drawing(pendigits, 6, 1)]
    return written_number(records, [0.3, 0.25, 0.3])


def open_numbers(open_page, device=DESKTOP, query=""):
    page = open_page(device, "/numbers" + query).page
    page.wait_for_selector(EMPTY, state="attached")
    return page


def number_read(page):
    """Wait for the answer to the writing on the pad as it is now, and return the number shown."""
    page.wait_for_selector(READY, state="attached")
    return page.inner_text("#number")


def screen_boxes(page):
    """The digits' boxes drawn over the pad, in the pad's pixels."""
    return page.eval_on_selector_all(".digit-boxes rect", """rects => rects.map(rect =>
        ['x', 'y', 'width', 'height'].map(name => Number(rect.getAttribute(name))))""")


def test_writing_2026_shows_2026(open_page, year):
    watch = open_page(DESKTOP, "/numbers")
    page = watch.page
    page.wait_for_selector(EMPTY, state="attached")
    write_with_mouse(page, flat(year), NUMBER_PAD)
    assert number_read(page) == "2026"
    assert any(url.endswith("/api/read") for url in watch.requests)
    boxes = screen_boxes(page)
    assert len(boxes) == 4
    for (x, y, width, height), strokes in zip(boxes, year):
        xs = [point[0] for stroke in strokes for point in stroke]
        ys = [point[1] for stroke in strokes for point in stroke]
        assert x <= min(xs) and max(xs) <= x + width and y <= min(ys) and max(ys) <= y + height
    assert page.inner_text("#number-digits").split() == ["2", "0", "2", "6"]


def test_a_digits_bars_on_demand(open_page, year):
    page = open_numbers(open_page)
    write_with_mouse(page, flat(year), NUMBER_PAD)
    number_read(page)
    assert page.locator("#digit-chart").is_hidden()
    chip = page.locator(".number-digit").nth(3)
    chip.click()
    assert page.locator("#digit-chart").is_visible()
    assert page.locator(".number-digit").nth(3).get_attribute("aria-expanded") == "true"
    assert page.inner_text("#digit-chart-caption").startswith("Digit 4 of 4")
    assert page.get_attribute("#probabilities li.winner", "data-digit") == "6"
    assert page.locator(".digit-boxes rect.chosen").count() == 1
    page.keyboard.press("Enter")
    assert page.locator("#digit-chart").is_hidden()


def test_undo_and_clear_with_the_keyboard(open_page, year):
    page = open_numbers(open_page)
    write_with_mouse(page, flat(year), NUMBER_PAD)
    assert number_read(page) == "2026"
    page.keyboard.press("Control+z")
    assert number_read(page) == "202"
    assert len(screen_boxes(page)) == 3
    page.keyboard.press("Escape")
    page.wait_for_selector(EMPTY, state="attached")
    assert page.inner_text("#number") == "" and screen_boxes(page) == []
    assert page.locator("#undo").is_disabled() and page.locator("#clear").is_disabled()


def in_view(page, selector):
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            and box["y"] + box["height"] <= viewport["height"])


@pytest.mark.parametrize("size, query", [((360, 640), ""), ((640, 360), ""), ((1280, 720), ""),
                                         ((1280, 720), "?present"), ((1920, 1080), "?present")],
                         ids=["phone upright", "phone on its side", "projector", "presenting 720p",
                              "presenting 1080p"])
def test_the_pad_its_controls_and_the_number_fit_the_screen(open_page, year, size, query):
    page = open_numbers(open_page, {"viewport": {"width": size[0], "height": size[1]}}, query)
    write_with_mouse(page, flat(year), NUMBER_PAD)
    assert number_read(page) == "2026"
    for selector in ("#pad", "#undo", "#clear", "#number", ".number-digit >> nth=3"):
        assert in_view(page, selector), selector
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert page.evaluate("document.body.classList.contains('presenting')") == bool(query)
    page.click(".number-digit >> nth=1")
    assert in_view(page, "#digit-chart") or size[1] < 500, "the bars are in view, but on a phone on its side"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"numbers-{size[0]}x{size[1]}{'-present' if query else ''}.png"))
