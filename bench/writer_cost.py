"""What the heaviest drawing the app accepts costs when a writer saves it, and the predictions beside it.

    python bench/writer_cost.py [--repeats 5]

The heaviest accepted drawing is 100 strokes of 200 points (the limits of a
save). Saved under a writer's name it is drawn again ``VARIANTS`` times for
adaptation; sent to a room, those variants are made at the writer's next
prediction instead. In this process, through the app: the CPU time of one
such save (median of ``--repeats``), and the time of adapted predictions for a
writer with 8 of them saved, and for a writer with 8 of them sent to a room
(whose first prediction makes the variants); and predictions while 8 such
saves run at once.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.pictures import png_bytes  # noqa: E402
from recognition.strokes import render_strokes  # noqa: E402
from tests.helpers import SEVEN, data_url, drawing_png  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.web.parsing import MAX_POINTS, MAX_STROKES  # noqa: E402

HEAVY_DRAWINGS = 8


def heaviest_drawing(seed):
    """A save request's body with as many strokes and points as a save may carry, scribbled over the pad."""
    rng = np.random.default_rng(seed)
    points = MAX_POINTS // MAX_STROKES
    strokes = [(np.cumsum(rng.normal(0, 3, (points, 2)), axis=0) + rng.uniform(40, 240, 2)).clip(0, 279)
               .round(1).tolist() for _ in range(MAX_STROKES)]
    return {"image": data_url(png_bytes(render_strokes(strokes))), "label": 7, "strokes": strokes}


def cpu_seconds(call):
    started = time.process_time()
    call()
    return time.process_time() - started


def prediction_seconds(client, writer, count=10):
    """Wall-clock seconds of each of ``count`` adapted predictions for ``writer``."""
    body = drawing_png(SEVEN)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.post(f"/api/predict?writer={writer}", data=body, content_type="image/png")
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200 and answer.get_json()["adapted"], answer.get_json()
    return times


def predictions_during_saves(app, bodies):
    """Seconds of each prediction made while every body is saved under a writer at once, one thread each."""
    savers = [threading.Thread(target=app.test_client().post, args=("/api/samples",),
                               kwargs={"json": {**body, "writer": "Busy"}}) for body in bodies]
    for saver in savers:
        saver.start()
    client, body, times = app.test_client(), drawing_png(SEVEN), []
    while any(saver.is_alive() for saver in savers):
        started = time.perf_counter()
        client.post("/api/predict", data=body, content_type="image/png")
        times.append(time.perf_counter() - started)
    for saver in savers:
        saver.join()
    return times or [0.0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SAMPLES_DB": str(Path(folder) / "samples.sqlite3"), "RATE_LIMIT_CLOCK": lambda: 0.0})
        client = app.test_client()
        client.post("/api/predict", data=drawing_png(SEVEN), content_type="image/png")
        bodies = [heaviest_drawing(seed) for seed in range(max(args.repeats, HEAVY_DRAWINGS))]
        plain = [cpu_seconds(lambda body=body: client.post("/api/samples", json=body)) for body in bodies[:args.repeats]]
        saves = [cpu_seconds(lambda body=body: client.post("/api/samples", json={**body, "writer": "Heavy"}))
                 for body in bodies[:HEAVY_DRAWINGS]]
        room = client.post("/api/rooms").get_json()["room"]
        for number, body in enumerate(bodies[:HEAVY_DRAWINGS]):
            sent = client.post(f"/api/rooms/{room}/drawings", json={**body, "writer": "Roomy"},
                               headers={"X-Client-Id": f"phone-{number}"})
            assert sent.status_code == 201, sent.get_json()
        saved_beside = prediction_seconds(client, "Heavy")
        room_beside = prediction_seconds(client, "Roomy")
        during = predictions_during_saves(app, bodies[:HEAVY_DRAWINGS])
    points = MAX_POINTS // MAX_STROKES
    print(f"heaviest accepted drawing: {MAX_STROKES} strokes x {points} points")
    print(f"save without a writer, CPU: median {statistics.median(plain):.3f} s")
    print(f"save under a writer, CPU: median {statistics.median(saves):.3f} s, "
          f"most {max(saves):.3f} s (so the variants cost {statistics.median(saves) - statistics.median(plain):.3f} s)")
    print(f"prediction beside {HEAVY_DRAWINGS} such saved drawings: median {statistics.median(saved_beside):.3f} s, "
          f"most {max(saved_beside):.3f} s")
    print(f"prediction beside {HEAVY_DRAWINGS} such room drawings: first {room_beside[0]:.3f} s (makes the variants), "
          f"then median {statistics.median(room_beside[1:]):.3f} s")
    print(f"predictions while {HEAVY_DRAWINGS} such saves run at once: {len(during)}, "
          f"median {statistics.median(during):.3f} s, most {max(during):.3f} s")


if __name__ == "__main__":
    main()
