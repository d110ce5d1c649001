"""The usual way to serve a Keras digit model, for ``bench/latency.py`` to time beside Digit Pad.

    python bench/usual_server.py --port PORT --model models/NAME.keras

Flask's own server (``app.run()``, a thread per connection), and for every
request what tutorials and most digit demos do: decode the picture, make the
model's input, call ``model.predict()``, answer the digit and its
probabilities. The input is made by Digit Pad's own :func:`to_mnist`, so both
servers read the same 28×28 image and give the same digit; only the way of
serving differs.
"""

import argparse
import io
import os
import sys
from pathlib import Path

import numpy as np
from flask import Flask, jsonify, request
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.preprocess import to_mnist  # noqa: E402


def usual_app(model):
    app = Flask(__name__)

    @app.post("/api/predict")
    def predict():
        image = to_mnist(Image.open(io.BytesIO(request.get_data())))
        probabilities = model.predict(image[None, :, :, None], verbose=0)[0]
        return jsonify(digit=int(np.argmax(probabilities)), probabilities=probabilities.tolist())

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", type=Path, required=True, help="the .keras file to serve")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    usual_app(keras.saving.load_model(args.model, compile=False)).run(host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
