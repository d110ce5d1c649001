"""How much writer adaptation helps: each held-out writer's digits read before and after they save a few.

    python bench/adaptation.py                       # the writers the model never saw, normal pen
    python bench/adaptation.py --pen bold --trials 3
    python bench/adaptation.py --model models/NAME.tflite --writers 21-30

For every writer, each pen-drawn digit is drawn on the pad at a natural size
and place (seeded) and read by the model. Then, ``--trials`` times for each
of 1, 3 and 5 drawings per digit, that many of the writer's drawings of each
digit are saved (their vectors made exactly as the server makes them when a
drawing is saved under a name) and the writer's other drawings are read
again, adapted as the server adapts them. Prints every writer's accuracy
before and after, and all writers together.

The model must not have learned from these writers: the default is
``models/digitpad-cnn-fitted.tflite``, whose card names the writers held out
from its training (21-30); the shipped model learned from every writer.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.adaptation import adapted_probabilities, drawing_vectors  # noqa: E402
from recognition.classifier import Classifier  # noqa: E402
from recognition.pad import PEN_WIDTHS  # noqa: E402
from recognition.preprocess import to_mnist  # noqa: E402
from training.data import DRAWINGS, load_drawings, writer_set  # noqa: E402
from training.drawn import pad_picture, placed_strokes  # noqa: E402

HELD_OUT_MODEL = ROOT / "models" / "digitpad-cnn-fitted.tflite"
SAVED_PER_DIGIT = (1, 3, 5)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(HELD_OUT_MODEL), help="a .tflite with a features output")
    parser.add_argument("--writers", help="writers to measure (default: the model card's test writers)")
    parser.add_argument("--pen", choices=PEN_WIDTHS, default="normal")
    parser.add_argument("--trials", type=int, default=5, help="random choices of saved drawings per writer")
    parser.add_argument("--seed", type=int, default=0, help="sizes and places of the drawings")
    parser.add_argument("--out", default="build/adaptation.json")
    return parser.parse_args()


def held_out_writers(model_path):
    card = json.loads(Path(model_path).with_suffix(".json").read_text())
    return set(card["data"]["test_writers"])


def read_writer(classifier, records, pen_width, seed):
    """Per drawing: label, general probabilities, features and the vectors saving it would keep."""
    rows = []
    for index, record in records:
        image = to_mnist(pad_picture(record, pen_width, "natural", seed, index))
        if image is None:
            continue
        probabilities, features = classifier.outputs(image)
        vectors = drawing_vectors(classifier, image, placed_strokes(record, pen_width, seed, index))
        rows.append((record["label"], probabilities, features, vectors))
    return rows


def trial(rows, per_digit, rng):
    """(general right, adapted right) over the drawings not saved, with ``per_digit`` saved of each digit."""
    labels = np.array([label for label, *_ in rows])
    saved = np.concatenate([rng.choice(np.flatnonzero(labels == digit), per_digit, replace=False)
                            for digit in range(10) if (labels == digit).sum() > per_digit])
    vectors = np.concatenate([rows[i][3] for i in saved])
    vector_labels = np.concatenate([np.full(len(rows[i][3]), labels[i]) for i in saved])
    general = adapted = 0
    tested = np.setdiff1d(np.arange(len(rows)), saved)
    for i in tested:
        label, probabilities, features, _ = rows[i]
        general += int(np.argmax(probabilities) == label)
        adapted += int(np.argmax(adapted_probabilities(probabilities, features, vectors, vector_labels)) == label)
    return general, adapted, len(tested)


def main():
    args = parse_args()
    classifier = Classifier(args.model)
    if not classifier.feature_count:
        sys.exit(f"{args.model} gives no features: export it again with python -m training.export")
    writers = writer_set(args.writers) if args.writers else held_out_writers(args.model)
    records = [(index, record) for index, record in enumerate(load_drawings(DRAWINGS)) if record["writer"] in writers]
    print(f"{args.model}: writers {sorted(writers)}, {len(records)} drawings, {args.pen} pen, natural size and place "
          f"(seed {args.seed}), {args.trials} trials")
    totals = {k: np.zeros(3, int) for k in SAVED_PER_DIGIT}
    per_writer = {}
    print(f"{'writer':>6} " + " ".join(f"{f'{k} per digit: before → after':>28}" for k in SAVED_PER_DIGIT))
    for writer in sorted(writers):
        rows = read_writer(classifier, [(i, r) for i, r in records if r["writer"] == writer],
                           PEN_WIDTHS[args.pen], args.seed)
        per_writer[writer] = {}
        cells = []
        for k in SAVED_PER_DIGIT:
            counts = np.sum([trial(rows, k, np.random.default_rng([writer, t, k])) for t in range(args.trials)], axis=0)
            totals[k] += counts
            before, after = counts[0] / counts[2], counts[1] / counts[2]
            per_writer[writer][k] = {"before": before, "after": after, "read": int(counts[2])}
            cells.append(f"{before:>17.2%} → {after:.2%}")
        print(f"{writer:>6} " + " ".join(f"{cell:>28}" for cell in cells), flush=True)
    overall = {}
    for k, (general, adapted, read) in totals.items():
        worst = min(per_writer[w][k]["after"] for w in per_writer)
        overall[k] = {"before": general / read, "after": adapted / read, "worst_writer_after": worst, "read": int(read)}
        print(f"{k} per digit: all writers {general / read:.2%} → {adapted / read:.2%}, worst writer after {worst:.2%} "
              f"({read} readings)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": args.model, "pen": args.pen, "seed": args.seed, "trials": args.trials,
                               "overall": overall, "per_writer": per_writer}, indent=2) + "\n")


if __name__ == "__main__":
    main()
