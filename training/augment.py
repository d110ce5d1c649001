"""Make MNIST look like digits drawn on a canvas: tilted, shifted, stretched, sheared, thin or bold.

The random numbers are stateless, drawn from (seed, batch number), so the same
seed distorts the same batch the same way whatever the thread timing.
"""

import math

import tensorflow as tf

ROTATION = 0.03 * 2 * math.pi
"""Largest tilt, radians."""
SHEAR = 0.1
ZOOM_HEIGHT, ZOOM_WIDTH = 0.1, 0.15
SHIFT = 0.08
"""Largest shift, as a fraction of the side."""
THINNER, BOLDER = 0.5, 0.6
"""Largest blend towards the eroded and the dilated image."""


def drawn_digit_augmenter(seed):
    """A function of (batch number, images (N, 28, 28, 1)) that returns a randomly distorted batch."""

    def augment(batch_number, images):
        key = tf.stack([tf.constant(seed, tf.int64), tf.cast(batch_number, tf.int64)])
        count = tf.shape(images)[0]
        amount = tf.random.stateless_uniform([count, 1, 1, 1], key, -THINNER, BOLDER)
        images = vary_stroke_width(images, amount)
        transforms = random_transforms(count, tf.shape(images)[1:3], key + tf.constant([0, 1], tf.int64))
        images = tf.raw_ops.ImageProjectiveTransformV3(
            images=images, transforms=transforms, output_shape=tf.shape(images)[1:3], fill_value=0.0,
            interpolation="BILINEAR", fill_mode="CONSTANT")
        return tf.clip_by_value(images, 0.0, 1.0)

    return augment


def random_transforms(count, shape, key):
    """Per image, the 8 numbers of a projective transform that maps output pixels to input pixels.

    The map tilts, shears and scales about the centre, then shifts.
    """
    unit = tf.random.stateless_uniform([count, 6], key, -1.0, 1.0)
    angle, shear = unit[:, 0] * ROTATION, unit[:, 1] * SHEAR
    scale_y, scale_x = 1.0 + unit[:, 2] * ZOOM_HEIGHT, 1.0 + unit[:, 3] * ZOOM_WIDTH
    height, width = tf.cast(shape[0], tf.float32), tf.cast(shape[1], tf.float32)
    shift_y, shift_x = unit[:, 4] * SHIFT * height, unit[:, 5] * SHIFT * width
    cos, sin = tf.cos(angle), tf.sin(angle)
    a0, a1 = scale_x * cos, scale_x * (shear * cos - sin)
    b0, b1 = scale_y * sin, scale_y * (shear * sin + cos)
    centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
    a2 = centre_x - a0 * (centre_x + shift_x) - a1 * (centre_y + shift_y)
    b2 = centre_y - b0 * (centre_x + shift_x) - b1 * (centre_y + shift_y)
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def vary_stroke_width(images, amount):
    """Blend each image towards its 3×3 dilation (amount > 0, bolder) or erosion (thinner) by |amount|."""
    bold = tf.nn.max_pool2d(images, 3, 1, "SAME")
    thin = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    towards = tf.where(amount > 0, bold, thin)
    return images + tf.abs(amount) * (towards - images)
