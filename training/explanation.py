"""The explanation's LiteRT file: why a model reads one digit rather than another, pixel by pixel.

For an input x, a digit d and a runner-up e it gives integrated gradients
(Sundararajan et al. 2017) of log p_d − log p_e from a black field to x, with
STEPS points on the path: x · mean over α of ∇(log p_d − log p_e)(α·x).
Positive evidence pushes the model towards d, negative towards e, and the
map sums to about how much more likely d is than e for x than for a blank field.

The gradient is built by TensorFlow at export time and written as plain
LiteRT builtin ops, so the server computes it without TensorFlow. Two things
stand in the way and are handled here: TensorFlow's ReLU gradient (ReluGrad)
is no LiteRT builtin, so ReLUs are rebuilt as x·[x > 0] with the mask held
constant, which has the same value and gradient; and the shapes are fixed
(one image, STEPS path points), so no shape arithmetic is left to run.
The explanation is a file of its own beside the model's: a second
signature in one file would leave one of them without XNNPACK, which
accelerates only a file's first graph.
"""

import keras
import tensorflow as tf

STEPS = 4
"""Path points. On writers 1-20 (bench/faithfulness.py --writers 1-20 --steps N), the probability left
after deleting the map's top pixels was 0.22, 0.16, 0.10 and 0.09 (median) for 1, 4, 8 and 16 steps, at
2, 7.6, 16 and 29 ms a map: 4 keeps an explained request well inside 25 ms on a 2-core machine."""

FLOOR = 1e-30
"""Added to probabilities before the log, so a probability of exactly 0 gives no NaN."""


def export_explainer(model, path, steps=STEPS):
    """Write the LiteRT explanation of a Keras model: inputs ``image`` (1, 28, 28, 1), ``digit`` and
    ``versus`` (int32 scalars); output the (28, 28) evidence for ``digit`` against ``versus``."""
    gated = keras.models.clone_model(model, clone_function=_gated_relu_layer, recursive=True)
    gated.set_weights(model.get_weights())

    @tf.function(input_signature=[tf.TensorSpec((1, 28, 28, 1), tf.float32, name="image"),
                                  tf.TensorSpec((), tf.int32, name="digit"),
                                  tf.TensorSpec((), tf.int32, name="versus")])
    def explain(image, digit, versus):
        alphas = tf.reshape(tf.range(1, steps + 1, dtype=tf.float32) / steps, (steps, 1, 1, 1))
        on_path = alphas * image
        contrast = tf.one_hot(digit, 10) - tf.one_hot(versus, 10)
        with tf.GradientTape() as tape:
            tape.watch(on_path)
            margin = tf.reduce_sum(tf.math.log(gated(on_path, training=False) + FLOOR) * contrast)
        gradient = tape.gradient(margin, on_path)
        return tf.reshape(image * tf.reduce_mean(gradient, axis=0, keepdims=True), (28, 28))

    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    frozen = convert_variables_to_constants_v2(explain.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen], gated)
    path.write_bytes(converter.convert())


def gated_relu(x):
    """ReLU as x·[x > 0] with the mask held constant: the same value and gradient, in builtin ops."""
    return x * keras.ops.stop_gradient(keras.ops.cast(x > 0, x.dtype))


def _gated_relu_layer(layer):
    """A fresh copy of ``layer`` whose ReLU, if any, is :func:`gated_relu`."""
    if isinstance(layer, keras.layers.ReLU):
        return keras.layers.Activation(gated_relu, name=layer.name)
    config = layer.get_config()
    if config.get("activation") == "relu":
        config["activation"] = gated_relu
    return layer.__class__.from_config(config)
