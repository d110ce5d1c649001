"""The networks inside a saved Keras model, and each one's features: what its last (dense) layer reads.

The server's Keras runtime and the LiteRT export both take a model apart this way.
"""


def networks(model):
    """The networks a Keras model is made of: the members of an averaged ensemble, or the model itself."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.Model)] or [model]


def with_features(network):
    """A Keras model giving the network's probabilities and what its last (dense) layer reads."""
    import keras

    head = network.layers[-1]
    if not isinstance(head, keras.layers.Dense):
        raise ValueError(f"{network.name} does not end in a dense layer")
    return keras.Model(network.inputs, [head.output, head.input])
