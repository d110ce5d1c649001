"""How much writer adaptation helps: each held-out writer's digits read before and after they save a few.

    python bench/adaptation.py                       # the writers the model never saw, normal pen
    python bench/adaptation.py --pen bold --trials 3
    python bench/adaptation.py --model models/NAME.tflite --writers 21-30
    python bench/adaptation.py --writers 21-22 --trials 1 --through-keys

For every writer, each pen-drawn digit is drawn on the pad at a natural size
and place (seeded) and read by the model. Then, ``--trials`` times for each
of 1, 3 and 5 drawings per digit, that many of the writer's drawings of each
digit are saved (their vectors made exactly as the server makes them when a
drawing is saved under a name) and the writer's other drawings are read
again, adapted as the server adapts them. Prints every writer's accuracy
before and after, and all writers together.

With ``--through-keys`` every trial is also run through the app's API, as a
person would: the first save under the writer's name answers with its key, the
other saves and every adapted reading carry it, a reading without it must be
the general one, and Forget me (with the key) ends the trial. The figures must
be the same both ways; the bench says so or stops.

The model must not have learned from these writers: the default is
``models/digitpad-cnn-fitted.tflite``, whose card names the writers held out
from its training (21-30); the shipped model learned from every writer.
"""

import argparse
import base64
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.adaptation import adapted_probabilities, drawing_vectors  # noqa: E402
from recognition.classifier import Classifier  # noqa: E402
from recognition.pad import PEN_WIDTHS  # noqa: E402
from recognition.pictures import png_bytes  # noqa: E402
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
    parser.add_argument("--through-keys", action="store_true",
                        help="run every trial through the API with writer keys too, and check the figures match")
    return parser.parse_args()


def held_out_writers(model_path):
    card = json.loads(Path(model_path).with_suffix(".json").read_text())
    return set(card["data"]["test_writers"])


def read_writer(classifier, records, pen_width, seed):
    """Per drawing: label, general probabilities, features, the vectors saving it would keep, and the
    picture (PNG) and strokes the page would send."""
    rows = []
    for index, record in records:
        picture = pad_picture(record, pen_width, "natural", seed, index)
        image = to_mnist(picture)
        if image is None:
            continue
        probabilities, features = classifier.outputs(image)
        strokes = placed_strokes(record, pen_width, seed, index)
        vectors = drawing_vectors(classifier, image, strokes)
        rows.append((record["label"], probabilities, features, vectors, png_bytes(picture), strokes))
    return rows


def chosen(rows, per_digit, rng):
    """(the drawings saved: ``per_digit`` of each digit the writer drew more often, the drawings read)."""
    labels = np.array([row[0] for row in rows])
    saved = np.concatenate([rng.choice(np.flatnonzero(labels == digit), per_digit, replace=False)
                            for digit in range(10) if (labels == digit).sum() > per_digit])
    return saved, np.setdiff1d(np.arange(len(rows)), saved)


def trial(rows, per_digit, rng):
    """(general right, adapted right, read) over the drawings not saved, with ``per_digit`` saved of each digit."""
    saved, tested = chosen(rows, per_digit, rng)
    vectors = np.concatenate([rows[i][3] for i in saved])
    vector_labels = np.concatenate([np.full(len(rows[i][3]), rows[i][0]) for i in saved])
    general = adapted = 0
    for i in tested:
        label, probabilities, features, *_ = rows[i]
        general += int(np.argmax(probabilities) == label)
        adapted += int(np.argmax(adapted_probabilities(probabilities, features, vectors, vector_labels)) == label)
    return general, adapted, len(tested)


def trial_through_keys(client, name, rows, per_digit, rng):
    """:func:`trial` through the API with the writer's key; a reading without the key must be the general one."""
    saved, tested = chosen(rows, per_digit, rng)
    key = None
    for i in saved:
        label, *_, png, strokes = rows[i]
        answer = client.post("/api/samples", json={"image": data_url(png), "label": int(label), "strokes": strokes,
                                                   "writer": name, "writer_key": key})
        assert answer.status_code == 201, answer.get_json()
        key = key or answer.get_json()["writer_key"]
    general = adapted = 0
    for i in tested:
        label, *_, png, _ = rows[i]
        keyless = client.post("/api/predict", json={"image": data_url(png), "writer": name}).get_json()
        keyed = client.post("/api/predict", json={"image": data_url(png), "writer": name, "writer_key": key}).get_json()
        assert keyless["adapted"] is False and keyed["adapted"] is True
        general += int(keyless["digit"] == label)
        adapted += int(keyed["digit"] == label)
    assert client.delete(f"/api/writers/{quote(name)}", headers={"X-Writer-Key": key}).status_code == 200
    return general, adapted, len(tested)


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def keyed_client(model, folder):
    """A client of the app serving ``model``, saving to a new database in ``folder``."""
    from webapp import create_app

    return create_app({"MODEL": model, "MODELS": [], "SAMPLES_DB": str(Path(folder) / "samples.sqlite3")}).test_client()


def measured(rows, k, trials, writer, client):
    """The summed (general right, adapted right, read) of a writer's trials; the same through keys, or stop."""
    counts = np.sum([trial(rows, k, np.random.default_rng([writer, t, k])) for t in range(trials)], axis=0)
    if client is not None:
        keyed = np.sum([trial_through_keys(client, f"writer {writer}", rows, k, np.random.default_rng([writer, t, k]))
                        for t in range(trials)], axis=0)
        if not np.array_equal(counts, keyed):
            sys.exit(f"writer {writer}, {k} per digit: {counts.tolist()} directly but {keyed.tolist()} through keys")
    return counts


def main():
    args = parse_args()
    classifier = Classifier(args.model)
    if not classifier.feature_count:
        sys.exit(f"{args.model} gives no features: export it again with python -m training.export")
    writers = writer_set(args.writers) if args.writers else held_out_writers(args.model)
    records = [(index, record) for index, record in enumerate(load_drawings(DRAWINGS)) if record["writer"] in writers]
    print(f"{args.model}: writers {sorted(writers)}, {len(records)} drawings, {args.pen} pen, natural size and place "
          f"(seed {args.seed}), {args.trials} trials")
    scratch = tempfile.TemporaryDirectory()
    client = keyed_client(args.model, scratch.name) if args.through_keys else None
    totals = {k: np.zeros(3, int) for k in SAVED_PER_DIGIT}
    per_writer = {}
    print(f"{'writer':>6} " + " ".join(f"{f'{k} per digit: before → after':>28}" for k in SAVED_PER_DIGIT))
    for writer in sorted(writers):
        rows = read_writer(classifier, [(i, r) for i, r in records if r["writer"] == writer],
                           PEN_WIDTHS[args.pen], args.seed)
        per_writer[writer] = {}
        cells = []
        for k in SAVED_PER_DIGIT:
            counts = measured(rows, k, args.trials, writer, client)
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
    if client is not None:
        print("through the API with writer keys: the same figures for every writer and trial")
        scratch.cleanup()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": args.model, "pen": args.pen, "seed": args.seed, "trials": args.trials,
                               "overall": overall, "per_writer": per_writer}, indent=2) + "\n")


if __name__ == "__main__":
    main()
