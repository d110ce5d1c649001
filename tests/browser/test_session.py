"""The test-yourself page as people use it: digits in several strokes, retaking an attempt, awkward timing, Enter."""

from tests.browser.drawing import (
    DESKTOP,
    asked_digit,
    draw_stroke_by_stroke,
    draw_with_mouse,
    inked_pixels,
    move_mouse,
    pen_down,
    start_session,
    wait_until,
)

NEXT_DRAWING_START, NEXT_DRAWING_REST = [[100, 80], [120, 110]], [[140, 150], [160, 200]]
SEVEN_BAR, SEVEN_STEM = [[60, 60], [130, 60], [200, 60]], [[200, 60], [155, 145], [110, 230]]


def open_session(open_page):
    """The test-yourself page with a session of ten digits started."""
    watch = open_page(DESKTOP, "/session")
    start_session(watch.page)
    return watch


def draw_the_digit_asked_for(page, one_of_each_digit):
    drawing = one_of_each_digit[asked_digit(page)]["strokes"]
    draw_with_mouse(page, drawing)
    return drawing


def start_drawing_while_the_attempt_is_read(page):
    """Press Enter and, while the answer is held back, put the pen down and start the next drawing; then let the
    answer through, so the page records the attempt and clears the pad with the pen still down."""
    held = []
    page.route("**/api/predict", lambda route: held.append(route))
    page.keyboard.press("Enter")
    wait_until(page, lambda: held)
    pen_down(page, NEXT_DRAWING_START[0])
    move_mouse(page, NEXT_DRAWING_START[1:])
    held[0].continue_()
    page.wait_for_selector("#progress:has-text('Attempt 1 of 10')")


def test_the_pad_cleared_for_the_next_digit_while_the_pen_is_down_ends_the_stroke(open_page, one_of_each_digit):
    watch = open_session(open_page)
    page = watch.page
    draw_the_digit_asked_for(page, one_of_each_digit)
    start_drawing_while_the_attempt_is_read(page)
    move_mouse(page, NEXT_DRAWING_REST)
    page.mouse.up()
    watch.assert_clean()
    assert inked_pixels(page) == 0
    assert page.is_disabled("#undo") and page.is_disabled("#next")
    assert page.is_visible("#pad-hint")


def test_a_saved_attempt_keeps_the_strokes_of_its_image(open_page, one_of_each_digit):
    page = open_session(open_page).page
    drawing = draw_the_digit_asked_for(page, one_of_each_digit)
    start_drawing_while_the_attempt_is_read(page)
    page.mouse.up()
    page.unroute("**/api/predict")
    with page.expect_request("**/api/samples") as saving:
        draw_the_digit_asked_for(page, one_of_each_digit)
        page.click("#next")
    assert len(saving.value.post_data_json["strokes"]) == len(drawing)


def test_a_seven_in_two_strokes_with_a_2_s_pause_is_one_attempt_read_7(open_page, one_of_each_digit):
    page = open_page(DESKTOP, "/session", clock=True).page
    start_session(page)
    asked = asked_digit(page)
    seven = one_of_each_digit[7]["strokes"]
    assert len(seven) == 2

    def pause_of_two_seconds():
        page.clock.run_for(2000)
        assert page.inner_text("#progress") == "0 of 10 attempts."

    draw_stroke_by_stroke(page, seven, pause_of_two_seconds)
    pause_of_two_seconds()
    page.clock.run_for(1000)
    page.wait_for_selector("#progress:has-text('Attempt 1 of 10')")
    assert page.inner_text("#last-attempt") == ("✓ 7 read correctly" if asked == 7 else f"✗ {asked} read as 7")
    assert page.inner_text("#per-digit").count("/1") == 1
    assert inked_pixels(page) == 0


def test_retake_replaces_the_last_attempt_and_its_drawing_is_never_saved(open_page, one_of_each_digit):
    watch = open_session(open_page)
    page = watch.page
    assert page.is_disabled("#retake")
    first = asked_digit(page)
    draw_with_mouse(page, one_of_each_digit[(first + 1) % 10]["strokes"])
    page.click("#next")
    page.wait_for_selector("#progress:has-text('Attempt 1 of 10')")
    page.click("#retake")
    page.wait_for_selector("#progress:has-text('0 of 10 attempts.')")
    assert asked_digit(page) == first and page.is_disabled("#retake")
    assert page.inner_text("#per-digit").count("/1") == 0
    retaken = draw_the_digit_asked_for(page, one_of_each_digit)
    page.click("#next")
    page.wait_for_selector("#progress:has-text('Attempt 1 of 10')")
    assert page.inner_text("#last-attempt") == f"✓ {first} read correctly"
    with page.expect_request("**/api/samples") as saving:
        draw_the_digit_asked_for(page, one_of_each_digit)
        page.click("#next")
    assert len(saving.value.post_data_json["strokes"]) == len(retaken)
    assert saving.value.post_data_json["label"] == first
    assert len([url for url in watch.requests if url.endswith("/api/samples")]) == 1


def test_enter_on_a_focused_button_presses_it(open_page):
    page = open_page(DESKTOP, "/session").page
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    page.select_option("#repeats", "2")
    page.focus("#start")
    page.keyboard.press("Enter")
    page.wait_for_selector("#progress:has-text('0 of 20 attempts.')", timeout=5000)


def test_enter_on_a_focused_link_follows_it(open_page):
    page = open_session(open_page).page
    page.focus("header nav a[href='/samples']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/samples", timeout=5000)
