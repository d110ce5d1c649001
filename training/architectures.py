"""The architectures `train.py --arch` builds: 28×28×1 floats in [0, 1] in, 10 probabilities out."""

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)


def linear(name="linear"):
    """One softmax layer: multinomial logistic regression, the classic ~92 % baseline."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ], name=name)


def mlp(name="mlp"):
    """Two hidden dense layers with dropout, the classic ~98 % baseline."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ], name=name)


def _conv_block(filters, kernel, strides=1, padding="valid"):
    return [
        layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
    ]


def cnn(name="cnn"):
    """Three stages of batch-normalised convolutions, strided instead of pooled, with dropout between."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        *_conv_block(32, 3), *_conv_block(32, 3), *_conv_block(32, 5, strides=2, padding="same"),
        layers.Dropout(0.3),
        *_conv_block(64, 3), *_conv_block(64, 3), *_conv_block(64, 5, strides=2, padding="same"),
        layers.Dropout(0.3),
        *_conv_block(128, 4),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ], name=name)


ARCHITECTURES = {"linear": linear, "mlp": mlp, "cnn": cnn}
