"""What the tests share: digits as pen strokes, pictures encoded the way requests carry them, bursts of saves."""

import base64
import http.client
import io
import json
import threading
import time
from urllib.parse import urlsplit

from recognition.strokes import render_strokes
from webapp import create_app

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
