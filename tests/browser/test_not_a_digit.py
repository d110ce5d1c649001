"""What a person sees when a drawing is not a digit: the sentence instead of a confident digit, on every view."""

from recognition.pad import NUMBER_PAD
from tests.browser.drawing import (
    DESKTOP,
    PHONE,
    READY,
    SCREENSHOTS,
    answer,
    asked_digit,
    draw_with_finger,
    draw_with_mouse,
    start_session,
    wait_until,
    write_with_mouse,
)
from tests.browser.test_rooms import open_room
from tests.helpers import SEVEN

NOT_A_DIGIT = "doesn't look like a digit"
CROSS = [[[90, 90], [190, 190]], [[190, 90], [90, 190]]]


def tap(page):
    """Touch the middle of the pad with the mouse without moving: a dot."""
    box = page.locator("#pad").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.up()


def test_a_tap_says_it_is_not_a_digit_and_a_drawn_seven_still_reads_seven(open_page):
    page = open_page(DESKTOP).page
    tap(page)
    shown = answer(page)
    assert NOT_A_DIGIT in page.inner_text("#status")
    assert shown == "?" and "%" not in page.inner_text("#status")
    assert page.eval_on_selector_all("#probabilities li.winner", "items => items.length") == 0
    page.screenshot(path=str(SCREENSHOTS / "not-a-digit-1280x720.png"))
    page.click("#clear")
    draw_with_mouse(page, [[point[:2] for point in stroke] for stroke in SEVEN])
    assert answer(page) == "7"
    assert NOT_A_DIGIT not in page.inner_text("#status")


def test_presentation_mode_and_look_inside_say_it_too(open_page):
    page = open_page({"viewport": {"width": 1920, "height": 1080}}, path="/?present").page
    draw_with_mouse(page, CROSS)
    assert answer(page) == "?" and NOT_A_DIGIT in page.inner_text("#status")
    page.screenshot(path=str(SCREENSHOTS / "not-a-digit-present-1920x1080.png"))
    page.keyboard.press("Escape")
    page.click("#look-inside summary")
    wait_until(page, lambda: NOT_A_DIGIT in page.inner_text("#inside-status"))
    page.locator("#look-inside").screenshot(path=str(SCREENSHOTS / "not-a-digit-inside-1920x1080.png"))


def test_on_a_phone_the_sentence_fits(open_page):
    page = open_page(PHONE).page
    draw_with_mouse(page, CROSS)
    page.wait_for_selector(READY, state="attached")
    assert NOT_A_DIGIT in page.inner_text("#status")
    page.screenshot(path=str(SCREENSHOTS / "not-a-digit-360x640.png"))


def test_the_test_yourself_page_asks_again_and_does_not_count_it(open_page):
    page = open_page(DESKTOP, "/session").page
    start_session(page)
    asked = asked_digit(page)
    draw_with_mouse(page, CROSS)
    page.keyboard.press("Enter")
    wait_until(page, lambda: NOT_A_DIGIT in page.inner_text("#last-attempt"))
    assert f"draw the {asked} again" in page.inner_text("#last-attempt")
    assert asked_digit(page) == asked
    assert page.inner_text("#progress").startswith("0 of 10 attempts")
    page.screenshot(path=str(SCREENSHOTS / "not-a-digit-session-1280x720.png"))


def test_a_room_phone_and_wall_say_it_and_the_wall_does_not_count_it(open_page, server_url):
    room = open_room(server_url)
    wall = open_page({"viewport": {"width": 1280, "height": 720}}, f"/room/{room}/present").page
    phone = open_page(PHONE, f"/room/{room.lower()}").page
    draw_with_finger(phone, CROSS)
    phone.select_option("#label", "8")
    phone.click("#send")
    phone.wait_for_selector(f"#room-status:has-text(\"{NOT_A_DIGIT}\")")
    wall.wait_for_selector(f"#wall-grid li .wall-answer:has-text(\"{NOT_A_DIGIT}\")")
    assert "%" not in wall.inner_text("#wall-grid li .wall-answer")
    assert "No drawings with the digit they meant yet" in wall.inner_text("#labelled-accuracy")
    assert wall.eval_on_selector_all("#digit-counts .bar-value", "items => items.map(i => i.textContent)") == ["0"] * 10
    phone.screenshot(path=str(SCREENSHOTS / "not-a-digit-room-phone-360x640.png"), full_page=True)
    wall.screenshot(path=str(SCREENSHOTS / "not-a-digit-room-wall-1280x720.png"))


def test_a_mark_in_a_number_shows_as_a_question_mark(open_page):
    page = open_page(DESKTOP, "/numbers").page
    page.wait_for_selector('.number-result[data-state="empty"]', state="attached")
    seven_then_cross = [[point[:2] for point in stroke] for stroke in SEVEN]
    seven_then_cross += [[[x + 280, y] for x, y in stroke] for stroke in CROSS]
    write_with_mouse(page, seven_then_cross, NUMBER_PAD)
    page.wait_for_selector('.number-result[data-state="ready"]', state="attached")
    assert page.inner_text("#number") == "7?"
    assert page.inner_text("#number-digits").split() == ["7", "?"]
    assert NOT_A_DIGIT in page.inner_text("#status")
    page.screenshot(path=str(SCREENSHOTS / "not-a-digit-number-1280x720.png"))
