"""What the tests share: digits as pen strokes, and pictures encoded the way requests carry them."""

import base64
import io

from webapp import create_app
from webapp.strokes import render_strokes

SEVEN = [[[60, 60, 0], [200, 60, 120], [110, 230, 260]]]
ONE = [[[140, 40, 0], [140, 240, 200]]]
FOUR = [[[150, 40], [60, 170], [210, 170]], [[170, 100], [170, 250]]]


def encoded(image, format="PNG", **options):
    """A PIL image as the bytes of an image file."""
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def drawing_png(strokes):
    """Strokes drawn like the page draws them, as PNG bytes."""
    return encoded(render_strokes(strokes))


def data_url(data, media_type="image/png"):
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def fresh_app(folder, **settings):
    """An app with the shipped model and its own empty samples database in ``folder``."""
    return create_app({"TESTING": True, "SAMPLES_DB": str(folder / "lab" / "samples.sqlite3"), **settings})


def save(client, strokes, label, writer=None, **headers):
    """Save a drawing of ``strokes`` labelled ``label`` (under ``writer``'s name, if given) through the API."""
    body = {"image": data_url(drawing_png(strokes)), "label": label, "strokes": strokes}
    if writer is not None:
        body["writer"] = writer
    return client.post("/api/samples", json=body, headers=headers)
