"""How often the not-a-digit detector flags digits, doodles and marks it never learned from, and what it costs.

    python bench/not_a_digit.py                       # the shipped model and its parameters
    python bench/not_a_digit.py --model models/digitpad-cnn-fitted.tflite --processes 2

Every drawing is drawn on the pad and read as the app reads a picture
(``to_mnist``, then the model), then judged by the detector fitted to the model:

- writers 21-30's pen digits at a natural size and place (seed 0, as
  ``bench/drawn_accuracy.py --natural`` draws them) with the page's pen
  (18 px): target at most 0.5 % flagged;
- doodles of the categories held out of training, at a natural size and
  place with the page's pen: target at least 95 % flagged;
- synthesised marks of each kind with the page's pen, from another seed than
  training used: target at least 95 % flagged over all kinds;
- a few single drawings: a tap, a dash, an X, a plain 1, a 7 and a 4.

A drawing ``to_mnist`` finds no digit in is answered "draw a digit first" by
the app: it counts as flagged, and is counted apart. The cost is the
detector's own call on each drawing (its model outputs already made, as in
the app), timed in this process.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.classifier import Classifier  # noqa: E402
from recognition.model_files import DEFAULT_MODEL  # noqa: E402
from recognition.not_a_digit import DetectorUnavailable, detector_for  # noqa: E402
from recognition.preprocess import to_mnist  # noqa: E402
from recognition.strokes import render_strokes  # noqa: E402
from training.data import DRAWINGS, load_drawings  # noqa: E402
from training.not_a_digit import checking_jobs, measure  # noqa: E402
from training.not_a_digit_data import load_doodles  # noqa: E402

SINGLE_DRAWINGS = {
    "a tap in the middle": [[[140, 140]]],
    "two taps": [[[110, 140]], [[170, 140]]],
    "a short dash (40 px)": [[[120, 140], [160, 140]]],
    "a long dash (160 px)": [[[60, 140], [220, 140]]],
    "an X (100 px)": [[[90, 90], [190, 190]], [[190, 90], [90, 190]]],
    "a plain 1 (a vertical line, 160 px)": [[[140, 60], [140, 220]]],
    "a 7 (bar and slanted stem)": [[[90, 70], [190, 70], [120, 220]]],
    "a 4 (open, two strokes)": [[[160, 60], [90, 160], [200, 160]], [[170, 110], [170, 230]]],
}

TARGETS = {"writers": ("<=", 0.005), "doodles": (">=", 0.95), "marks": (">=", 0.95)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model file with its detector beside it")
    parser.add_argument("--processes", type=int, default=1, help="processes that render the drawings")
    parser.add_argument("--scale", type=float, default=1.0, help="draw this share of every set (a quick look)")
    parser.add_argument("--out", default="build/not-a-digit.json", help="JSON report")
    return parser.parse_args()


def timed_scores(detector, table):
    """The detector's verdict on each drawing, one call each as the app makes it, and each call's seconds."""
    verdicts, seconds = [], []
    for image, probabilities, features in zip(table["images"], table["probabilities"], table["features"]):
        started = time.perf_counter()
        verdicts.append(detector.is_not_a_digit(image, probabilities, features))
        seconds.append(time.perf_counter() - started)
    return np.array(verdicts), np.array(seconds)


def read_table(table, classifier):
    """The table with the model's outputs for every drawing."""
    pairs = [classifier.outputs(image) for image in table["images"]]
    return {**table, "probabilities": np.stack([p for p, _ in pairs]), "features": np.stack([f for _, f in pairs])}


def print_figures(figures):
    names = {"writers": "writers 21-30's digits, page's pen, natural size and place",
             "doodles": f"doodles of {len(figures['doodles']['per kind'])} held-out categories",
             "marks": "marks, all kinds"}
    print(f"{'set':62} {'flagged':>8} {'count':>6}  target")
    for name, label in names.items():
        row = figures[name]
        sign, target = TARGETS[name]
        met = row["flagged"] <= target if sign == "<=" else row["flagged"] >= target
        print(f"{label:62} {row['flagged']:8.2%} {row['count']:6d}  {sign} {target:.1%} "
              f"{'met' if met else 'MISSED'}")
        if name == "marks":
            for kind, share in row["per kind"].items():
                print(f"{'  ' + kind:62} {share:8.2%}")
    per_digit = figures["writers"]["per kind"]
    print("digits flagged per digit: " + "  ".join(f"{d}: {per_digit[str(d)]:.1%}" for d in range(10)
                                                    if str(d) in per_digit))
    worst = sorted(figures["doodles"]["per kind"].items(), key=lambda item: item[1])[:8]
    print("least flagged doodle categories: " + ", ".join(f"{name} {share:.0%}" for name, share in worst))


def single_verdicts(detector, classifier):
    verdicts = {}
    for name, strokes in SINGLE_DRAWINGS.items():
        image = to_mnist(render_strokes(strokes))
        if image is None:
            verdicts[name] = "no digit found (422)"
            continue
        probabilities, features = classifier.outputs(image)
        flagged = detector.is_not_a_digit(image, probabilities, features)
        verdicts[name] = (f"{'NOT A DIGIT' if flagged else 'a digit':12} score "
                          f"{detector.score(image, probabilities, features):6.2f}, model reads "
                          f"{int(np.argmax(probabilities))} ({probabilities.max():.0%})")
    return verdicts


def main():
    args = parse_args()
    try:
        detector = detector_for(args.model)
    except DetectorUnavailable as reason:
        sys.exit(str(reason))
    classifier = Classifier(args.model).load()
    started = time.perf_counter()
    table = read_table(checking_jobs(load_drawings(DRAWINGS), load_doodles(), args.scale).render(args.processes),
                       classifier)
    verdicts, seconds = timed_scores(detector, table)
    figures = measure(verdicts, table)
    print(f"{Path(args.model).name}, threshold {detector.threshold:.3f} ({time.perf_counter() - started:.0f} s)\n")
    print_figures(figures)
    singles = single_verdicts(detector, classifier)
    print("\nsingle drawings:")
    for name, verdict in singles.items():
        print(f"  {name:40} {verdict}")
    micro = seconds * 1e6
    cost = {"median ms": float(np.median(micro)) / 1000, "mean ms": float(micro.mean()) / 1000,
            "95th percentile ms": float(np.percentile(micro, 95)) / 1000, "calls": len(micro)}
    print(f"\ndetector cost per prediction: median {cost['median ms']:.3f} ms, mean {cost['mean ms']:.3f} ms, "
          f"95th percentile {cost['95th percentile ms']:.3f} ms over {cost['calls']} calls")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": Path(args.model).name, "threshold": detector.threshold, **figures,
                               "single drawings": singles, "cost": cost}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
