"""How well whole numbers are read: numbers composed from pen-drawn digits, read with and without their strokes.

    python bench/number_reading.py                       # writers 21-30, the fitted model, 500 numbers per length
    python bench/number_reading.py --count 100 --writers 19-20 --seed 11 --show build/numbers

Each number of 2, 4 or 6 digits is made of randomly chosen drawings of the
chosen writers, written the way people write numbers: one height for the
whole number (each digit scaled to it by its own height, so a 1 stays
narrow), bottoms on a line give or take, a gap that is usually natural,
sometimes small, sometimes none or a slight overlap, all with the page's pen
on a wide pad (the height shrinks when the digits do not fit across). Strokes
are timed digit by digit, except that the bar of a 4, 5 or 7 (its second
stroke) is sometimes written after the whole number. The picture is shrunk as
the app's decoder shrinks it; the strokes stay in the pad's pixels.

The default model, ``digitpad-cnn-fitted``, never saw writers 21-30 (the
shipped model saw all writers). Prints whole-number accuracy per length,
per-digit accuracy (over numbers whose count of digits came out right) and
how often the count is right, reading with the strokes and from the picture
alone, and, as the ceiling for any segmentation, reading each digit's strokes
drawn alone; then the latency of /api/read of 4 digits against /api/predict of
one, p50 over HTTP against the production server. Seeded: the same accuracy
figures every run.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)
"""Run as a script, this file's folder would come first on the path, and the file would stand in for the standard
library's ``numbers`` that NumPy imports."""

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench.server import running_server  # noqa: E402
from recognition.classifier import Classifier  # noqa: E402
from recognition.numbers import number_text, read_number  # noqa: E402
from recognition.pad import NUMBER_PAD, PEN_WIDTH  # noqa: E402
from recognition.pictures import data_url, png_bytes  # noqa: E402
from recognition.preprocess import to_mnist, working_picture  # noqa: E402
from recognition.strokes import render_strokes  # noqa: E402
from training.data import PROJECT_ROOT, load_drawings, writer_set  # noqa: E402
from training.drawn import pad_picture  # noqa: E402

MODEL = PROJECT_ROOT / "models" / "digitpad-cnn-fitted.tflite"
EDGE = 6
HEIGHTS = (0.45, 0.72)
"""Height of a number, as a fraction of the pad's height (lower when its digits do not fit across)."""
GAPS = ((0.55, 0.08, 0.40), (0.25, 0.0, 0.08), (0.20, -0.10, 0.0))
"""(chance, low, high): gaps between digits' ink in number heights: natural, small, touching or overlapping."""
BASELINE = 0.09
"""How far a digit's bottom may stray from the line, in number heights."""
LATE_BAR = 0.3
"""Chance that the second stroke of a 4, 5 or 7 is written after the whole number."""
POINT_MS, LIFT_MS = 20, 250


@dataclass
class Number:
    text: str
    picture: Image.Image
    strokes: list
    size: tuple
    stroke_digits: list
    """Which digit (0-based, left to right) each stroke belongs to."""


def compose_number(records, rng, length, pen=PEN_WIDTH, pad=NUMBER_PAD):
    """A number of ``length`` random drawings written on the pad as a person writes a number."""
    chosen = [records[i] for i in rng.integers(len(records), size=length)]
    shapes = [normalised(record["strokes"]) for record in chosen]
    height = rng.uniform(*HEIGHTS) * pad[1]
    sizes = np.exp(rng.normal(0.0, 0.05, length))
    gaps = np.array([natural_gap(rng) for _ in range(length - 1)])
    widths = np.array([width for _, width in shapes]) * sizes
    room = pad[0] - 2 * EDGE - pen * length
    height = min(height, room / (widths.sum() + gaps.sum()),
                 (pad[1] - 2 * EDGE - pen) / (sizes.max() + 2 * BASELINE))
    total = (widths.sum() + gaps.sum()) * height + pen * length
    left = EDGE + rng.uniform(0.0, max(pad[0] - 2 * EDGE - total, 0.0))
    lowest = EDGE + pen / 2 + height * (sizes.max() + BASELINE)
    base = rng.uniform(lowest, max(pad[1] - EDGE - pen / 2 - height * BASELINE, lowest))
    placed = []
    for index, ((strokes, width), size) in enumerate(zip(shapes, sizes)):
        scale = height * size
        bottom = base + np.clip(rng.normal(0.0, BASELINE / 3), -BASELINE, BASELINE) * height
        x0 = left + pen / 2
        placed.append([np.column_stack([x0 + points[:, 0] * scale, bottom - (1 - points[:, 1]) * scale])
                       for points in strokes])
        left += width * scale + pen + (gaps[index] * height if index < length - 1 else 0)
    order = writing_order(chosen, rng)
    strokes = timed([placed[digit][stroke] for digit, stroke in order])
    text = "".join(str(record["label"]) for record in chosen)
    return Number(text, render_strokes(strokes, pen, pad).convert("RGBA"), strokes, pad, [digit for digit, _ in order])


def normalised(strokes):
    """Strokes scaled so the drawing is 1 high, with its top-left at 0, and its width in those units."""
    arrays = [np.asarray(stroke, np.float64)[:, :2] for stroke in strokes]
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = max(high[1] - low[1], 1.0)
    return [(array - low) / extent for array in arrays], (high[0] - low[0]) / extent


def natural_gap(rng):
    """A gap between two digits' ink, in number heights, of the kind GAPS draws."""
    chances = np.array([chance for chance, _, _ in GAPS])
    _, low, high = GAPS[rng.choice(len(GAPS), p=chances / chances.sum())]
    return rng.uniform(low, high)


def writing_order(records, rng):
    """(digit, stroke) pairs in the order they are written: digit by digit, a late bar moved to the end."""
    order, late = [], []
    for digit, record in enumerate(records):
        count = len(record["strokes"])
        pairs = [(digit, stroke) for stroke in range(count)]
        if record["label"] in (4, 5, 7) and count >= 2 and rng.random() < LATE_BAR:
            late.append(pairs.pop(1))
        order.extend(pairs)
    return order + late


def timed(strokes):
    """Strokes as lists of [x, y, t] with t in milliseconds, one point every POINT_MS, a pause at each pen lift."""
    timed_strokes, clock = [], 0
    for points in strokes:
        times = clock + POINT_MS * np.arange(len(points))
        timed_strokes.append([[float(x), float(y), int(t)] for (x, y), t in zip(points, times)])
        clock = int(times[-1]) + LIFT_MS
    return timed_strokes


def alone_text(number, classify, pen=PEN_WIDTH):
    """What the model reads when each digit's strokes are drawn alone with the same pen and size: the ceiling
    for any segmentation."""
    images = []
    for digit in range(len(number.text)):
        strokes = [np.asarray(stroke)[:, :2] for stroke, owner in zip(number.strokes, number.stroke_digits)
                   if owner == digit]
        corner = np.concatenate(strokes).min(axis=0) - pen
        extent = np.concatenate(strokes).max(axis=0) - corner + pen
        size = tuple(int(side) for side in np.ceil(extent))
        images.append(to_mnist(render_strokes([stroke - corner for stroke in strokes], pen, size)))
    return "".join(str(digit) for digit in classify(np.stack(images)).argmax(axis=1))


def sent_picture(number):
    """The picture as the app has it after decoding: shrunk to the working size."""
    return working_picture(number.picture)


def read(number, classify, with_strokes):
    """The number read from its picture as the app decodes it, with or without its strokes."""
    parts = read_number(sent_picture(number), number.strokes if with_strokes else None,
                        classify=classify, size=number.size)
    return number_text(parts)


def score(numbers, answers):
    """Whole numbers right, digits right (where the count is right) and counts right."""
    whole = np.mean([answer == number.text for number, answer in zip(numbers, answers)])
    counted = [(number.text, answer) for number, answer in zip(numbers, answers) if len(answer) == len(number.text)]
    digits = np.mean([a == b for text, answer in counted for a, b in zip(text, answer)]) if counted else 0.0
    return whole, digits, len(counted) / len(numbers)


def show(numbers, answers, folder, limit=40):
    """Save the misread numbers' pictures, named by truth and reading."""
    folder.mkdir(parents=True, exist_ok=True)
    wrong = [(n, a) for n, a in zip(numbers, answers) if a != n.text][:limit]
    for index, (number, answer) in enumerate(wrong):
        number.picture.convert("RGB").save(folder / f"{index:03d}-{number.text}-read-{answer or 'nothing'}.png")


def http_latency(model, numbers, singles, repeats):
    """p50 in ms of /api/read of each number (picture and strokes) and of /api/predict of a single digit's pad
    picture, both as JSON, taking turns on one connection to a production server serving ``model``."""
    bodies = {"read": [json.dumps({"image": data_url(png_bytes(number.picture)), "strokes": number.strokes})
                       for number in numbers],
              "predict": [json.dumps({"image": data_url(png_bytes(single))}) for single in singles]}
    times = {path: [] for path in bodies}
    with running_server(env={"MODEL": str(model)}) as (url, _):
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
        for _ in range(repeats + 1):
            for index in range(len(numbers)):
                for path, payloads in bodies.items():
                    times[path].append(timed_post(connection, f"/api/{path}", payloads[index]))
        connection.close()
    return {path: 1e3 * float(np.median(measured[len(numbers):])) for path, measured in times.items()}


def timed_post(connection, path, body):
    """Seconds for one JSON POST and its whole answer, which must be a 200."""
    start = time.perf_counter()
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return elapsed


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="21-30", help="writers whose drawings make the numbers")
    parser.add_argument("--model", default=str(MODEL), help="model file (default: the fitted model, which never "
                                                            "saw writers 21-30)")
    parser.add_argument("--count", type=int, default=500, help="numbers per length")
    parser.add_argument("--lengths", default="2,4,6")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pen", type=float, default=PEN_WIDTH, help="pen width in pad pixels (default: the page's)")
    parser.add_argument("--timing", type=int, default=40, help="4-digit numbers timed over HTTP (0: no timing)")
    parser.add_argument("--show", help="folder for the pictures of misread numbers")
    return parser.parse_args()


def main():
    args = parse_args()
    records = [r for r in load_drawings() if r["writer"] in writer_set(args.writers)]
    classify = Classifier(args.model).load().probabilities_batch
    print(f"writers {args.writers}, model {Path(args.model).name}, {args.count} numbers per length, "
          f"{args.pen:g} px pen, seed {args.seed}")
    print(f"{'digits':>6} {'read':<14} {'whole number':>12} {'per digit':>9} {'count right':>11}")
    for length in [int(n) for n in args.lengths.split(",")]:
        rng = np.random.default_rng([args.seed, length])
        numbers = [compose_number(records, rng, length, args.pen) for _ in range(args.count)]
        for with_strokes in (True, False):
            mode = "with strokes" if with_strokes else "picture only"
            answers = [read(number, classify, with_strokes) for number in numbers]
            whole, digits, counts = score(numbers, answers)
            print(f"{length:>6} {mode:<14} {whole:>12.1%} {digits:>9.2%} {counts:>11.1%}", flush=True)
            if args.show:
                show(numbers, answers, Path(args.show) / f"{length}-{'strokes' if with_strokes else 'picture'}")
        whole, digits, _ = score(numbers, [alone_text(number, classify, args.pen) for number in numbers])
        print(f"{length:>6} {'digits alone':<14} {whole:>12.1%} {digits:>9.2%} {'':>11}", flush=True)
    if args.timing:
        print_latency(args, records)


def print_latency(args, records):
    """/api/read of 4 digits against /api/predict of one, p50 over HTTP, side by side."""
    rng = np.random.default_rng([args.seed, 4, 1])
    numbers = [compose_number(records, rng, 4) for _ in range(args.timing)]
    singles = [pad_picture(record, PEN_WIDTH, "natural", args.seed, index).convert("RGBA")
               for index, record in enumerate(records[:args.timing])]
    latency = http_latency(args.model, numbers, singles, repeats=2)
    print(f"\nover HTTP (python -m webapp on loopback), p50 of {2 * args.timing} requests each:")
    print(f"  /api/predict, one digit (280×280 pad):       {latency['predict']:.1f} ms")
    print(f"  /api/read, 4 digits with strokes (840×280): {latency['read']:.1f} ms "
          f"({latency['read'] / latency['predict']:.1f}×)")


if __name__ == "__main__":
    main()
