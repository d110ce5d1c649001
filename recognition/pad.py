"""How the drawing pad draws: one definition for the page, the renderer and training.

The page reads these values from data attributes on the canvas, so a digit
rendered by :mod:`recognition.strokes` looks exactly like one drawn in the browser.
"""

PAD_SIZE = 280
"""Side of the square bitmap the page sends, in pixels, whatever its size on screen."""

PEN_WIDTHS = {"thin": 10, "normal": 18, "bold": 28}
"""Line widths in pad pixels; "normal" is the page's pen."""

PEN_WIDTH = PEN_WIDTHS["normal"]

FIT_MARGIN = 40
"""Margin used when a recorded trajectory is fitted onto the pad."""

NUMBER_PAD = (840, 280)
"""The wide pad numbers are written on, in pad pixels: three digit pads side by side."""
