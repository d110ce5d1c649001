"""Choose writer adaptation's constants by leave-one-writer-out cross-validation over writers the model never saw.

    python bench/adaptation_choices.py [--trials 5] [--writers 21-30] [--model models/NAME.tflite]

Each writer's drawings are read as ``bench/adaptation.py`` reads them (pen
digits drawn at a natural size and place with the page's pen, the same
random choices of 1, 3 and 5 saved drawings per digit). Every choice of
:func:`recognition.adaptation.adapted_probabilities`'s constants (the
temperature, how many nearest vectors count, how much the digit's prototype
counts) is scored on every writer. Prints each choice's accuracy over all
writers and its worst writer, then the cross-validated figure: for each
writer, the choice that did best on the others (mean over 1, 3 and 5 saved
per digit), scored on that writer alone. Writes every figure as JSON.
"""

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.adaptation import HELD_OUT_MODEL, SAVED_PER_DIGIT, chosen, held_out_writers, read_writer  # noqa: E402
from recognition.adaptation import TEMPERATURE, adapted_probabilities  # noqa: E402
from recognition.classifier import Classifier  # noqa: E402
from recognition.pad import PEN_WIDTHS  # noqa: E402
from training.data import DRAWINGS, load_drawings, writer_set  # noqa: E402

CHOICES = [{"temperature": temperature, "nearest": nearest, "prototype_weight": weight}
           for temperature, nearest, weight in itertools.product((0.01, 0.015, 0.02, 0.03), (1, 3), (0.0, 0.5, 1.0))]
SERVED = {"temperature": TEMPERATURE, "nearest": 1, "prototype_weight": 0.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(HELD_OUT_MODEL), help="a .tflite with a features output")
    parser.add_argument("--writers", help="writers to measure (default: the model card's test writers)")
    parser.add_argument("--trials", type=int, default=5, help="random choices of saved drawings per writer")
    parser.add_argument("--out", default="build/adaptation_choices.json")
    return parser.parse_args()


def writer_scores(rows, writer, trials):
    """right[choice, k] and read[k]: adapted readings right under each choice, over ``trials`` random saves."""
    right = np.zeros((len(CHOICES), len(SAVED_PER_DIGIT)), int)
    read = np.zeros(len(SAVED_PER_DIGIT), int)
    for column, per_digit in enumerate(SAVED_PER_DIGIT):
        for trial in range(trials):
            saved, tested = chosen(rows, per_digit, np.random.default_rng([writer, trial, per_digit]))
            vectors = np.concatenate([rows[i][3] for i in saved])
            labels = np.concatenate([np.full(len(rows[i][3]), rows[i][0]) for i in saved])
            read[column] += len(tested)
            for index, choice in enumerate(CHOICES):
                right[index, column] += sum(
                    int(np.argmax(adapted_probabilities(rows[i][1], rows[i][2], vectors, labels, **choice)) == rows[i][0])
                    for i in tested)
    return right, read


def accuracy(scores, writers, choice):
    """Accuracy per saved-per-digit column of one choice over ``writers``."""
    right = sum(scores[w][0][choice] for w in writers)
    return right / sum(scores[w][1] for w in writers)


def cross_validated(scores):
    """(accuracy per column over all writers, worst writer per column, the choice made for each writer)."""
    right, read, worst, picks = 0, 0, None, {}
    for writer in scores:
        others = [w for w in scores if w != writer]
        best = max(range(len(CHOICES)), key=lambda c: accuracy(scores, others, c).mean())
        picks[writer] = CHOICES[best]
        right = right + scores[writer][0][best]
        read = read + scores[writer][1]
        mine = scores[writer][0][best] / scores[writer][1]
        worst = mine if worst is None else np.minimum(worst, mine)
    return right / read, worst, picks


def label(choice):
    return (f"T {choice['temperature']:<5} nearest {choice['nearest']} prototype {choice['prototype_weight']:.1f}"
            + (" (served)" if choice == SERVED else ""))


def main():
    args = parse_args()
    classifier = Classifier(args.model)
    writers = writer_set(args.writers) if args.writers else held_out_writers(args.model)
    records = [(index, record) for index, record in enumerate(load_drawings(DRAWINGS)) if record["writer"] in writers]
    print(f"{args.model}: writers {sorted(writers)}, {args.trials} trials, normal pen, natural size and place")
    scores = {}
    for writer in sorted(writers):
        rows = read_writer(classifier, [(i, r) for i, r in records if r["writer"] == writer], PEN_WIDTHS["normal"], 0)
        scores[writer] = writer_scores(rows, writer, args.trials)
        print(f"writer {writer}: {len(rows)} drawings, every choice scored", flush=True)
    columns = " ".join(f"{f'{k} per digit (worst)':>22}" for k in SAVED_PER_DIGIT)
    print(f"{'choice':<46} {columns}")
    table = []
    for index, choice in enumerate(CHOICES):
        overall = accuracy(scores, scores, index)
        worst = np.min([accuracy(scores, [w], index) for w in scores], axis=0)
        table.append({**choice, "accuracy": overall.tolist(), "worst_writer": worst.tolist()})
        print(f"{label(choice):<46} " + " ".join(f"{a:>13.2%} ({w:.2%})" for a, w in zip(overall, worst)))
    overall, worst, picks = cross_validated(scores)
    print(f"{'leave one writer out':<46} " + " ".join(f"{a:>13.2%} ({w:.2%})" for a, w in zip(overall, worst)))
    print("chosen on the other writers:", "; ".join(f"{w}: {label(c)}" for w, c in picks.items()))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": args.model, "writers": sorted(writers), "trials": args.trials,
                               "saved_per_digit": list(SAVED_PER_DIGIT), "choices": table,
                               "cross_validated": {"accuracy": overall.tolist(), "worst_writer": worst.tolist(),
                                                   "chosen": {str(w): c for w, c in picks.items()}}},
                              indent=2) + "\n")


if __name__ == "__main__":
    main()
