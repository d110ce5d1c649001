"""Draw recorded pen trajectories the way the page's canvas draws them.

A stroke is a list of ``[x, y]`` points (extra values such as timestamps are
ignored); a drawing is a list of strokes. Lines have round caps and joins and
are anti-aliased by drawing at four times the size and shrinking.
"""

from PIL import Image, ImageDraw

from recognition.pad import FIT_MARGIN, PAD_SIZE, PEN_WIDTH

SUPERSAMPLE = 4


def render_strokes(strokes, pen_width=PEN_WIDTH, size=PAD_SIZE):
    """Dark ink on a white pad, strokes given in pad pixels; ``size`` is the side of a square pad, or the
    (width, height) of a wide one."""
    width, height = (size, size) if isinstance(size, int) else size
    scale = SUPERSAMPLE
    canvas = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(canvas)
    radius = pen_width * scale / 2
    for stroke in strokes:
        points = [(x * scale, y * scale) for x, y, *_ in stroke]
        if len(points) > 1:
            draw.line(points, fill=0, width=round(pen_width * scale), joint="curve")
        for x, y in points:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return canvas.resize((width, height), Image.Resampling.BOX)


def fit_to_pad(strokes, size=PAD_SIZE, margin=FIT_MARGIN):
    """Scale and centre strokes from any coordinate system so their bounding box fills the pad inside a margin."""
    xs = [x for stroke in strokes for x, *_ in stroke]
    ys = [y for stroke in strokes for _, y, *_ in stroke]
    left, top = min(xs), min(ys)
    extent = max(max(xs) - left, max(ys) - top, 1)
    scale = (size - 2 * margin) / extent
    offset_x = (size - (max(xs) - left) * scale) / 2
    offset_y = (size - (max(ys) - top) * scale) / 2
    return [[[(x - left) * scale + offset_x, (y - top) * scale + offset_y] for x, y, *_ in stroke]
            for stroke in strokes]


def render_recorded(strokes, pen_width=PEN_WIDTH, size=PAD_SIZE):
    """A recorded drawing fitted onto the pad and drawn with the given pen."""
    return render_strokes(fit_to_pad(strokes, size), pen_width, size)
