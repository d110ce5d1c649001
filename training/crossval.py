"""Choose a training configuration by writer-grouped cross-validation over the pen-drawn digits.

    python -m training.crossval --data ../shared/data/mnist.npz --epochs 8 \\
        --config fitted="--placement fitted" --config natural="--placement natural"

The writers are dealt into ``--folds`` groups. For each configuration and each
group, ``train.py`` trains on every other writer (and MNIST) and scores the
group's drawings, which that network never saw: fitted to the pad with the
page's three pens and at a natural size and place. Prints the mean and the
spread across folds and writes every figure to ``--out/crossval.json``.
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np

import train
from training.data import DRAWINGS, load_drawings

MEASURES = ("thin", "normal", "bold", "natural")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="MNIST, as for train.py")
    parser.add_argument("--config", action="append", required=True, metavar='NAME="TRAIN.PY OPTIONS"',
                        help="a configuration to compare (repeatable)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", default="build/crossval")
    return parser.parse_args(argv)


def folds(count):
    """Writer groups: writer w (1-30) goes to group (w - 1) mod count."""
    writers = sorted({record["writer"] for record in load_drawings(DRAWINGS)})
    return [[w for w in writers if (w - 1) % count == k] for k in range(count)]


def run_fold(args, name, options, fold, writers):
    out = Path(args.out) / name
    train_args = [*(["--data", args.data] if args.data else []), *shlex.split(options),
                  "--epochs", str(args.epochs), "--test-writers", ",".join(map(str, writers)),
                  "--out", str(out), "--name", f"fold{fold}", "--quiet"]
    print(f"\n=== {name}, fold {fold} (writers {writers}): train.py {shlex.join(train_args)}", flush=True)
    if train.main(train_args) != 0:
        raise SystemExit(f"train.py failed on {name}, fold {fold}")
    card = json.loads((out / f"fold{fold}.json").read_text())
    return {"writers": writers, "mnist": card["mnist_test"]["accuracy"],
            **{how: card["drawn_test"][how]["accuracy"] for how in MEASURES}}


def summary(results):
    """Mean and standard deviation across folds of each measure."""
    return {measure: {"mean": float(np.mean([r[measure] for r in results])),
                      "sd": float(np.std([r[measure] for r in results], ddof=1)) if len(results) > 1 else 0.0}
            for measure in ("mnist", *MEASURES)}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    groups = folds(args.folds)
    report = {"folds": groups, "epochs": args.epochs, "configs": {}}
    for config in args.config:
        name, _, options = config.partition("=")
        results = [run_fold(args, name, options, k, writers) for k, writers in enumerate(groups)]
        report["configs"][name] = {"options": options, "folds": results, "summary": summary(results)}
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "crossval.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nconfiguration   " + "  ".join(f"{m:>16}" for m in ("mnist", *MEASURES)))
    for name, config in report["configs"].items():
        cells = [f"{s['mean']:8.2%} ± {s['sd']:5.2%}" for s in config["summary"].values()]
        print(f"{name:15} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
