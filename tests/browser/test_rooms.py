"""Room mode in the browser: a phone joins and draws by touch, the wall shows it live, hiding, catching up."""

import json
import urllib.request

from tests.browser.drawing import DESKTOP, PHONE, SCREENSHOTS, draw_with_finger, wait_until
from tests.helpers import ONE, data_url, drawing_png


def api(server_url, method, path, body=None):
    request = urllib.request.Request(server_url + path, method=method, headers={"Content-Type": "application/json"},
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def open_room(server_url):
    return api(server_url, "POST", "/api/rooms")["room"]


def send_from_elsewhere(server_url, room, phone):
    body = {"image": data_url(drawing_png(ONE)), "strokes": ONE}
    request = urllib.request.Request(f"{server_url}/api/rooms/{room}/drawings", method="POST",
                                     headers={"Content-Type": "application/json", "X-Client-Id": phone},
                                     data=json.dumps(body).encode())
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["id"]


def cards(page):
    return page.eval_on_selector_all("#wall-grid li", "items => items.map(item => Number(item.dataset.id))")


def test_a_phone_joins_and_draws_by_touch_and_the_wall_shows_it(open_page, server_url, one_of_each_digit):
    room = open_room(server_url)
    wall = open_page(DESKTOP, f"/room/{room}/present").page
    phone = open_page(PHONE, f"/room/{room.lower()}").page
    assert phone.inner_text(".room-code") == room
    draw_with_finger(phone, one_of_each_digit[7]["strokes"])
    phone.fill("#writer", "Ann")
    phone.press("#writer", "Tab")
    phone.select_option("#label", "7")
    phone.click("#send")
    phone.wait_for_selector("#room-status:has-text('Sent! The model read 7')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    wall.wait_for_selector("#wall-grid li .wall-answer:has-text('7 · ')")
    assert wall.inner_text("#wall-grid li .wall-answer").endswith("✓")
    assert wall.inner_text("#wall-grid li .wall-writer") == "Ann"
    wall.wait_for_selector("#labelled-accuracy:has-text('Read right: 1 of 1')")
    assert wall.is_visible("#room-qr") and wall.inner_text("#join-url").endswith(f"/room/{room}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "room-phone-360x640.png"), full_page=True)
    wall.screenshot(path=str(SCREENSHOTS / "room-wall-1280x800.png"))


def test_hiding_a_drawing_takes_it_off_the_wall(open_page, server_url):
    room = open_room(server_url)
    kept, hidden = (send_from_elsewhere(server_url, room, phone) for phone in ("a", "b"))
    wall = open_page(DESKTOP, f"/room/{room}/present").page
    wait_until(wall, lambda: cards(wall) == [hidden, kept])
    wall.click(f"#wall-grid li[data-id='{hidden}'] .wall-hide")
    wait_until(wall, lambda: cards(wall) == [kept])
    wall.once("dialog", lambda dialog: dialog.accept())
    wall.click("#close-room")
    wall.wait_for_selector("#wall-status:has-text('This room is closed.')")


def test_a_wall_that_reconnects_catches_up_on_what_it_missed(open_page, server_url):
    room = open_room(server_url)
    first = send_from_elsewhere(server_url, room, "a")
    watch = open_page(DESKTOP, f"/room/{room}/present")
    wall = watch.page
    wait_until(wall, lambda: cards(wall) == [first])
    held = []
    wall.route("**/api/rooms/*/events", lambda route: held.append(route))
    wait_until(wall, lambda: held, seconds=10)
    missed = [send_from_elsewhere(server_url, room, phone) for phone in ("b", "c")]
    assert cards(wall) == [first]
    held[0].continue_()
    wall.unroute("**/api/rooms/*/events")
    wait_until(wall, lambda: cards(wall) == [*missed[::-1], first])
    for _ in range(2):
        with wall.expect_request("**/api/rooms/*/events", timeout=60_000):
            pass
    assert cards(wall) == [*missed[::-1], first]

