"""The model files and how the app loads them."""

import os
import subprocess
import sys

import numpy as np
import pytest

from recognition.classifier import Classifier, ModelError
from recognition.model_files import DEFAULT_MODEL
from webapp import create_app
from webapp.predicting.served import default_model


def test_missing_model_names_the_training_command(tmp_path):
    app = create_app({"MODEL": str(tmp_path / "nothing.tflite")})
    with pytest.raises(ModelError, match="train.py"):
        default_model(app).classifier.load()
    response = app.test_client().post("/api/predict", data=b"", content_type="image/png")
    assert response.status_code == 400
    response = app.test_client().get("/api/health")
    assert response.status_code == 503 and "train.py" in response.get_json()["error"]


@pytest.mark.parametrize("suffix", [".tflite", ".keras"])
def test_corrupt_model_is_refused(tmp_path, suffix):
    broken = tmp_path / f"broken{suffix}"
    broken.write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match="cannot load"):
        Classifier(broken).load()


def test_wrong_shape_model_is_refused(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(5)])
    path = tmp_path / "wrong.keras"
    model.save(path)
    with pytest.raises(ModelError, match="needs"):
        Classifier(path).load()


def test_litert_export_matches_keras(mnist_test):
    images, _ = mnist_test
    batch = images[:300].astype(np.float32) / 255.0
    litert = Classifier(DEFAULT_MODEL).probabilities_batch(batch)
    keras_model = Classifier(DEFAULT_MODEL.with_suffix(".keras")).probabilities_batch(batch)
    assert np.abs(litert - keras_model).max() < 1e-4


@pytest.mark.parametrize("content", [None, b"not a model"], ids=["missing", "corrupt"])
def test_server_refuses_to_start_with_a_bad_model(tmp_path, content):
    model = tmp_path / "model.tflite"
    if content is not None:
        model.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "webapp", "--port", "1"], cwd=DEFAULT_MODEL.parent.parent,
                            env={**os.environ, "MODEL": str(model)}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("digitpad:")]
    assert len(lines) == 1 and "python train.py" in lines[0]
    assert "Traceback" not in result.stderr
