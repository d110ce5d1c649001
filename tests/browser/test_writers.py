"""One writer's handwriting in the browser: teach mode, the adapted answer, the save row, switching person, forgetting."""

import json
import urllib.request

from tests.browser.drawing import (
    DESKTOP,
    EMPTY,
    PHONE,
    READY,
    answer,
    asked_digit,
    draw_stroke_by_stroke,
    draw_with_mouse,
    wait_until,
)
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


def test_teach_mode_saves_each_digit_then_shows_before_and_after_per_digit(open_page, one_of_each_digit):
    watch = open_page(DESKTOP, "/session?teach")
    page = watch.page
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    assert page.inner_text("h2#session-heading") == "Teach it your handwriting"
    assert page.locator("#teach, #save-drawings").count() == 0 and page.input_value("#repeats") == "3"
    page.click("#start")
    page.wait_for_selector("#prompt:has-text('Who')")
    page.fill("#writer", "Ada Teach")
    page.press("#writer", "Tab")
    page.select_option("#repeats", "1")
    page.click("#start")
    page.wait_for_selector("#prompt:has-text('Teaching, Ada Teach: draw a')")
    taught = [draw_what_is_asked(page, one_of_each_digit, attempt(1))]
    with page.expect_request("**/api/samples") as first_save:
        taught.append(draw_what_is_asked(page, one_of_each_digit, attempt(2)))
    assert first_save.value.post_data_json["writer"] == "Ada Teach"
    assert first_save.value.post_data_json["label"] == taught[0] and "writer_key" not in first_save.value.post_data_json
    with page.expect_request("**/api/samples") as second_save:
        taught.append(draw_what_is_asked(page, one_of_each_digit, attempt(3)))
    assert second_save.value.post_data_json["writer_key"] == stored_keys(page)["Ada Teach"]
    for number in range(4, 10):
        taught.append(draw_what_is_asked(page, one_of_each_digit, attempt(number)))
    taught.append(draw_what_is_asked(page, one_of_each_digit, "#handover:visible"))
    assert sorted(taught) == list(range(10))
    assert page.inner_text("#handover-text").startswith("You drew 10 digits as Ada Teach.")
    assert page.inner_text("#per-digit").count("/1") == 10
    page.click("#start-check")
    page.wait_for_selector("#prompt:has-text('Test round: draw a')")
    assert page.inner_text("#progress") == "0 of 10 attempts."
    for number in range(1, 11):
        with page.expect_request("**/api/predict*") as reading:
            draw_what_is_asked(page, one_of_each_digit, attempt(number))
        assert "writer=Ada+Teach" in reading.value.url
        assert reading.value.headers["x-writer-key"] == stored_keys(page)["Ada Teach"]
    page.wait_for_selector("#teach-result:visible")
    assert "Adapted to Ada Teach: 10 of 10." in page.inner_text("#teach-score")
    rows = page.locator("#before-after tr")
    assert rows.count() == 11
    assert [rows.nth(d + 1).locator("th").inner_text() for d in range(10)] == [str(d) for d in range(10)]
    assert all(rows.nth(d + 1).locator("td").nth(1).inner_text() == f"{d} ✓" for d in range(10))
    assert len([url for url in watch.requests if url.endswith("/api/samples")]) == 10

    page.click("nav >> text=Draw")
    page.wait_for_selector(EMPTY, state="attached")
    assert page.input_value("#writer") == "Ada Teach"
    draw_with_mouse(page, one_of_each_digit[3]["strokes"])
    assert answer(page) == "3"
    page.wait_for_selector("#adapted-note:has-text('Adapted to Ada Teach (10 drawings)')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#forget-me")
    page.wait_for_selector("#writer-status:has-text('Forgot Ada Teach: 10 drawings deleted')")
    wait_until(page, lambda: page.is_hidden("#adapted-note"))
    assert page.input_value("#writer") == "" and page.is_hidden("#forget-me")
    assert page.evaluate("[localStorage.getItem('digitpad-writer'), localStorage.getItem('digitpad-writer-keys')]") \
        == [None, "{}"]


def test_the_page_shows_both_answers_when_adapting_changes_the_digit(open_page, server_url):
    key = None
    for strokes, label in ((ONE, 7), (SEVEN, 1)):
        request = urllib.request.Request(f"{server_url}/api/samples", method="POST",
                                         headers={"Content-Type": "application/json"},
                                         data=json.dumps({"image": data_url(drawing_png(strokes)), "label": label,
                                                          "strokes": strokes, "writer": "Swapped",
                                                          "writer_key": key}).encode())
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
            key = key or json.loads(response.read())["writer_key"]
    page = open_page(DESKTOP).page
    draw_with_mouse(page, ONE)
    assert answer(page) == "1"
    assert page.is_hidden("#adapted-note") and page.is_hidden("#forget-me")
    page.fill("#writer", "Swapped")
    page.press("#writer", "Tab")
    page.wait_for_selector("#forget-me:visible")
    assert page.is_hidden("#adapted-note"), "a name without its key must not be adapted to"
    page.evaluate("key => localStorage.setItem('digitpad-writer-keys', JSON.stringify({Swapped: key}))", key)
    page.fill("#writer", "Swapped ")
    page.press("#writer", "Tab")
    page.wait_for_selector("#adapted-note:has-text('the general model reads 1')")
    assert page.inner_text("#digit") == "7"
    assert page.inner_text("#adapted-note") == "Adapted to Swapped (2 drawings); the general model reads 1."


def test_the_save_row_waits_until_the_digit_is_finished(open_page, one_of_each_digit):
    watch = open_page(DESKTOP, "/", clock=True)
    page = watch.page
    seven = one_of_each_digit[7]["strokes"]

    def pause_between_strokes():
        page.clock.run_for(2000)
        page.wait_for_selector(READY, state="attached")
        assert page.is_hidden("#labeler")

    draw_stroke_by_stroke(page, seven, pause_between_strokes)
    pause_between_strokes()
    page.clock.run_for(1000)
    page.wait_for_selector("#labeler:visible")
    assert page.locator("#labeler button.suggested").count() == 0
    assert "Click the digit you drew" in page.inner_text("#labeler-prompt")
    page.keyboard.press("7")
    assert page.inner_text("#save-status") == ""
    assert not [url for url in watch.requests if url.endswith("/api/samples")]
    page.check("#labelling")
    page.keyboard.press("7")
    page.wait_for_selector("#save-status:has-text('Saved as 7')")


def test_the_save_row_speaks_to_phones_as_phones(open_page):
    page = open_page(PHONE).page
    assert "Tap the digit you drew" in page.inner_text("#labeler-prompt")
    assert page.is_hidden("#labelling")


def test_switching_person_on_a_shared_laptop_leaves_no_trace_of_the_previous_name(open_page, one_of_each_digit):
    page = open_page(DESKTOP, "/", clock=True).page
    page.fill("#writer", "Shared Laptop Ann")
    page.press("#writer", "Tab")
    draw_with_mouse(page, one_of_each_digit[4]["strokes"])
    page.clock.run_for(3000)
    page.wait_for_selector("#labeler:visible")
    page.click("#labeler button[data-label='4']")
    page.wait_for_selector("#save-status:has-text('Saved as 4 for Shared Laptop Ann')")
    assert "Shared Laptop Ann" in stored_keys(page)
    page.click("#new-person")
    assert page.input_value("#writer") == "" and page.is_hidden("#forget-me")
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('digitpad-writer'))") == []
    page.reload()
    page.wait_for_selector(EMPTY, state="attached")
    assert page.input_value("#writer") == ""
    page.goto(page.url + "session")
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    assert page.input_value("#writer") == ""


def stored_keys(page):
    return page.evaluate("JSON.parse(localStorage.getItem('digitpad-writer-keys') || '{}')")
