"""Screen sizes, and drawing on the page's pad with real mouse and touch input."""

from webapp.pad import PAD_SIZE
from webapp.strokes import fit_to_pad

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
READY = '.result[data-state="ready"]'
EMPTY = '.result[data-state="empty"]'


def on_screen(page, strokes):
    """Recorded strokes fitted onto the pad like the renderer does, in page coordinates."""
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / PAD_SIZE
    return [[(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke] for stroke in fit_to_pad(strokes)]


def draw_with_mouse(page, strokes):
    for stroke in on_screen(page, strokes):
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*point)
        page.mouse.up()


def draw_with_finger(page, strokes):
    session = page.context.new_cdp_session(page)
    for stroke in on_screen(page, strokes):
        for index, (x, y) in enumerate(stroke):
            kind = "touchStart" if index == 0 else "touchMove"
            session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def answer(page):
    """Wait for the answer to the drawing on the pad and return the digit shown."""
    page.wait_for_selector(READY, state="attached")
    return page.inner_text("#digit")
