"""Learning one writer's handwriting in the browser: teach mode, the adapted answer, forgetting."""

import json
import urllib.request

from tests.browser.drawing import DESKTOP, EMPTY, answer, asked_digit, draw_with_mouse, wait_until
from tests.helpers import ONE, SEVEN, data_url, drawing_png


def draw_what_is_asked(page, one_of_each_digit, then):
    """Draw the digit the page asks for, record it with Next and wait for ``then`` (a selector)."""
    digit = asked_digit(page)
    draw_with_mouse(page, one_of_each_digit[digit]["strokes"])
    page.click("#next")
    page.wait_for_selector(then)
    return digit


def attempt(number):
    return f"#progress:has-text('Attempt {number} of 10')"


def test_teach_mode_saves_each_digit_then_scores_before_and_after(open_page, one_of_each_digit):
    page = open_page(DESKTOP, "/session?teach").page
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    assert page.is_checked("#teach") and page.input_value("#repeats") == "3"
    page.click("#start")
    page.wait_for_selector("#prompt:has-text('Who')")
    page.fill("#writer", "Ada Teach")
    page.press("#writer", "Tab")
    page.select_option("#repeats", "1")
    with page.expect_request("**/api/samples") as first_save:
        page.click("#start")
        page.wait_for_selector("#prompt:has-text('Teaching, Ada Teach: draw a')")
        taught = [draw_what_is_asked(page, one_of_each_digit, attempt(1))]
    assert first_save.value.post_data_json["writer"] == "Ada Teach"
    assert first_save.value.post_data_json["label"] == taught[0]
    for number in range(2, 10):
        taught.append(draw_what_is_asked(page, one_of_each_digit, attempt(number)))
    taught.append(draw_what_is_asked(page, one_of_each_digit, "#prompt:has-text('Test round: draw a')"))
    assert sorted(taught) == list(range(10))
    for number in range(1, 11):
        with page.expect_request("**/api/predict*") as reading:
            draw_what_is_asked(page, one_of_each_digit, attempt(number))
        assert "writer=Ada+Teach" in reading.value.url
    page.wait_for_selector("#teach-score:has-text('Adapted to Ada Teach: 10 of 10')")
    assert page.inner_text("#teach-score").startswith("Before adapting: ")

    page.click("nav >> text=Draw")
    page.wait_for_selector(EMPTY, state="attached")
    assert page.input_value("#writer") == "Ada Teach"
    draw_with_mouse(page, one_of_each_digit[3]["strokes"])
    assert answer(page) == "3"
    page.wait_for_selector("#adapted-note:has-text('Adapted to Ada Teach (10 drawings)')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#forget-me")
    page.wait_for_selector("#writer-status:has-text(\"Forgot Ada Teach's drawings.\")")
    wait_until(page, lambda: page.is_hidden("#adapted-note"))


def test_the_page_shows_both_answers_when_adapting_changes_the_digit(open_page, server_url):
    for strokes, label in ((ONE, 7), (SEVEN, 1)):
        request = urllib.request.Request(f"{server_url}/api/samples", method="POST",
                                         headers={"Content-Type": "application/json"},
                                         data=json.dumps({"image": data_url(drawing_png(strokes)), "label": label,
                                                          "strokes": strokes, "writer": "Swapped"}).encode())
        assert urllib.request.urlopen(request).status == 201
    page = open_page(DESKTOP).page
    draw_with_mouse(page, ONE)
    assert answer(page) == "1"
    assert page.is_hidden("#adapted-note") and page.is_hidden("#forget-me")
    page.fill("#writer", "Swapped")
    page.press("#writer", "Tab")
    page.wait_for_selector("#adapted-note:has-text('the general model reads 1')")
    assert page.inner_text("#digit") == "7"
    assert page.inner_text("#adapted-note") == "Adapted to Swapped (2 drawings); the general model reads 1."
    assert page.is_visible("#forget-me")
