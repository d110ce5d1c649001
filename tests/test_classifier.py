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


def test_more_threads_give_the_same_answers(mnist_test):
    """A call may use two threads when one process serves; the answers must not change with them."""
    images, _ = mnist_test
    batch = images[:300].astype(np.float32) / 255.0
    one, two = Classifier(DEFAULT_MODEL, threads=1), Classifier(DEFAULT_MODEL, threads=2)
    for image in batch:
        for alone, shared in zip(one.outputs(image), two.outputs(image)):
            assert np.array_equal(alone, shared)


@pytest.mark.parametrize("workers, expected", [(1, min(2, os.cpu_count() or 1)), (2, 1)])
def test_one_process_gives_each_model_call_two_threads_and_workers_one(monkeypatch, workers, expected):
    from webapp.__main__ import model_threads

    monkeypatch.delenv("MODEL_THREADS", raising=False)
    assert model_threads(workers) == expected
    monkeypatch.setenv("MODEL_THREADS", "3")
    assert model_threads(workers) == 3
    monkeypatch.setenv("MODEL_THREADS", "0")
    with pytest.raises(ValueError, match="MODEL_THREADS"):
        model_threads(workers)
