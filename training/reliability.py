"""Draw the reliability diagram of a model that ``train.py`` wrote before it drew one.

    python -m training.reliability models/NAME.keras --data ../shared/data/mnist.npz

Writes ``NAME-reliability.png`` beside the model: confidence against accuracy
on MNIST test, as ``train.py`` now draws for every model it trains.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, help="a .keras model written by train.py")
    parser.add_argument("--data", help="MNIST as train.py takes it (omitted: downloaded)")
    args = parser.parse_args(argv)

    import keras

    from training import report
    from training.data import as_input, load_mnist
    from training.fit import predict

    mnist = load_mnist(args.data)
    model = keras.saving.load_model(args.model, compile=False)
    calibration = report.calibration(mnist["y_test"], predict(model, as_input(mnist["x_test"])))
    picture = args.model.with_name(f"{args.model.stem}-reliability.png")
    report.mnist_reliability(picture, args.model.stem, calibration)
    print(f"wrote {picture}: expected calibration error {calibration['expected_calibration_error']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
