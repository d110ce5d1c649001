"""What the tests share: digits as pen strokes, pictures encoded the way requests carry them, bursts of saves."""

import base64
import http.client
import io
import json
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import numpy as np

from recognition.pad import NUMBER_PAD
from recognition.strokes import render_strokes
from webapp import create_app
from webapp.storage import connections

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


@contextmanager
def another_worker(app, folder, **settings):
    """A second app on ``app``'s database, as another worker (or host) would be; its connections closed after."""
    database = connections.database(app)
    shared = {"DATABASE_URL": database.url} if database.backend == "postgresql" else {"SAMPLES_DB": str(database.path)}
    other = fresh_app(folder, **shared, **settings)
    yield other
    if hasattr(connections.database(other), "close"):
        connections.database(other).close()


def save(client, strokes, label, writer=None, key=None, **headers):
    """Save a drawing of ``strokes`` labelled ``label`` (under ``writer``'s name with its ``key``, if given)
    through the API."""
    body = {"image": data_url(drawing_png(strokes)), "label": label, "strokes": strokes}
    if writer is not None:
        body["writer"] = writer
    if key is not None:
        body["writer_key"] = key
    return client.post("/api/samples", json=body, headers=headers)


class Keys(dict):
    """The writer keys a test was given, by name: what a browser keeps after its first save under a name."""

    def save(self, client, strokes, label, writer, **headers):
        """Save as ``writer`` with the key kept for them, keeping the key the first save is answered with."""
        response = save(client, strokes, label, writer=writer, key=self.get(writer), **headers)
        if response.status_code == 201 and "writer_key" in response.get_json():
            self[writer] = response.get_json()["writer_key"]
        return response


def seven_sample_body():
    """A save request's JSON body: a drawn 7."""
    return json.dumps({"image": data_url(drawing_png(SEVEN)), "label": 7, "strokes": SEVEN})


def burst_of_saves(url, acknowledged, enough, stop, seconds=90):
    """Save until the connection dies (or time runs out), recording every id the server acknowledged."""
    address = urlsplit(url)
    payload = seven_sample_body()
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
            connection.request("POST", "/api/samples", body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            if response.status != 201:
                return
            acknowledged.append(json.loads(response.read())["id"])
            if len(acknowledged) >= 40:
                enough.set()
        except (OSError, http.client.HTTPException):
            return


def all_ids(url):
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    ids, pages, page = set(), 1, 1
    while page <= pages:
        connection.request("GET", f"/api/samples?page={page}&per_page=100")
        listing = json.loads(connection.getresponse().read())
        ids.update(sample["id"] for sample in listing["samples"])
        pages = listing["pages"]
        page += 1
    return ids


def ids_acknowledged_before_a_sigkill(url, process, clients=4):
    """Save from several clients at once, SIGKILL the server after 40 acknowledgements; the acknowledged ids."""
    acknowledged, enough, stop = [], threading.Event(), threading.Event()
    threads = [threading.Thread(target=burst_of_saves, args=(url, acknowledged, enough, stop)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=60), "the saves did not get going"
    process.kill()
    process.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    assert len(acknowledged) >= 40
    return set(acknowledged)


NUMBER_HEIGHT, NUMBER_BASE = 120, 200


def pen_drawing(drawings, label, strokes, writer=25):
    """The first pen-drawn ``label`` of ``strokes`` strokes by ``writer``, else by the next writer who drew one."""
    for candidate in [writer, *range(writer + 1, 31), *range(1, writer)]:
        found = [d for d in drawings
                 if d["label"] == label and d["writer"] == candidate and len(d["strokes"]) == strokes]
        if found:
            return found[0]
    raise LookupError(f"no drawing of {label} in {strokes} strokes")


def written_number(records, gaps, left=60, pen=18):
    """Each drawing's strokes (lists of [x, y, t]) scaled to NUMBER_HEIGHT and set on a line at NUMBER_BASE, with
    ``gaps`` (in heights, negative for an overlap) between the digits' ink: a list of strokes per digit."""
    digits, clock = [], 0
    for index, record in enumerate(records):
        arrays = [np.asarray(stroke, np.float64)[:, :2] for stroke in record["strokes"]]
        low, high = np.min([a.min(axis=0) for a in arrays], axis=0), np.max([a.max(axis=0) for a in arrays], axis=0)
        scale = NUMBER_HEIGHT / (high[1] - low[1])
        strokes = []
        for array in arrays:
            points = (array - low) * scale + (left + pen / 2, NUMBER_BASE - NUMBER_HEIGHT)
            strokes.append([[x, y, clock + 20 * i] for i, (x, y) in enumerate(points.tolist())])
            clock += 20 * len(points) + 250
        digits.append(strokes)
        left += (high[0] - low[0]) * scale + pen + (gaps[index] * NUMBER_HEIGHT if index < len(gaps) else 0)
    assert left < NUMBER_PAD[0], "the number does not fit on the pad"
    return digits


def number_picture(strokes, pen=18):
    """The strokes drawn with the page's pen on the wide pad, as the page's canvas draws them."""
    return render_strokes(strokes, pen, NUMBER_PAD)


def flat(digits):
    """The strokes of all the digits, digit after digit."""
    return [stroke for digit in digits for stroke in digit]
