"""What a person sees: drawing with mouse and finger, undo, clear, upload, layout at phone and desktop sizes."""

import pytest

from recognition.strokes import render_recorded
from tests.browser.drawing import (
    DESKTOP,
    EMPTY,
    PHONE,
    READY,
    SCREENSHOTS,
    answer,
    draw_with_finger,
    draw_with_mouse,
    inked_pixels,
    move_mouse,
    pen_down,
    wait_until,
)


def bars(page):
    return page.eval_on_selector_all("#probabilities li", """items => items.map(item => ({
        digit: item.dataset.digit,
        winner: item.classList.contains('winner'),
        value: parseFloat(getComputedStyle(item).getPropertyValue('--p')) || 0,
    }))""")


def test_drawing_with_the_mouse_reads_real_handwriting(open_page, one_of_each_digit):
    page = open_page(DESKTOP).page
    right = 0
    for record in one_of_each_digit:
        if page.is_enabled("#clear"):
            page.click("#clear")
        draw_with_mouse(page, record["strokes"])
        shown = answer(page)
        right += shown == str(record["label"])
        chart = bars(page)
        assert len(chart) == 10
        assert [bar["digit"] for bar in chart if bar["winner"]] == [shown]
        assert max(chart, key=lambda bar: bar["value"])["digit"] == shown
        assert page.get_attribute("#input28", "src").startswith("data:image/png;base64,")
        assert page.evaluate("document.getElementById('input28').naturalWidth") == 28
    assert right >= 9, f"{right} of 10 drawn digits read correctly"


def test_drawing_with_a_finger_on_a_phone(open_page, one_of_each_digit):
    page = open_page(PHONE).page
    right = 0
    for record in one_of_each_digit[2:5]:
        if page.is_enabled("#clear"):
            page.click("#clear")
        draw_with_finger(page, record["strokes"])
        right += answer(page) == str(record["label"])
        assert page.evaluate("window.scrollX + window.scrollY") == 0
        assert page.evaluate("window.visualViewport.scale") == 1
    assert right >= 2


def test_undo_takes_back_the_last_stroke(open_page):
    page = open_page(DESKTOP).page
    draw_with_mouse(page, [[[150, 40], [60, 170], [210, 170]], [[170, 100], [170, 250]]])
    answer(page)
    both_strokes = bars(page)
    page.click("#undo")
    answer(page)
    assert bars(page) != both_strokes
    page.keyboard.press("Control+z")
    page.wait_for_selector(EMPTY, state="attached")
    assert page.inner_text("#digit") == ""
    assert page.is_disabled("#undo") and page.is_disabled("#clear")


def test_undo_restores_the_answer_for_what_is_left(open_page):
    page = open_page(DESKTOP).page
    seven = [[[60, 60], [200, 60], [110, 230]]]
    draw_with_mouse(page, seven)
    alone = answer(page)
    draw_with_mouse(page, [[[40, 150], [220, 150]]])
    page.wait_for_selector(READY, state="attached")
    page.click("#undo")
    assert answer(page) == alone


def test_clear_empties_the_pad_and_a_late_answer_never_comes_back(open_page):
    watch = open_page(DESKTOP)
    page = watch.page
    held = []
    page.route("**/api/predict", lambda route: held.append(route))
    draw_with_mouse(page, [[[60, 60], [200, 60], [110, 230]]])
    wait_until(page, lambda: held)
    page.keyboard.press("Escape")
    page.wait_for_selector(EMPTY, state="attached")
    with page.expect_response("**/api/predict"):
        held[0].continue_()
    page.evaluate("new Promise(requestAnimationFrame)")
    assert page.inner_text("#digit") == ""
    assert page.evaluate("document.querySelector('.result').dataset.state") == "empty"
    assert page.is_disabled("#clear")
    for route in held[1:]:
        route.abort()


TOP_BAR = [[40, 60], [240, 60]]
DOWN_STROKE, REST_OF_DOWN_STROKE = [[140, 90], [140, 120], [140, 150]], [[140, 180], [140, 215], [140, 250]]


def draw_down_stroke_pressing_midway(page, key):
    """Draw the down stroke with the mouse, pressing a key halfway while the button is still down."""
    pen_down(page, DOWN_STROKE[0])
    move_mouse(page, DOWN_STROKE[1:])
    page.keyboard.press(key)
    move_mouse(page, REST_OF_DOWN_STROKE)
    page.mouse.up()


def test_clear_while_the_pen_is_down_ends_the_stroke(open_page):
    watch = open_page(DESKTOP)
    page = watch.page
    draw_down_stroke_pressing_midway(page, "Escape")
    watch.assert_clean()
    assert inked_pixels(page) == 0
    assert page.is_disabled("#undo") and page.is_disabled("#clear")
    assert page.evaluate("document.querySelector('.result').dataset.state") == "empty"


def test_undo_while_the_pen_is_down_takes_back_that_stroke_only(open_page):
    watch = open_page(DESKTOP)
    page = watch.page
    pen_down(page, TOP_BAR[0])
    move_mouse(page, TOP_BAR[1:])
    page.mouse.up()
    draw_down_stroke_pressing_midway(page, "Control+z")
    watch.assert_clean()
    on_bar, *on_down_stroke = inked_pixels(page, near=[[140, 60], *DOWN_STROKE, *REST_OF_DOWN_STROKE])
    assert on_bar > 0
    assert on_down_stroke == [0] * len(on_down_stroke)
    page.click("#undo")
    page.wait_for_selector(EMPTY, state="attached")
    assert page.is_disabled("#undo")


def test_an_error_for_an_earlier_state_of_the_drawing_is_not_shown(open_page):
    """The dot the pen first makes is too small to read; its late 422 must not cover the digit drawn since."""
    watch = open_page(DESKTOP)
    page = watch.page
    watch.allow("error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)")
    held = []
    page.route("**/api/predict", lambda route: held.append(route))
    pen_down(page, [60, 60])
    wait_until(page, lambda: held)
    move_mouse(page, [[200, 60], [110, 230]])
    page.mouse.up()
    held[0].fulfill(status=422, json={"error": "The picture holds no digit."})
    wait_until(page, lambda: len(held) == 2)
    assert "bigger" not in page.inner_text("#status")
    assert page.evaluate("document.querySelector('.result').dataset.state") == "pending"
    held[1].continue_()
    assert answer(page) == "7"


def test_a_tap_leaves_a_dot_that_is_drawn_and_sent(open_page):
    """A pen that touches down and moves without going anywhere still leaves ink (a zero-length path does not)."""
    page = open_page(DESKTOP).page
    box = page.locator("#pad").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(*centre)
    page.mouse.up()
    page.wait_for_selector(READY, state="attached")
    assert inked_pixels(page) > 100


def test_an_untouched_pad_sends_nothing(open_page):
    watch = open_page(DESKTOP)
    page = watch.page
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    page.wait_for_load_state("networkidle")
    assert watch.predictions_sent() == []
    assert page.inner_text("#digit") == ""
    assert "Draw a digit" in page.inner_text("#status")


def test_uploading_a_picture_shows_its_prediction(open_page, one_of_each_digit, tmp_path):
    page = open_page(DESKTOP).page
    record = one_of_each_digit[3]
    photo = tmp_path / "digit.png"
    render_recorded(record["strokes"]).convert("RGB").save(photo)
    page.set_input_files("#upload", str(photo))
    assert answer(page) == str(record["label"])


@pytest.mark.parametrize("device, name", [(PHONE, "360x640"), (DESKTOP, "1280x800")])
def test_every_control_is_visible_and_usable(open_page, device, name, one_of_each_digit):
    page = open_page(device).page
    width, height = device["viewport"]["width"], device["viewport"]["height"]
    for selector in ("#pad", "#undo", "#clear", "label[for=upload]", "#digit"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
        assert box["y"] + box["height"] <= height, f"{selector} is below the fold at {name}"
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        on_top = page.evaluate("([x, y, s]) => document.elementFromPoint(x, y).closest(s) !== null",
                               [*centre, selector])
        assert on_top, f"{selector} is covered at {name}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    draw = draw_with_finger if device.get("has_touch") else draw_with_mouse
    draw(page, one_of_each_digit[2]["strokes"])
    answer(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"screenshot-{name}.png"), full_page=True)
