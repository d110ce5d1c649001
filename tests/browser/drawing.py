"""Screen sizes, and drawing on the page's pad with real mouse and touch input.

What the benchmarks need too (the desktop size, the mouse) lives in :mod:`bench.browser`.
"""

from bench.browser import DESKTOP, EMPTY, READY, draw_with_mouse, on_screen  # noqa: F401
from webapp.pad import PAD_SIZE  # noqa: F401

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


def answer(page):
    """Wait for the answer to the drawing on the pad and return the digit shown."""
    page.wait_for_selector(READY, state="attached")
    return page.inner_text("#digit")
