"""Make MNIST look like digits drawn on a canvas: tilted, shifted, stretched, sheared, thin or bold."""

import keras
import tensorflow as tf


def drawn_digit_augmenter(seed):
    """A function from a batch of (N, 28, 28, 1) images to a randomly distorted batch."""
    geometry = keras.Sequential([
        keras.layers.RandomRotation(0.03, fill_mode="constant", seed=seed),
        keras.layers.RandomShear(x_factor=0.1, y_factor=0.0, fill_mode="constant", seed=seed + 1),
        keras.layers.RandomZoom(height_factor=(-0.1, 0.1), width_factor=(-0.15, 0.15),
                                fill_mode="constant", seed=seed + 2),
        keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant", seed=seed + 3),
    ])
    generator = tf.random.Generator.from_seed(seed + 4)

    def augment(images):
        images = vary_stroke_width(images, generator)
        return tf.clip_by_value(geometry(images, training=True), 0.0, 1.0)

    return augment


def vary_stroke_width(images, generator):
    """Blend each image towards its 3×3 dilation (bolder) or erosion (thinner) by a random amount."""
    bold = tf.nn.max_pool2d(images, 3, 1, "SAME")
    thin = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    count = tf.shape(images)[0]
    amount = generator.uniform([count, 1, 1, 1], -0.5, 0.6)
    towards = tf.where(amount > 0, bold, thin)
    return images + tf.abs(amount) * (towards - images)
