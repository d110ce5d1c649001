"""What many writers cost the production server: its memory after adapted answers for every one of them.

    python bench/writer_memory.py [--writers 1000] [--drawings 30]

Fills a scratch samples database with ``--writers`` writers of ``--drawings``
drawings each (real pen-drawn digits, saved with the vectors the server keeps),
starts ``python -m webapp`` on it, and compares the server's resident memory
once warm with its resident and peak memory after one adapted prediction for
every writer.
"""

import argparse
import http.client
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory import kilobytes  # noqa: E402
from bench.server import running_server  # noqa: E402
from recognition.adaptation import drawing_vectors, vectors_key  # noqa: E402
from recognition.pictures import input_png, png_bytes  # noqa: E402
from recognition.preprocess import to_mnist  # noqa: E402
from recognition.strokes import fit_to_pad, render_recorded  # noqa: E402
from training.data import DRAWINGS, load_drawings  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.predicting.served import default_model  # noqa: E402
from webapp.storage import connections  # noqa: E402
from webapp.writers.names import skeleton  # noqa: E402
from webapp.writers.owners import key_hash  # noqa: E402


def fill(path, writers, drawings):
    """A samples database with every writer's drawings, saved as the server saves them; the first PNG."""
    app = create_app({"SAMPLES_DB": str(path)})
    classifier = default_model(app).classifier
    rows = []
    for record in load_drawings(DRAWINGS)[:drawings]:
        picture = render_recorded(record["strokes"])
        image = to_mnist(picture)
        probabilities, _ = classifier.outputs(image)
        strokes = fit_to_pad(record["strokes"])
        rows.append((record["label"], int(probabilities.argmax()), probabilities.tolist(), png_bytes(picture),
                     input_png(image), strokes, drawing_vectors(classifier, image, strokes).tobytes()))
    with app.app_context():
        connections.connection()
    db = sqlite3.connect(path)
    with db:
        for writer in range(writers):
            for label, prediction, probabilities, image_png, seen, strokes, vectors in rows:
                cursor = db.execute(
                    "INSERT INTO samples (created_at, label, prediction, probabilities, model, image_png, input_png,"
                    " strokes, stroke_count, writer) VALUES ('now', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (label, prediction, json.dumps(probabilities), classifier.name, image_png, seen, json.dumps(strokes),
                     len(strokes), f"writer {writer}"))
                db.execute("INSERT INTO adaptation_vectors VALUES (?, ?, ?)", (cursor.lastrowid, vectors_key(classifier), vectors))
            db.execute("INSERT INTO writers (skeleton, name, key_hash, created_at) VALUES (?, ?, ?, 'now')",
                       (skeleton(f"writer {writer}"), f"writer {writer}", key_hash(writer_key(writer))))
    db.close()
    return rows[0][3]


def writer_key(number):
    """The key of writer ``number`` in the scratch database (only its hash is stored, as the server stores it)."""
    return f"bench key {number}"


def predict(connection, png, number):
    connection.request("POST", f"/api/predict?writer={quote(f'writer {number}')}", body=png,
                       headers={"Content-Type": "image/png", "X-Writer-Key": writer_key(number)})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, body
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=1000)
    parser.add_argument("--drawings", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "samples.sqlite3"
        started = time.perf_counter()
        png = fill(path, args.writers, args.drawings)
        print(f"{args.writers} writers × {args.drawings} drawings: database {path.stat().st_size / 2**20:.0f} MB, "
              f"filled in {time.perf_counter() - started:.0f} s")
        with running_server(env={"SAMPLES_DB": str(path)}) as (url, process):
            connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=30)
            for _ in range(20):
                predict(connection, png, 0)
            warm = kilobytes("VmRSS", process.pid)
            started = time.perf_counter()
            for writer in range(args.writers):
                assert b'"adapted":true' in predict(connection, png, writer)
            seconds = time.perf_counter() - started
            after, peak = kilobytes("VmRSS", process.pid), kilobytes("VmHWM", process.pid)
            connection.close()
    print(f"server resident memory warm {warm / 1024:.0f} MB; after an adapted answer for each of {args.writers} "
          f"writers {after / 1024:.0f} MB (+{(after - warm) / 1024:.1f} MB), peak {peak / 1024:.0f} MB; "
          f"{seconds / args.writers * 1000:.1f} ms per adapted answer")


if __name__ == "__main__":
    main()
