"""Room mode in the browser: a phone joins and draws by touch, the wall shows it live, hiding, catching up."""

import http.client
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
    wall.route("**/api/rooms/*/events*", lambda route: held.append(route))
    wait_until(wall, lambda: held, seconds=10)
    missed = [send_from_elsewhere(server_url, room, phone) for phone in ("b", "c")]
    assert cards(wall) == [first]
    held[0].continue_()
    wall.unroute("**/api/rooms/*/events*")
    wait_until(wall, lambda: cards(wall) == [*missed[::-1], first])
    for _ in range(2):
        with wall.expect_request("**/api/rooms/*/events*", timeout=60_000):
            pass
    assert cards(wall) == [*missed[::-1], first]



def test_a_wall_whose_stream_got_a_503_reconnects_and_catches_up(open_page, server_url):
    room = open_room(server_url)
    first = send_from_elsewhere(server_url, room, "a")
    watch = open_page(DESKTOP, f"/room/{room}/present")
    watch.allow("error: Failed to load resource: the server responded with a status of 503 (Service Unavailable)")
    wall = watch.page
    wait_until(wall, lambda: cards(wall) == [first])
    refused = []

    def refuse(route):
        refused.append(route.request.url)
        route.fulfill(status=503, content_type="application/json", body='{"error": "database unavailable"}')

    wall.route("**/api/rooms/*/events*", refuse)
    wait_until(wall, lambda: refused, seconds=10)
    wall.wait_for_selector("#wall-status:has-text('Reconnecting…')")
    missed = send_from_elsewhere(server_url, room, "b")
    wall.unroute("**/api/rooms/*/events*")
    wait_until(wall, lambda: cards(wall) == [missed, first], seconds=30)
    wall.wait_for_selector("#wall-status:text-is('')", state="attached")


def test_a_room_started_from_the_drawing_page_opens_its_wall_and_closes_there(open_page):
    watch = open_page(DESKTOP, "/?present")
    page = watch.page
    with page.context.expect_page() as opened:
        page.click("#start-room")
    wall = opened.value
    wall.wait_for_load_state()
    room = page.inner_text("#room-started").split()[1]
    assert wall.url.endswith(f"/room/{room}/present") and wall.inner_text(".room-code") == room
    assert wall.is_visible("#unreachable")
    page.screenshot(path=str(SCREENSHOTS / "room-started-1280x800.png"))
    wall.screenshot(path=str(SCREENSHOTS / "room-wall-unreachable-1280x800.png"))
    page.click(f"#room-started button:has-text('Close room {room}')")
    page.wait_for_selector(f"#room-started:has-text('Room {room} is closed.')")
    wall.wait_for_selector("#wall-status:has-text('This room is closed.')")


def send_many(server_url, room, count):
    """``count`` drawings from phones spread over loopback addresses, as a class's phones are over its network."""
    body = json.dumps({"image": data_url(drawing_png(ONE)), "strokes": ONE, "label": 1})
    host, port = server_url.removeprefix("http://").split(":")
    for n in range(count):
        connection = http.client.HTTPConnection(host, int(port), source_address=(f"127.0.2.{1 + n % 50}", 0))
        connection.request("POST", f"/api/rooms/{room}/drawings", body=body,
                           headers={"Content-Type": "application/json", "X-Client-Id": f"phone-{n}"})
        assert connection.getresponse().status == 201
        connection.close()


LINES_OF_EACH_PART = """address => [...address.querySelectorAll("span")].map(part => {
    const range = document.createRange();
    range.selectNodeContents(part);
    return new Set([...range.getClientRects()].map(line => Math.round(line.top))).size;
})"""


def assert_the_join_address_breaks_only_before_room(wall, server_url, room):
    """The address reads whole: at most two lines, the second starting at "/room/"."""
    assert wall.text_content("#join-url") == f"{server_url}/room/{room}"
    assert wall.eval_on_selector("#join-url", LINES_OF_EACH_PART) == [1, 1]


def test_a_wall_with_200_drawings_fits_a_projector_without_scrolling(open_page, server_url):
    room = open_room(server_url)
    wall = open_page(DESKTOP, f"/room/{room}/present").page
    assert wall.is_visible("#wall-waiting")
    send_many(server_url, room, 200)
    for width, height in ((1280, 720), (1920, 1080)):
        wall.set_viewport_size({"width": width, "height": height})
        wall.wait_for_selector("#drawing-count:text-is('(200)')")
        wait_until(wall, lambda: wall.evaluate("document.documentElement.scrollHeight") <= height)
        assert wall.evaluate("document.documentElement.scrollWidth") <= width
        assert not wall.is_visible("#wall-waiting")
        assert wall.eval_on_selector("#room-qr", "qr => qr.getBoundingClientRect().height") >= height / 4
        assert wall.eval_on_selector(".wall-join .room-code", "code => parseFloat(getComputedStyle(code).fontSize)") >= 48
        assert_the_join_address_breaks_only_before_room(wall, server_url, room)
        assert wall.eval_on_selector("#join-url", "address => parseFloat(getComputedStyle(address).fontSize)") >= 20
        shown = wall.eval_on_selector_all("#wall-grid li:not([hidden])", "items => items.map(item => "
                                          "item.getBoundingClientRect().bottom)")
        assert shown and max(shown) <= height
        assert wall.inner_text("#labelled-accuracy").startswith("Read right:") and "of 200" in wall.inner_text(
            "#labelled-accuracy")
        wall.screenshot(path=str(SCREENSHOTS / f"room-wall-200-{width}x{height}.png"))
    wall.set_viewport_size({"width": 360, "height": 640})
    wait_until(wall, lambda: wall.evaluate("document.documentElement.scrollWidth") <= 360)
    assert_the_join_address_breaks_only_before_room(wall, server_url, room)


def test_a_phone_sees_the_instructions_and_its_send_stops_when_the_room_closes(open_page, server_url):
    room = open_room(server_url)
    phone = open_page(PHONE, f"/room/{room}").page
    assert phone.is_visible(".room-instructions")
    assert phone.evaluate("document.querySelector('#label').getBoundingClientRect().bottom") < phone.evaluate(
        "document.querySelector('#send').getBoundingClientRect().top")
    api(server_url, "DELETE", f"/api/rooms/{room}")
    phone.wait_for_selector("#room-status:has-text('This room is closed.')")
    assert phone.is_disabled("#send")


def test_the_join_page_takes_a_typed_code(open_page, server_url):
    room = open_room(server_url)
    watch = open_page(PHONE, "/room/ACDEF3")
    watch.allow("error: Failed to load resource: the server responded with a status of 404 (NOT FOUND)")
    page = watch.page
    page.fill("#code", room.lower())
    page.click("button:has-text('Join')")
    page.wait_for_selector(f".room-code:text-is('{room}')")
    page.screenshot(path=str(SCREENSHOTS / "room-phone-joined-360x640.png"))


def test_a_phone_sees_the_prompt_and_sends_it_as_its_label_by_touch(open_page, server_url, one_of_each_digit):
    room = open_room(server_url)
    wall = open_page(DESKTOP, f"/room/{room}/present").page
    wall.select_option("#prompt-choice", "7")
    wall.wait_for_selector("#wall-prompt:has-text('Everyone draw a 7')")
    phone = open_page(PHONE, f"/room/{room}").page
    phone.wait_for_selector("#room-prompt:has-text('Everyone draw a 7')")
    assert phone.input_value("#label") == "7"
    draw_with_finger(phone, one_of_each_digit[7]["strokes"])
    phone.click("#send")
    phone.wait_for_selector("#room-status:has-text('Sent!')")
    assert phone.input_value("#label") == "7"
    wall.wait_for_selector("#labelled-accuracy:has-text('of 1 drawings sent with the digit they meant')")
    phone.screenshot(path=str(SCREENSHOTS / "room-phone-prompt-360x640.png"))

