"""Screen sizes, and drawing on the page's pad with real mouse and touch input.

What the benchmarks need too (the desktop size, the mouse) lives in :mod:`bench.browser`.
"""

import time
from pathlib import Path

from bench.browser import DESKTOP, EMPTY, READY, draw_with_mouse, on_screen  # noqa: F401
from recognition.pad import PAD_SIZE

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
"""Where the browser tests leave the screenshots the README shows (copied to docs/)."""

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


def draw_with_finger(page, strokes):
    session = page.context.new_cdp_session(page)
    for stroke in on_screen(page, strokes):
        for index, (x, y) in enumerate(stroke):
            kind = "touchStart" if index == 0 else "touchMove"
            session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def draw_stroke_by_stroke(page, strokes, between):
    """Draw recorded strokes like :func:`draw_with_mouse`, calling ``between()`` after each stroke but the last."""
    placed = on_screen(page, strokes)
    for number, stroke in enumerate(placed, start=1):
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*point)
        page.mouse.up()
        if number < len(placed):
            between()


def answer(page):
    """Wait for the answer to the drawing on the pad and return the digit shown."""
    page.wait_for_selector(READY, state="attached")
    return page.inner_text("#digit")


def move_mouse(page, points):
    """Move the mouse through points given in pad pixels, whatever the pad's size on screen."""
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / PAD_SIZE
    for x, y in points:
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)


def pen_down(page, point):
    """Press the mouse button at a point in pad pixels and keep it pressed."""
    move_mouse(page, [point])
    page.mouse.down()


INKED_PIXELS = """async ([squares]) => {
    await new Promise(requestAnimationFrame);
    const pad = document.getElementById('pad');
    const scale = pad.width / Number(pad.dataset.size);
    const pixels = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
    const inked = (left, top, side) => {
        let count = 0;
        for (let y = Math.max(0, Math.floor(top)); y < Math.min(pad.height, top + side); y += 1) {
            for (let x = Math.max(0, Math.floor(left)); x < Math.min(pad.width, left + side); x += 1) {
                count += pixels[4 * (y * pad.width + x) + 3] > 128;
            }
        }
        return count;
    };
    return squares.map(([x, y, radius]) => inked((x - radius) * scale, (y - radius) * scale, 2 * radius * scale));
}"""


def inked_pixels(page, near=None, radius=8):
    """Screen pixels of the pad holding ink once it has redrawn: in all of it, or for each of the
    pad points ``near`` in a square around it, read from one snapshot."""
    squares = [[x, y, radius] for x, y in near] if near else [[PAD_SIZE / 2, PAD_SIZE / 2, PAD_SIZE / 2]]
    counts = page.evaluate(INKED_PIXELS, [squares])
    return counts if near else counts[0]


def wait_until(page, condition, seconds=10):
    """Let the page run until condition() is true; fail after the given seconds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {seconds} s"
        page.wait_for_timeout(20)


def start_session(page):
    """On the test-yourself page, once its script has run: a session asking for each digit once."""
    page.wait_for_selector("#progress:has-text('0 of 0 attempts.')")
    page.select_option("#repeats", "1")
    page.click("#start")


def asked_digit(page):
    """The digit the test-yourself page asks for now."""
    return int(page.inner_text("#prompt").split()[-1])


def write_with_mouse(page, strokes, pad_size):
    """Draw strokes given in the pixels of a pad of ``pad_size`` (width, height) with a real mouse, whatever the
    pad's size on screen."""
    box = page.locator("#pad").bounding_box()
    scale_x, scale_y = box["width"] / pad_size[0], box["height"] / pad_size[1]
    for stroke in strokes:
        points = [(box["x"] + x * scale_x, box["y"] + y * scale_y) for x, y, *_ in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()
