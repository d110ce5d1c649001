"""The evidence map is faithful to the model it explains, and is computed as integrated gradients say.

Faithful: deleting the pixels the map ranks highest lowers the digit's probability more than deleting
as many random ink pixels. Sanity (Adebayo et al. 2018): a network with the same weights shuffled gets a
clearly different map. Both on drawings by writers 21-30, which the method was not designed on, drawn at
a natural size and place and sent through the app's preprocessing (bench/faithfulness.py prints the figures).
"""

import os

import numpy as np
import pytest

from bench.faithfulness import deletion_check, held_out_inputs, shuffled_correlations, top_two
from recognition.pad import PEN_WIDTHS
from recognition.preprocess import to_mnist
from tests.helpers import encoded
from training.drawn import pad_picture
from webapp.predicting.served import served_model, served_models

HELD_OUT_WRITERS = range(21, 31)


@pytest.fixture(scope="module")
def inputs(pendigits):
    return held_out_inputs(pendigits, HELD_OUT_WRITERS, 200)


@pytest.fixture(scope="module")
def models(app):
    with app.app_context():
        return {model.name: model for model in served_models()}


@pytest.mark.parametrize("name", ["digitpad-cnn", "digitpad-cnn-single", "digitpad-mlp", "digitpad-linear"])
def test_deleting_the_top_evidence_hurts_more_than_deleting_random_ink(models, inputs, name):
    wins, _ = deletion_check(models[name].classifier, models[name].explainer, inputs)
    assert wins >= 0.9 * len(inputs), f"{name}: the map's deletion hurt more on {wins} of {len(inputs)} drawings"


def test_the_app_explains_the_same_way(client, pendigits):
    record = next(record for record in pendigits if record["writer"] == 21)
    png = encoded(pad_picture(record, PEN_WIDTHS["normal"]))
    answer = client.post("/api/predict?explain=1", data=png, content_type="image/png").get_json()
    with client.application.app_context():
        model = served_model()
    image = to_mnist(pad_picture(record, PEN_WIDTHS["normal"]))
    expected = model.explainer.evidence(image, answer["explanation"]["digit"], answer["explanation"]["versus"])
    np.testing.assert_allclose(answer["explanation"]["map"], expected, rtol=1e-3, atol=1e-6)


@pytest.fixture(scope="module")
def keras_model(models):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras.saving.load_model(models["digitpad-cnn"].path.with_suffix(".keras"), compile=False)


def test_the_litert_map_is_integrated_gradients_of_the_keras_model(models, inputs, keras_model):
    import tensorflow as tf

    from training.explanation import FLOOR, STEPS

    explainer = models["digitpad-cnn"].explainer
    for image in inputs[:5]:
        digit, versus = top_two(models["digitpad-cnn"].classifier.probabilities(image))
        path = tf.constant(np.arange(1, STEPS + 1, dtype=np.float32)[:, None, None, None] / STEPS
                           * image[None, :, :, None])
        with tf.GradientTape() as tape:
            tape.watch(path)
            log_p = tf.math.log(keras_model(path, training=False) + FLOOR)
            margin = tf.reduce_sum(log_p[:, digit] - log_p[:, versus])
        expected = image * tape.gradient(margin, path).numpy().mean(axis=0)[:, :, 0]
        np.testing.assert_allclose(explainer.evidence(image, digit, versus), expected, rtol=1e-3,
                                   atol=1e-4 * np.abs(expected).max())


def test_shuffled_weights_give_a_clearly_different_map(models, inputs, keras_model, tmp_path):
    trained = models["digitpad-cnn"]
    correlations = shuffled_correlations(trained.classifier, trained.explainer, keras_model, inputs[:50], tmp_path)
    assert np.median(correlations) < 0.3, f"median rank correlation {np.median(correlations):.2f}"
