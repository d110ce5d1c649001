"""Accuracy on pen-drawn digits, drawn on the pad and sent to the app exactly as the page does.

    python bench/drawn_accuracy.py --writers 21-30
    python bench/drawn_accuracy.py --natural --pens normal       # natural size and place, seeded
    python bench/drawn_accuracy.py STROKES.json --url http://127.0.0.1:8000   # a running server
    python bench/drawn_accuracy.py --as-written 500 --plain-resize  # the naive way, for comparison

Each drawing is fitted onto the pad (or, with ``--natural``, drawn at a
random natural size and place, the same for every run with the same
``--seed``), rendered with the page's pen (thin, normal and bold widths),
encoded as PNG and posted to /api/predict: through
the app in this process (``--model``, default the shipped one) or over HTTP
(``--url``). Prints overall, per-digit and per-writer accuracy, the confusion
matrix and calibration, how many the app said were not a digit at all, and
writes pictures and a JSON report to ``--out``.
"""

import argparse
import io
import json
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.pad import PAD_SIZE, PEN_WIDTHS  # noqa: E402
from recognition.strokes import render_strokes  # noqa: E402
from training import report  # noqa: E402
from training.data import DRAWINGS, load_drawings, writer_set  # noqa: E402
from training.drawn import pad_picture  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("strokes", nargs="?", default=str(DRAWINGS),
                        help="pen-stroke JSON (label, writer, strokes per record; default: the project's own)")
    parser.add_argument("--writers", help="only these writers, e.g. 21-30 (default: all)")
    parser.add_argument("--pens", default="thin,normal,bold", help="pen widths to draw with")
    parser.add_argument("--model", help="model file for the in-process app (default: the shipped model)")
    parser.add_argument("--url", help="post to this running server instead of an in-process app")
    parser.add_argument("--plain-resize", action="store_true",
                        help="for comparison: skip the app's preprocessing and shrink the whole pad to 28x28, "
                             "as many tutorials do (in process only)")
    parser.add_argument("--as-written", type=float, metavar="BOX",
                        help="draw each digit where and as large as it was written in its BOX-unit square "
                             "(500 for the pen-stroke set) instead of fitting it to the pad")
    parser.add_argument("--natural", action="store_true",
                        help="draw each digit with its longer side 30-85%% of the pad at a random place")
    parser.add_argument("--seed", type=int, default=0, help="sizes and places for --natural (default 0)")
    parser.add_argument("--limit", type=int, help="at most this many drawings (a sample, for a quick look)")
    parser.add_argument("--out", default="build/drawn-accuracy", help="folder for pictures and report.json")
    return parser.parse_args()


def in_process_poster(model):
    from webapp import create_app

    client = create_app({"MODEL": model} if model else None).test_client()

    def post(png):
        response = client.post("/api/predict", data=png, content_type="image/png")
        return response.status_code, response.get_json()

    return post


def plain_resize_poster(model):
    """Bypass the app: invert the whole pad and shrink it to 28×28, then call the model."""
    from PIL import Image, ImageOps

    from recognition.classifier import Classifier
    from recognition.model_files import DEFAULT_MODEL

    classifier = Classifier(model or DEFAULT_MODEL)

    def post(png):
        picture = ImageOps.invert(Image.open(io.BytesIO(png)).convert("L")).resize((28, 28), Image.Resampling.LANCZOS)
        probabilities = classifier.probabilities(np.asarray(picture, np.float32) / 255.0)
        return 200, {"probabilities": list(probabilities)}

    return post


def http_poster(url):
    def post(png):
        request = urllib.request.Request(f"{url.rstrip('/')}/api/predict", data=png,
                                         headers={"Content-Type": "image/png"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    return post


def png_of(picture):
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def drawn_picture(record, index, pen_width, args):
    """The pad as the page would send it for one record, placed as the options say."""
    if args.as_written:
        scale = PAD_SIZE / args.as_written
        strokes = [[[x * scale, y * scale] for x, y, *_ in stroke] for stroke in record["strokes"]]
        return render_strokes(strokes, pen_width=pen_width)
    return pad_picture(record, pen_width, "natural" if args.natural else "fitted", args.seed, index)


def evaluate(records, pen_width, post, args):
    """Labels, probabilities (a uniform row where the app found nothing), writers, pictures, and whether the
    app said the drawing is not a digit, for one pen."""
    probabilities, pictures, flagged = [], [], []
    for index, record in enumerate(records):
        picture = drawn_picture(record, index, pen_width, args)
        status, answer = post(png_of(picture))
        probabilities.append(answer["probabilities"] if status == 200 else [0.1] * 10)
        flagged.append(status == 200 and bool(answer.get("not_a_digit", False)))
        pictures.append(picture)
    labels = np.array([record["label"] for record in records])
    writers = np.array([record["writer"] for record in records])
    return labels, np.array(probabilities), writers, pictures, np.array(flagged)


def per_writer(labels, predictions, writers):
    return {int(w): float((predictions[writers == w] == labels[writers == w]).mean()) for w in np.unique(writers)}


def print_pen(pen, scores, writer_accuracy, calibration):
    print(f"\n== {pen} pen ({PEN_WIDTHS[pen]} px): accuracy {scores['accuracy']:.2%} of {scores['count']}, "
          f"ECE {calibration['expected_calibration_error']:.4f}")
    print("per digit:  " + "  ".join(f"{d}:{a:.1%}" for d, a in enumerate(scores["per_digit_accuracy"])))
    print("per writer: " + "  ".join(f"{w}:{a:.1%}" for w, a in writer_accuracy.items()))
    print("confusion (rows true 0-9, columns predicted 0-9):")
    for digit, row in enumerate(scores["confusion_matrix"]):
        print(f"  {digit} " + " ".join(f"{n:4d}" for n in row))


def placement(args):
    if args.natural:
        return f"natural size and place, seed {args.seed}"
    return f"as written in a {args.as_written:g}-unit box" if args.as_written else "fitted to the pad"


def main():
    args = parse_args()
    records = load_drawings(args.strokes)
    if args.writers:
        wanted = writer_set(args.writers)
        records = [record for record in records if record.get("writer") in wanted]
    if args.limit:
        records = [records[i] for i in np.random.default_rng(0).permutation(len(records))[:args.limit]]
    if args.plain_resize:
        post = plain_resize_poster(args.model)
    else:
        post = http_poster(args.url) if args.url else in_process_poster(args.model)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {"strokes": args.strokes, "writers": args.writers or "all", "drawings": len(records),
               "via": "plain resize" if args.plain_resize else args.url or "in-process app",
               "placement": placement(args),
               "pens": {}}
    for pen in args.pens.split(","):
        started = time.perf_counter()
        labels, probabilities, writers, pictures, flagged = evaluate(records, PEN_WIDTHS[pen], post, args)
        predictions = probabilities.argmax(axis=1)
        scores = report.scores(labels, probabilities)
        calibration = report.calibration(labels, probabilities)
        writer_accuracy = per_writer(labels, predictions, writers)
        print_pen(pen, scores, writer_accuracy, calibration)
        shown_right = float(((predictions == labels) & ~flagged).mean())
        print(f"said \"doesn't look like a digit\": {int(flagged.sum())} ({flagged.mean():.2%}); "
              f"read right and shown as a digit: {shown_right:.2%}")
        print(f"({time.perf_counter() - started:.1f} s)")
        report.plot_mistakes(out / f"mistakes-{pen}.png", pictures, labels, predictions, limit=60)
        report.plot_confusion(out / f"confusion-{pen}.png", scores["confusion_matrix"],
                              f"drawn digits, {pen} pen: {scores['accuracy']:.2%}")
        report.plot_reliability(out / f"reliability-{pen}.png", calibration["bins"],
                                f"{pen} pen: ECE {calibration['expected_calibration_error']:.3f}")
        results["pens"][pen] = {**scores, "per_writer_accuracy": writer_accuracy, "calibration": calibration,
                                "not_a_digit": int(flagged.sum()), "read_right_and_shown": shown_right}
    (out / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nplacement: {placement(args)}")
    print(f"wrote pictures and report.json to {out}")


if __name__ == "__main__":
    main()
