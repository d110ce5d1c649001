"""Headless Chromium for the browser tests and benchmarks: how it starts, and drawing on the pad with a real mouse."""

from recognition.pad import PAD_SIZE
from recognition.strokes import fit_to_pad

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
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
