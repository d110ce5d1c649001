"""Fit the not-a-digit detector for one model file and write its parameters and card beside the model.

    python -m training.not_a_digit                                   # the shipped model
    python -m training.not_a_digit --model models/digitpad-cnn-fitted.tflite
    python -m training.not_a_digit --cache build/not-a-digit-drawings.npz --processes 2

Digits are pen-drawn digits of writers 1-15 (three renderings each: two redrawn
by a hand at sizes 20-95 % of the pad with pens 10-28 px, one at a natural
size and place with one of the page's pens), MNIST training digits
enlarged onto the pad, upright lines (a 1) and rings at any tilt (a 0). Not digits are doodles of the
fitting two thirds of the Quick, Draw! categories (six renderings redrawn by
a hand, one at a natural size and place) and
synthesised marks (:mod:`training.marks`); one among them that is a single
straight stroke within 40° of vertical is left out, since a person may call it
a 1.

The threshold is the score that ``TARGET_FLAG_RATE`` of writers 16-20's digits
exceed (drawn at a natural size and place with the thin, normal and bold pen),
writers the detector never learned from. Writers 21-30, the held-out third of
the doodle categories and marks from another seed are used for nothing but the
figures on the card (:func:`measure`, which ``bench/not_a_digit.py`` runs
too). Everything is seeded; the card records the command, the data's SHA-256
and every figure.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from recognition.classifier import Classifier
from recognition.model_files import DEFAULT_MODEL, PROJECT_ROOT
from recognition.not_a_digit import (
    OUTPUT_NAMES,
    POOLED_SIDE,
    Detector,
    card_path,
    network_inputs,
    parameters_path,
    sha256_of,
)
from recognition.pad import PEN_WIDTHS
from recognition.preprocess import INK_LEVEL
from training.data import DRAWINGS, load_drawings, load_mnist, writer_set
from training.marks import DIGIT_LIKE, KINDS
from training.not_a_digit_data import (
    DOODLES,
    MNIST,
    load_doodles,
    mark_picture,
    mnist_picture,
    natural_picture,
    pen_digit_picture,
    read_model,
    render_set,
    split_categories,
    varied_picture,
)

TARGET_FLAG_RATE = 0.0025
"""Share of threshold writers' digits flagged as "not a digit": half the product's 0.5 % limit."""

FIT_WRITERS, THRESHOLD_WRITERS, CHECK_WRITERS = "1-15", "16-20", "21-30"
VALIDATION_WRITERS = "11-15"
"""Writers left out of fitting by ``--validate``, with a quarter of the fitting kinds and of the marks."""
MNIST_FIT = 6000
DIGIT_LIKE_MARKS = 600
"""Upright lines (a 1) and rings at any tilt (a 0), each, taught as digits: without the rings, a 0 lying on its
side was flagged as often as 4 % of the time in validation."""
DOODLE_COPIES = 6
"""Renderings of each fitting doodle redrawn by a hand, beside one at a natural size and place: in validation, six
(with INPUT_DIRECTIONS) flagged more of the held-out kinds than three at the same share of digits flagged."""
MARKS_FIT = 600
MARKS_CHECKED = 300
"""Marks of each kind drawn with the page's pen for the figures, from CHECK_SEED."""
CHECK_SEED = 7
"""Seed of the figures' doodle places and marks; fitting uses other keys."""

PRINCIPAL_DIRECTIONS = 32
INPUT_DIRECTIONS = 32
"""Principal directions of digits' 28×28 inputs; what lies outside them is what a digit's shape does not explain."""
SHRINKAGE = 1e-3
"""Ridge added to the shared covariance, as a fraction of its mean variance."""

WEIGHTS = {"digit": 0.7, "doodle": 0.15, "mark": 0.15}
"""Share of the training loss each kind of drawing carries, however many there are. Chosen, like the networks'
sizes, by fitting without writers 11-15, a quarter of the fitting categories and a quarter of the marks and
measuring on them (docs/not-a-digit.md); never on writers 21-30 or the held-out categories."""

HIDDEN = 64
MEMBERS = 3
"""Dense networks (seeds seed, seed + 1, ...) whose log-odds are averaged."""
EPOCHS = 25

LINE_STRAIGHTNESS = 3.0
"""Straightness above which one piece of ink is a line: its main second moment is e³ ≈ 20 times the other."""

ONE_TILT = 40.0
"""Degrees from vertical within which a lone line may be a 1."""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="a .tflite with features (default: the shipped)")
    parser.add_argument("--mnist", default=str(MNIST), help="MNIST .npz (default: ../shared/data/mnist.npz)")
    parser.add_argument("--doodles", default=str(DOODLES), help="Quick, Draw! sample (.json.gz)")
    parser.add_argument("--out", help="parameter file (default: MODEL's stem + .not-a-digit.npz beside it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", help="rendered training drawings (the same for every model): read from this .npz "
                        "if it holds this seed's, else written there; delete it when the drawing code changes")
    parser.add_argument("--processes", type=int, default=1, help="processes that render drawings")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="render this share of every set (for a quick try; the shipped file uses 1)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--validate", action="store_true",
                        help="also fit once without writers 11-15, a quarter of the kinds and of the marks, and "
                             "report how many of those are flagged: how the design choices were judged")
    return parser.parse_args(argv)


def count(base, scale):
    return max(1, round(base * scale))


class Jobs:
    """Drawings to render and a column of facts about each: set, kind, writer, group, pen."""

    COLUMNS = ("set", "kind", "writer", "group", "pen")

    def __init__(self):
        self.jobs, self.info = [], {name: [] for name in self.COLUMNS}

    def add(self, job, set_name, kind, group=0, writer=0, pen=0):
        self.jobs.append(job)
        for name, value in zip(self.COLUMNS, (set_name, str(kind), writer, group, pen)):
            self.info[name].append(value)

    def render(self, processes):
        return render_set(self.jobs, self.info, processes)


def training_jobs(args, records, doodles):
    """Every drawing fitting and the threshold need; independent of the model, so one rendering serves any."""
    seed, scale = args.seed, args.scale
    fitting, _ = split_categories([d["category"] for d in doodles])
    mnist = load_mnist(args.mnist)
    jobs = Jobs()
    fit_writers, threshold_writers = writer_set(FIT_WRITERS), writer_set(THRESHOLD_WRITERS)
    chosen = [(i, r) for i, r in enumerate(records) if r["writer"] in fit_writers | threshold_writers]
    for index, record in chosen[:count(len(chosen), scale)]:
        if record["writer"] in fit_writers:
            for copy in range(2):
                jobs.add((varied_picture, record["strokes"], ("pen", seed, index, copy)), "pen fit",
                         record["label"], writer=record["writer"])
            pen = list(PEN_WIDTHS.values())[index % len(PEN_WIDTHS)]
            jobs.add((pen_digit_picture, record, index, seed + 2, pen), "pen fit", record["label"],
                     writer=record["writer"], pen=pen)
        else:
            for pen in PEN_WIDTHS.values():
                jobs.add((pen_digit_picture, record, index, seed + 1, pen), "pen natural", record["label"],
                         writer=record["writer"], pen=pen)
    for i in range(count(MNIST_FIT, scale)):
        jobs.add((mnist_picture, mnist["x_train"][i], ("mnist", seed, i)), "mnist fit", mnist["y_train"][i])
    for kind in DIGIT_LIKE:
        for i in range(count(DIGIT_LIKE_MARKS, scale)):
            jobs.add((mark_picture, kind, (kind, seed, i)), kind, kind)
    kept = [(i, d) for i, d in enumerate(doodles) if d["category"] in set(fitting)]
    for index, doodle in kept[:count(len(kept), scale)]:
        for copy in range(DOODLE_COPIES):
            jobs.add((varied_picture, doodle["strokes"], ("doodle", seed, index, copy)), "doodle fit",
                     doodle["category"])
        pen = list(PEN_WIDTHS.values())[index % len(PEN_WIDTHS)]
        jobs.add((natural_picture, doodle["strokes"], ("doodle natural", seed, index), pen), "doodle fit",
                 doodle["category"], pen=pen)
    for kind in KINDS:
        for i in range(count(MARKS_FIT, scale)):
            jobs.add((mark_picture, kind, ("mark", seed, kind, i)), "mark fit", kind)
    return jobs


def checking_jobs(records, doodles, scale=1.0):
    """The drawings the figures are measured on, never used for fitting or choosing: writers 21-30 at a natural
    size and place with the page's pen, the held-out doodle categories, and marks from CHECK_SEED."""
    _, held_out = split_categories([d["category"] for d in doodles])
    jobs = Jobs()
    pen = PEN_WIDTHS["normal"]
    chosen = [(i, r) for i, r in enumerate(records) if r["writer"] in writer_set(CHECK_WRITERS)]
    for index, record in chosen[:count(len(chosen), scale)]:
        jobs.add((pen_digit_picture, record, index, 0, pen), "writers", record["label"], writer=record["writer"],
                 pen=pen)
    kept = [(i, d) for i, d in enumerate(doodles) if d["category"] in set(held_out)]
    for index, doodle in kept[:count(len(kept), scale)]:
        jobs.add((natural_picture, doodle["strokes"], ("bench doodle", CHECK_SEED, index), pen), "doodles",
                 doodle["category"], pen=pen)
    for kind in KINDS:
        for i in range(count(MARKS_CHECKED, scale)):
            jobs.add((mark_picture, kind, ("bench mark", CHECK_SEED, kind, i), pen), "marks", kind, pen=pen)
    return jobs


def rendered(jobs, args, cache):
    """The rendered drawings, from ``cache`` when it holds these very jobs' (same seed, scale and count)."""
    made_for = {"seed": args.seed, "scale": args.scale, "jobs": len(jobs.jobs)}
    if cache and cache.is_file():
        with np.load(cache, allow_pickle=False) as stored:
            if all(name in stored.files and float(stored[name]) == value for name, value in made_for.items()):
                table = {name: stored[name] for name in stored.files if name not in made_for}
                return table | {"empty": json.loads(str(table["empty"]))}
    started = time.perf_counter()
    print(f"rendering {len(jobs.jobs)} drawings on {args.processes} process(es)...", flush=True)
    table = jobs.render(args.processes)
    print(f"  {time.perf_counter() - started:.0f} s; no digit found in {table['empty']}", flush=True)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **made_for, **{name: value for name, value in table.items() if name != "empty"},
                 empty=np.array(json.dumps(table["empty"])))
    return table


def could_be_a_one(images):
    """Which 28×28 inputs are one straight stroke within ONE_TILT of vertical: a person may call such a drawing
    a 1, so it is never taught as not a digit."""
    return np.array([_one_upright_line(image) for image in images], bool)


def _one_upright_line(image):
    if ndimage.label(image > INK_LEVEL, structure=np.ones((3, 3)))[1] != 1:
        return False
    straightness, uprightness = principal_axes(image)
    return straightness > LINE_STRAIGHTNESS and uprightness > np.cos(np.radians(2 * ONE_TILT))


def principal_axes(image):
    """(log of the ratio of the ink's principal second moments, cos 2θ of its main axis from vertical).

    Straightness is near 0 for a round blob and large for a line; uprightness
    is 1 for a vertical main axis and -1 for a horizontal one.
    """
    weights = image.astype(np.float64) / max(float(image.sum()), 1e-9)
    rows, cols = np.arange(image.shape[0], dtype=np.float64), np.arange(image.shape[1], dtype=np.float64)
    by_row, by_col = weights.sum(axis=1), weights.sum(axis=0)
    mean_y, mean_x = by_row @ rows, by_col @ cols
    var_y = by_row @ (rows - mean_y) ** 2 + 1 / 12
    var_x = by_col @ (cols - mean_x) ** 2 + 1 / 12
    cov = (rows - mean_y) @ weights @ (cols - mean_x)
    spread = np.hypot((var_y - var_x) / 2, cov)
    major, minor = (var_y + var_x) / 2 + spread, max((var_y + var_x) / 2 - spread, 1e-9)
    uprightness = (var_y - var_x) / (2 * spread) if spread > 1e-12 else 0.0
    return float(np.log(major / minor)), float(uprightness)


def training_rows(table):
    """(mask of rows to fit on, 1 for not a digit, loss weights)."""
    sets = table["set"]
    digit = np.isin(sets, ["pen fit", "mnist fit", *DIGIT_LIKE])
    lone_upright = could_be_a_one(table["images"])
    doodle = (sets == "doodle fit") & ~lone_upright
    mark = (sets == "mark fit") & ~lone_upright
    weights = np.zeros(len(sets))
    for kind, rows in (("digit", digit), ("doodle", doodle), ("mark", mark)):
        weights[rows] = WEIGHTS[kind] / max(rows.sum(), 1)
    rows = digit | doodle | mark
    return rows, (doodle | mark).astype(np.float32), weights / weights[rows].mean()


def digit_statistics(features, labels, images):
    """Mean, principal directions, and the whitening and class centres of one shared covariance in those directions;
    the mean and principal directions of the inputs."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    input_mean = flat.mean(axis=0)
    input_directions = np.linalg.svd(flat - input_mean, full_matrices=False)[2][:INPUT_DIRECTIONS].T
    mean = features.mean(axis=0)
    centred = features - mean
    directions = np.linalg.svd(centred, full_matrices=False)[2][:PRINCIPAL_DIRECTIONS].T
    principal = centred @ directions
    centres = np.stack([principal[labels == digit].mean(axis=0) if (labels == digit).any()
                        else np.zeros(principal.shape[1]) for digit in range(10)])
    spread = principal - centres[labels]
    covariance = spread.T @ spread / len(spread)
    covariance += SHRINKAGE * np.trace(covariance) / len(covariance) * np.eye(len(covariance))
    values, vectors = np.linalg.eigh(covariance)
    whitening = vectors / np.sqrt(values)
    return {"feature_mean": mean, "principal_directions": directions, "whitening": whitening,
            "digit_centres": centres @ whitening, "input_mean": input_mean, "input_directions": input_directions}


def with_inputs(table, classifier, parameters=None):
    """The table with the model's outputs and, once ``parameters`` are known, the networks' inputs."""
    probabilities, features = read_model(table["images"], classifier)
    table = {**table, "probabilities": probabilities, "features": features}
    if parameters is not None:
        table["inputs"] = network_inputs(table["images"], probabilities, features, parameters)
    return table


def fit(table, args):
    """A Detector (threshold not yet set) fitted on the table's training rows."""
    digit_rows = np.isin(table["set"], ["pen fit", "mnist fit"])
    parameters = digit_statistics(table["features"][digit_rows].astype(np.float64),
                                  table["kind"][digit_rows].astype(int), table["images"][digit_rows])
    table["inputs"] = network_inputs(table["images"], table["probabilities"], table["features"],
                                     {k: np.asarray(v, np.float32) for k, v in parameters.items()})
    rows, targets, weights = training_rows(table)
    inputs = table["inputs"][rows]
    parameters["description_mean"] = inputs.mean(axis=0)
    parameters["description_scale"] = inputs.std(axis=0) + 1e-6
    standard = ((inputs - parameters["description_mean"]) / parameters["description_scale"]).astype(np.float32)
    members = [train_network(standard, targets[rows], weights[rows], args.seed + member, args.epochs)
               for member in range(MEMBERS)]
    stacked = {name: np.stack([member[name] for member in members]) for name in members[0] if name != "check"}
    detector = Detector(parameters | stacked, {"threshold": float("nan"), "model_sha256": ""})
    check = standard[:16] * parameters["description_scale"] + parameters["description_mean"]
    keras_logits = np.mean([member["check"] for member in members], axis=0)
    if not np.allclose(detector.scores(check.astype(np.float32)), keras_logits, atol=1e-3):
        raise AssertionError("the numpy detector does not compute what Keras trained")
    return detector, int(rows.sum()), int(targets[rows].sum())


def train_network(standard, targets, weights, seed, epochs):
    """One dense network with one hidden layer: its weights as Detector names them, and its first 16 log-odds."""
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((standard.shape[1],))
    hidden = keras.layers.Dense(HIDDEN, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-4))
    output = keras.layers.Dense(1)
    model = keras.Model(inputs, output(keras.layers.Dropout(0.2)(hidden(inputs))))
    model.compile(keras.optimizers.Adam(2e-3), keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(standard, targets, sample_weight=weights, batch_size=128, epochs=epochs, verbose=0, shuffle=True)
    (hidden_weights, hidden_bias), (output_weights, output_bias) = hidden.get_weights(), output.get_weights()
    return {"hidden_weights": hidden_weights, "hidden_bias": hidden_bias, "output_weights": output_weights,
            "output_bias": output_bias, "check": model(standard[:16]).numpy()[:, 0]}


def validation(table, args, fitting_categories):
    """What design choices are judged by: fit without writers VALIDATION_WRITERS, a seeded quarter of the fitting
    doodle kinds and every fourth mark of each kind, and give the shares of those flagged at thresholds that
    flag 0.1, 0.25 and 0.5 % of writers 16-20. Writers 21-30 and the held-out kinds take no part."""
    sets, index = table["set"], np.arange(len(table["set"]))
    kinds = np.random.default_rng([args.seed, 2]).choice(fitting_categories, len(fitting_categories) // 4,
                                                         replace=False)
    held = {"writers": (sets == "pen fit") & np.isin(table["writer"], list(writer_set(VALIDATION_WRITERS))),
            "doodles": (sets == "doodle fit") & np.isin(table["kind"], kinds),
            "marks": (sets == "mark fit") & (index % 4 == 0)}
    kept = ~(held["writers"] | held["doodles"] | held["marks"])
    detector, _, _ = fit({name: column[kept] if isinstance(column, np.ndarray) and len(column) == len(sets)
                          else column for name, column in table.items()}, args)
    inputs = network_inputs(table["images"], table["probabilities"], table["features"], detector.parameters)
    scores = detector.scores(inputs)
    threshold_scores = scores[sets == "pen natural"]
    figures = {}
    for rate in (0.001, TARGET_FLAG_RATE, 0.005):
        threshold = np.quantile(threshold_scores, 1 - rate)
        figures[f"{rate:.2%} of writers 16-20"] = {name: float((scores[rows] > threshold).mean())
                                                    for name, rows in held.items()}
    return figures


def flag_rates(flagged, labels):
    return {str(label): float(flagged[labels == label].mean()) for label in dict.fromkeys(labels)}


def measure(flagged, table):
    """The figures on a checking table (:func:`checking_jobs`), given whether the detector flags each drawing:
    share flagged of writers 21-30's digits (per digit), of held-out doodles (per category) and of marks (per
    kind).

    A drawing ``to_mnist`` finds no digit in is answered "draw a digit first" by the app: it counts as flagged.
    """
    figures = {}
    for name in ("writers", "doodles", "marks"):
        rows = table["set"] == name
        empty = sum(table["empty"].get(kind, 0) for kind in set(table["kind"][rows])) if name != "writers" else 0
        flags = np.concatenate([flagged[rows], np.ones(empty, bool)])
        kinds = np.concatenate([table["kind"][rows], np.full(empty, "(no digit found)")])
        figures[name] = {"flagged": float(flags.mean()), "count": int(len(flags)), "no digit found": int(empty),
                         "per kind": flag_rates(flags, kinds)}
    figures["writers"]["no digit found"] = sum(table["empty"].get(str(d), 0) for d in range(10))
    return figures


def card(detector, args, argv, trained):
    """The card written beside the parameters: how they were made and how well they do."""
    _, held_out = split_categories([d["category"] for d in load_doodles(args.doodles)])
    return {
        "model": Path(args.model).name, "model_sha256": detector.model_sha256, "threshold": detector.threshold,
        "target_flag_rate": TARGET_FLAG_RATE, "seed": args.seed,
        "command": "python -m training.not_a_digit " + " ".join(argv),
        "data": {name: {"path": os.path.relpath(Path(path).resolve(), PROJECT_ROOT), "sha256": sha256_of(path)}
                 for name, path in (("pen digits", DRAWINGS), ("doodles", args.doodles), ("mnist", args.mnist))},
        "fitted on": {"pen digit writers": FIT_WRITERS, "threshold writers": THRESHOLD_WRITERS, **trained,
                      "held-out doodle categories (never used here)": held_out, "marks": list(KINDS)},
        "inputs": {"outputs": list(OUTPUT_NAMES), "principal directions": PRINCIPAL_DIRECTIONS,
                   "input's norm outside digits' inputs' principal directions": INPUT_DIRECTIONS,
                   "pooled input side": POOLED_SIDE,
                   "networks": f"{MEMBERS} dense networks, {HIDDEN} hidden units"},
    }


def summary(info, card_file):
    """What the model's own card says of its detector: the figures ``/model`` shows, and where the rest is."""
    figures = info["figures"]
    return {"card": card_file.name, "command": info["command"], "threshold": info["threshold"],
            "threshold_writers_flagged": figures["threshold writers 16-20 flagged (by construction)"],
            "digits_flagged": figures["writers"]["flagged"], "held_out_doodles_flagged": figures["doodles"]["flagged"],
            "held_out_categories": len(info["fitted on"]["held-out doodle categories (never used here)"]),
            "marks_flagged": figures["marks"]["flagged"]}


def add_to_model_card(model, info, card_file):
    """Record the detector's figures on the model's card (``<model>.json``), when it has one."""
    model_card = Path(model).with_suffix(".json")
    if model_card.is_file():
        values = json.loads(model_card.read_text())
        values["not_a_digit"] = summary(info, card_file)
        model_card.write_text(json.dumps(values, indent=2) + "\n")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    model = Path(args.model)
    out = Path(args.out) if args.out else parameters_path(model)
    records, doodles = load_drawings(DRAWINGS), load_doodles(args.doodles)
    classifier = Classifier(model).load()
    table = with_inputs(rendered(training_jobs(args, records, doodles), args, Path(args.cache) if args.cache else None),
                        classifier)
    if args.validate:
        fitting, _ = split_categories([d["category"] for d in doodles])
        print(json.dumps({"validation": validation(dict(table), args, fitting)}, indent=1), flush=True)
    started = time.perf_counter()
    detector, rows, not_digits = fit(table, args)
    print(f"fitted {MEMBERS} networks on {rows} drawings: {time.perf_counter() - started:.0f} s", flush=True)
    threshold_rows = (table["set"] == "pen natural")
    threshold_scores = detector.scores(table["inputs"][threshold_rows])
    threshold = float(np.quantile(threshold_scores, 1 - TARGET_FLAG_RATE))
    detector.info = {"threshold": threshold, "model_sha256": sha256_of(model)}
    checking = with_inputs(checking_jobs(records, doodles, args.scale).render(args.processes), classifier,
                           detector.parameters)
    info = card(detector, args, argv, {"drawings": rows, "not digits": not_digits, "no digit found": table["empty"]})
    by_construction = float((threshold_scores > threshold).mean())
    info["figures"] = {"threshold writers 16-20 flagged (by construction)": by_construction,
                       **measure(detector.scores(checking["inputs"]) > threshold, checking)}
    detector.info = info
    detector.save(out)
    card_file = out.with_suffix(".json") if args.out else card_path(model)
    card_file.write_text(json.dumps(info, indent=1) + "\n")
    if not args.out:
        add_to_model_card(model, info, card_file)
    print(json.dumps({k: v for k, v in info.items() if k not in ("fitted on", "data")}, indent=1)[:3000])
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB) and {card_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
