"""The handwriting lab in the browser: save with a label, browse and delete, run a test session."""

import base64
import io
import json
import urllib.request
from urllib.parse import unquote

from PIL import Image

from bench.memory import digit_picture
from bench.server import running_server
from tests.browser.drawing import DESKTOP, answer, draw_with_mouse


def test_save_a_drawing_then_find_and_delete_it(open_page, one_of_each_digit):
    page = open_page(DESKTOP).page
    record = one_of_each_digit[4]
    draw_with_mouse(page, record["strokes"])
    read = answer(page)
    page.click(f"#labeler button[data-label='{record['label']}']")
    page.wait_for_selector("#save-status:has-text('Saved as 4')")
    page.check("#labelling")
    page.keyboard.press("Escape")
    draw_with_mouse(page, one_of_each_digit[1]["strokes"])
    answer(page)
    page.wait_for_selector("#labeler:visible")
    page.keyboard.press("7")
    page.wait_for_selector("#save-status:has-text('Saved as 7')")

    page.click("nav >> text=Saved")
    page.wait_for_selector("#samples li")
    cards = page.locator("#samples li")
    assert cards.count() >= 2
    assert cards.first.inner_text().startswith("7 · read")
    assert f"4 · read {read}" in cards.nth(1).inner_text()
    page.check("#mistakes-only")
    page.wait_for_selector("#samples-status:has-text('saved drawing')")
    mistakes = page.locator("#samples li p").all_inner_texts()
    assert mistakes and all(not text.startswith("7 · read 7") for text in mistakes)
    before = page.locator("#samples li").count()
    page.locator("#samples li button").first.click()
    page.locator("#samples li").nth(before - 1).wait_for(state="detached")
    assert page.locator("#samples li").count() == before - 1


def test_a_test_session_keeps_score_and_exports_csv(open_page, one_of_each_digit):
    page = open_page(DESKTOP, "/session").page
    page.select_option("#repeats", "1")
    page.click("#start")
    for attempt in range(1, 11):
        asked = int(page.inner_text("#prompt").removeprefix("Draw a "))
        draw_with_mouse(page, one_of_each_digit[asked]["strokes"])
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#progress:has-text('Attempt {attempt} of 10')")
    assert page.inner_text("#prompt").startswith("Done:")
    right = int(page.inner_text("#accuracy").split(" of ")[0])
    assert right >= 9
    assert page.locator("#confusion td.hit").count() >= 9
    href = page.get_attribute("#download-csv", "href")
    lines = unquote(href.split(",", 1)[1]).strip().splitlines()
    assert lines[0].startswith("attempt,asked,read,correct,confidence,p0")
    assert len(lines) == 11


TOKEN = "open sesame, says me"


def test_the_saved_page_asks_for_the_admin_token_when_the_server_wants_it(chromium, tmp_path):
    """A client the server does not count as local (here: one a proxy forwarded) must give the token."""
    env = {"SAMPLES_DB": str(tmp_path / "samples.sqlite3"), "ADMIN_TOKEN": TOKEN}
    with running_server(env=env) as (url, _):
        context = chromium.new_context(**DESKTOP, extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
        try:
            page = context.new_page()
            page.goto(url + "/samples")
            page.wait_for_selector("#admin-token:not([hidden])")
            assert "private" in page.inner_text("#samples-status")
            page.get_by_label("Admin token").fill("wrong guess")
            page.get_by_role("button", name="Show drawings").click()
            page.wait_for_selector("#admin-token:not([hidden])")
            page.get_by_label("Admin token").fill(TOKEN)
            page.get_by_role("button", name="Show drawings").click()
            page.wait_for_selector("#samples-status:has-text('Nothing saved yet')")
            assert page.is_hidden("#admin-token")
            page.reload()
            page.wait_for_selector("#samples-status:has-text('Nothing saved yet')")
            assert page.is_hidden("#admin-token")
            with page.expect_download() as download:
                page.click("#export")
            assert download.value.suggested_filename.endswith(".zip")
        finally:
            context.close()


def test_a_large_phone_photo_is_saved_upright_and_scaled(open_page, server_url, tmp_path):
    """Sent whole as base64, a 6.6-MB photo would pass the 8-MB limit; the page sends the picture the server reads."""
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "photo.jpg"
    digit_picture(3000, 4000, grain=20).rotate(90, expand=True).save(photo, quality=95, exif=exif.tobytes())
    assert 6_400_000 < photo.stat().st_size < 8_000_000
    page = open_page(DESKTOP).page
    page.set_input_files("#upload", str(photo))
    assert answer(page) == "7"
    page.click("#labeler button[data-label='7']")
    page.wait_for_selector("#save-status:has-text('Saved as 7')")
    sample_id = int(page.inner_text("#save-status").split("#", 1)[1].split(",", 1)[0])
    with urllib.request.urlopen(f"{server_url}/api/samples?per_page=100", timeout=10) as response:
        saved = next(s for s in json.load(response)["samples"] if s["id"] == sample_id)
    picture = Image.open(io.BytesIO(base64.b64decode(saved["image"].split(",", 1)[1])))
    assert picture.size == (420, 560)
